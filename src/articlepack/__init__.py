"""articlepack: annotated news articles in, validated and versioned dataset releases out.

The pipeline, one module per stage: :mod:`~articlepack.corpus` reads a dataset project,
:mod:`~articlepack.checks` validates it, :mod:`~articlepack.builder` writes a release,
:mod:`~articlepack.verify` checks one, :mod:`~articlepack.publish` sends it to the Hub,
:mod:`~articlepack.load` reads it back and :mod:`~articlepack.diff` compares two. Each command
of the CLI is a function here. Exceptions are in :mod:`articlepack.errors`.
"""

from __future__ import annotations

import typing as _typing

from articlepack.__about__ import __version__
from articlepack.checks import validate
from articlepack.diff import Diff, bump, changelog, diff
from articlepack.errors import (
    ArticlepackError,
    BuildBusyError,
    CardError,
    DiffError,
    HubError,
    IntegrityError,
    InvalidCorpusError,
    ProjectError,
    PublishError,
    ReleasePathError,
    SchemaError,
    VersionTooLow,
)
from articlepack.load import ReleaseInfo, info, load
from articlepack.project import init
from articlepack.publish import publish
from articlepack.record import record_digest
from articlepack.report import Finding, Report
from articlepack.verify import verify

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
    "Diff",
    "DiffError",
    "Finding",
    "HubError",
    "IntegrityError",
    "InvalidCorpusError",
    "ProjectError",
    "PublishError",
    "ReleaseInfo",
    "ReleasePathError",
    "Report",
    "SchemaError",
    "VersionTooLow",
    "__version__",
    "build",
    "bump",
    "changelog",
    "diff",
    "info",
    "init",
    "load",
    "publish",
    "record_digest",
    "validate",
    "verify",
]
