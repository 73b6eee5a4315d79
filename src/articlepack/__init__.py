"""articlepack: annotated news articles in, validated and versioned dataset releases out.

The pipeline, one module per stage: :mod:`~articlepack.corpus` reads a dataset project,
:mod:`~articlepack.checks` validates it, :mod:`~articlepack.builder` writes a release,
:mod:`~articlepack.publish` sends it to the Hub, :mod:`~articlepack.load` reads it back.
Exceptions are in :mod:`articlepack.errors`.
"""

from __future__ import annotations

import typing as _typing

from articlepack.__about__ import __version__
from articlepack.checks import validate
from articlepack.errors import (
    ArticlepackError,
    BuildBusyError,
    CardError,
    HubError,
    IntegrityError,
    InvalidCorpusError,
    ProjectError,
    PublishError,
    ReleasePathError,
    SchemaError,
)
from articlepack.load import info, load
from articlepack.project import init
from articlepack.record import record_digest

if _typing.TYPE_CHECKING:
    from articlepack.builder import build


def __getattr__(name: str) -> object:
    """``build``, imported on first use: commands that never build never load the builder."""
    if name == "build":
        from articlepack.builder import build

        return build
    raise AttributeError(f"module 'articlepack' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ArticlepackError",
    "BuildBusyError",
    "CardError",
    "HubError",
    "IntegrityError",
    "InvalidCorpusError",
    "ProjectError",
    "PublishError",
    "ReleasePathError",
    "SchemaError",
    "__version__",
    "build",
    "info",
    "init",
    "load",
    "record_digest",
    "validate",
]
