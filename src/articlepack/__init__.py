"""articlepack: annotated news articles in, validated and versioned dataset releases out.

Exceptions (one root, each also a built-in)::

    ArticlepackError
    ├── ProjectError(ValueError)      the path is not a usable dataset project
    └── SchemaError(ValueError)       a Table Schema articlepack cannot use
"""

from articlepack.__about__ import __version__
from articlepack.checks import validate
from articlepack.corpus import ProjectError
from articlepack.project import init
from articlepack.report import Finding, Report
from articlepack.schema import SchemaError

__all__ = [
    "Finding",
    "ProjectError",
    "Report",
    "SchemaError",
    "__version__",
    "init",
    "validate",
]
