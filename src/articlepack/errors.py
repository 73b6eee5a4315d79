"""The exceptions articlepack raises to its callers. One root; each also inherits a built-in::

ArticlepackError
├── ProjectError(ValueError)         the path is not a usable dataset project
│   └── SchemaError                  a Table Schema that articlepack cannot use
├── InvalidCorpusError(ValueError)   validation found errors, so nothing was built
├── CardError(ValueError)            the dataset card's YAML would be refused by the Hub
├── IntegrityError(ValueError)       a release file differs from the release's record
└── PublishError(RuntimeError)       the Hub refused, or publishing was refused
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from articlepack.report import Report


class ArticlepackError(Exception):
    """Root of articlepack's exceptions."""


class ProjectError(ArticlepackError, ValueError):
    """The path is not a usable dataset project (CLI exit code 2)."""


class SchemaError(ProjectError):
    """A Table Schema file that articlepack cannot use."""


class InvalidCorpusError(ArticlepackError, ValueError):
    """The corpus has errors, so nothing was written. ``report`` holds them."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            f"the corpus is invalid ({len(report.errors)} errors); nothing was written"
        )
        self.report = report


class CardError(ArticlepackError, ValueError):
    """The dataset card's YAML would be refused by the Hub."""


class IntegrityError(ArticlepackError, ValueError):
    """Files of a release differ from the release's own record of them."""

    def __init__(self, release: str, problems: list[str]) -> None:
        super().__init__(f"{release}: " + "; ".join(problems))
        self.problems = problems


class PublishError(ArticlepackError, RuntimeError):
    """Publishing was refused (existing tag, unverified release, older version) or failed."""
