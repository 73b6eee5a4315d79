"""The :class:`Corpus`, what :func:`articlepack.corpus.read` makes of a dataset project.

It lives apart from the reader so that the reader's workers, below it, can make one too: each
hands the checks it is given (``read(check=...)``) a corpus of the article folders it read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack.report import Finding
from articlepack.schema import TableSchema

if TYPE_CHECKING:
    import polars as pl

RAW_SCHEMA = ("article_id", "raw", "sha256", "_file")  # the columns of Corpus.raw, all strings


@dataclass(frozen=True)
class Corpus:
    """A dataset project read into tables. Rows carry ``_file`` and ``_path`` (the YAML path)."""

    root: Path
    dataset: dict[str, Any]
    schemas: dict[str, TableSchema]
    tables: dict[str, pl.DataFrame]
    raw: pl.DataFrame  # article_id, raw, sha256, _file
    folders: list[str]
    findings: list[Finding]
    waivers: list[dict[str, Any]]

    @property
    def n_articles(self) -> int:
        return len(self.folders)


@dataclass(frozen=True)
class Checked:
    """What a read already knows of the checks within each article, kept apart from the corpus
    (which is the project's data, not the state of a run).

    ``found``: folder -> what the ``check`` given to :func:`~articlepack.corpus.read_checked`
    found within its articles, run by a worker or cached from a read since which the folder did
    not change. ``stamp``: the read's identity in the cache, under which findings made now are
    saved (None when the run is uncached).
    """

    stamp: str | None = None
    found: dict[str, list[Finding]] = field(default_factory=dict)


#: What :func:`~articlepack.corpus.read` can run on each chunk of article folders its workers read.
Check = Callable[[Corpus], list[Finding]]
