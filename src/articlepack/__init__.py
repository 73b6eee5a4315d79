"""articlepack: annotated news articles in, validated and versioned dataset releases out.

The pipeline, one module per stage: :mod:`~articlepack.corpus` reads a dataset project,
:mod:`~articlepack.checks` validates it, :mod:`~articlepack.builder` writes a release,
:mod:`~articlepack.verify` checks one, :mod:`~articlepack.publish` sends it to the Hub,
:mod:`~articlepack.load` reads it back and :mod:`~articlepack.diff` compares two. Each command
of the CLI is a function here. Exceptions are in :mod:`articlepack.errors`.

Every name is imported on first use (PEP 562): a warm ``articlepack validate`` that answers from
its cache, or a script that only loads a table, never pays for the checks' or the builder's imports.
"""

from __future__ import annotations

import importlib as _importlib
import sys as _sys
import types as _types
import typing as _typing

from articlepack.__about__ import __version__

if _typing.TYPE_CHECKING:
    from articlepack.builder import build
    from articlepack.diff import Diff, bump, changelog, diff
    from articlepack.errors import (
        ArticlepackError,
        BuildBusyError,
        CardError,
        DiffError,
        EngineError,
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
    from articlepack.validation import validate
    from articlepack.verify import verify

_ERRORS = (
    "ArticlepackError",
    "BuildBusyError",
    "CardError",
    "DiffError",
    "EngineError",
    "HubError",
    "IntegrityError",
    "InvalidCorpusError",
    "ProjectError",
    "PublishError",
    "ReleasePathError",
    "SchemaError",
    "VersionTooLow",
)
#: each public name and the module that defines it
_HOMES = {
    **dict.fromkeys(_ERRORS, "errors"),
    **dict.fromkeys(("Diff", "bump", "changelog", "diff"), "diff"),
    **dict.fromkeys(("ReleaseInfo", "info", "load"), "load"),
    **dict.fromkeys(("Finding", "Report"), "report"),
    "build": "builder",
    "init": "project",
    "publish": "publish",
    "record_digest": "record",
    "validate": "validation",
    "verify": "verify",
}


class _Package(_types.ModuleType):
    """The package, whose functions ``load``, ``diff``, ``verify`` and ``publish`` keep their
    names when the import system binds the same-named submodules here as they load."""

    def __setattr__(self, name: str, value: object) -> None:
        if not (name in _HOMES and isinstance(value, _types.ModuleType)):
            super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'articlepack' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"articlepack.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "ArticlepackError",
    "BuildBusyError",
    "CardError",
    "Diff",
    "DiffError",
    "EngineError",
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
