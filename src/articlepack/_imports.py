"""Keeping pandas out of processes that never need it.

pyarrow imports pandas on its first array and pandera while it validates, whenever pandas is
installed (it is: datasets needs it). That costs half a second, and polars data never needs
it, so ``articlepack validate`` and the reader's worker processes run without it.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


class _NoPandas(importlib.abc.MetaPathFinder):
    """On ``sys.meta_path``, makes ``import pandas`` fail as if pandas were not installed."""

    def find_spec(self, name: str, *_: object) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


NO_PANDAS = _NoPandas()


@contextmanager
def without_pandas() -> Iterator[None]:
    """Run without pandas, unless it is imported already. For a process that will not need it
    afterwards either: pyarrow and pandera remember that it was missing."""
    if "pandas" in sys.modules:
        yield
        return
    sys.meta_path.insert(0, NO_PANDAS)
    try:
        yield
    finally:
        sys.meta_path.remove(NO_PANDAS)
