"""The exceptions articlepack raises to its callers. One root; each also inherits a built-in::

ArticlepackError
├── ProjectError(ValueError)         the path is not a usable dataset project
│   ├── SchemaError                  a Table Schema that articlepack cannot use
│   └── ReleasePathError             a release path that would harm the project or others' files
├── BuildBusyError(TimeoutError)     another build into the same folder held its lock too long
├── InvalidCorpusError(ValueError)   validation found errors, so nothing was built
├── CardError(ValueError)            the dataset card's YAML would be refused by the Hub
├── IntegrityError(ValueError)       a release file differs from the release's record
├── PublishError(RuntimeError)       publishing was refused, or the Hub refused the publication
├── EngineError(RuntimeError)        a distributed engine is missing, unreachable or gave up
├── HubError(OSError)                the Hub could not be reached or answered with an error
└── DiffError(ValueError)            a side of a diff is not a usable release, project or revision
    └── VersionTooLow                the declared version is lower than the changes require
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


class ReleasePathError(ProjectError):
    """The release path is the project, lies in its sources, or holds files articlepack did not
    write (CLI exit code 2): nothing is replaced."""


class BuildBusyError(ArticlepackError, TimeoutError):
    """Another build into the same folder held its lock for too long (CLI exit code 3)."""


class InvalidCorpusError(ArticlepackError, ValueError):
    """The corpus has errors, so nothing was written. ``report`` holds them."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            f"the corpus is invalid ({len(report.errors)} errors); nothing was written"
        )
        self.report = report


class EngineError(ArticlepackError, RuntimeError):
    """The engine is not installed, its cluster cannot be reached or cannot see the project, or
    it gave up on a task (CLI exit code 2)."""


class CardError(ArticlepackError, ValueError):
    """The dataset card's YAML would be refused by the Hub."""


class IntegrityError(ArticlepackError, ValueError):
    """Files of a release differ from the release's own record of them."""

    def __init__(self, release: str, problems: list[str]) -> None:
        super().__init__(f"{release}: " + "; ".join(problems))
        self.problems = problems


class PublishError(ArticlepackError, RuntimeError):
    """Publishing was refused (existing tag, unverified release, older version) or failed."""


class HubError(ArticlepackError, OSError):
    """The Hub could not be reached, or answered with an error; ``reason`` names the cause.

    One of ``token`` (401), ``permission`` (403), ``repo`` (404), ``server`` (5xx or 429: worth
    retrying), ``timeout``, ``unreachable`` and ``offline`` (HF_HUB_OFFLINE with a cold cache).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class DiffError(ArticlepackError, ValueError):
    """A side of a diff is unusable: not a release, project or git revision, or not readable."""


class VersionTooLow(DiffError):
    """The declared version is lower than the changes require (``changelog`` refuses to write)."""
