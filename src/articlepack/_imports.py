"""Keeping out of processes the packages they never need.

pyarrow imports pandas on its first array, and pandera imports pandas while it validates and
hypothesis (for its data synthesis strategies) when it registers its checks, whenever they are
installed (pandas is: datasets needs it; hypothesis is in development environments). That
costs over half a second, and validating polars data needs neither, so ``articlepack validate``
and the reader's worker processes run without them.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

UNNEEDED = ("pandas", "hypothesis")


class _Unneeded(importlib.abc.MetaPathFinder):
    """On ``sys.meta_path``, makes importing :data:`UNNEEDED` fail as if they were not installed."""

    def find_spec(self, name: str, *_: object) -> None:
        if name.split(".", 1)[0] in UNNEEDED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


HIDE_UNNEEDED = _Unneeded()


@contextmanager
def without_unneeded() -> Iterator[None]:
    """Run without :data:`UNNEEDED`, unless one is imported already. For a process that will not
    need them afterwards either: pyarrow and pandera remember that they were missing."""
    if any(name in sys.modules for name in UNNEEDED):
        yield
        return
    sys.meta_path.insert(0, HIDE_UNNEEDED)
    try:
        yield
    finally:
        sys.meta_path.remove(HIDE_UNNEEDED)
