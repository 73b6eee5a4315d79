"""articlepack: annotated news articles in, validated and versioned dataset releases out.

The pipeline, one module per stage: :mod:`~articlepack.corpus` reads a dataset project,
:mod:`~articlepack.checks` validates it, :mod:`~articlepack.builder` writes a release,
:mod:`~articlepack.publish` sends it to the Hub, :mod:`~articlepack.load` reads it back.
Exceptions are in :mod:`articlepack.errors`.
"""

from __future__ import annotations

from articlepack.__about__ import __version__
from articlepack.builder import build
from articlepack.checks import validate
from articlepack.errors import (
    ArticlepackError,
    CardError,
    IntegrityError,
    InvalidCorpusError,
    ProjectError,
    PublishError,
    SchemaError,
)
from articlepack.load import info, load
from articlepack.project import init

__all__ = [
    "ArticlepackError",
    "CardError",
    "IntegrityError",
    "InvalidCorpusError",
    "ProjectError",
    "PublishError",
    "SchemaError",
    "__version__",
    "build",
    "info",
    "init",
    "load",
    "validate",
]
