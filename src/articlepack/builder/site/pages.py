"""The article pages of a chunk of articles, as one worker process draws and writes them.

A chunk is a task: the worker reads the chunk's rows from the release's Parquet files itself
(:func:`.rows.by_article`), so that nothing but ids and file names goes to it, and it returns
the files it wrote, described, with what the index lists of each article. Every file is hashed
from the bytes it was written from, never read back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from articlepack._workers import paused_gc
from articlepack.builder.parquet import DataFile
from articlepack.builder.site.article_page import article_page
from articlepack.builder.site.markup import page_name
from articlepack.builder.site.model import Model, label, model
from articlepack.builder.site.rows import Row, by_article
from articlepack.builder.site.scope import Registry, Scope
from articlepack.schema import TableSchema

FOLDER = "review"
#: what the index lists of an article: id, title, dates, rows per layer
Listed = tuple[str, str, list[Any], dict[str, int]]


@dataclass
class Writer:
    """Writes the site's files under ``root/review/`` and describes each for the record."""

    root: Path
    written: list[DataFile] = field(default_factory=list)
    _folders: set[Path] = field(default_factory=set)

    def put(self, relative: str, text: str) -> None:
        path = self.root / FOLDER / relative
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        self.written.append(
            DataFile(f"{FOLDER}/{relative}", len(data), hashlib.sha256(data).hexdigest())
        )


@dataclass(frozen=True)
class Task:
    """The articles ``ids`` (in the document table's order) to draw, with the findings and
    waivers that concern them."""

    root: Path
    files: Mapping[str, Path]  # table -> its Parquet file
    schemas: Mapping[str, TableSchema]
    ids: Sequence[Any]
    found: Mapping[str, list[Any]]
    waived: Mapping[str, list[Any]]


def registry(files: Mapping[str, Path], scheme: Model) -> Registry:
    """The registry of the release, read whole (it is one row per entity, not per mention)."""
    if not scheme.registry:
        return Registry.of(scheme, [])
    path = files[scheme.registry]
    stat = path.stat()
    return Registry.of(scheme, _entries(path, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=1)
def _entries(path: Path, _mtime: int, _size: int) -> list[Row]:
    """The rows of the registry at ``path``, read once per worker (which draws many chunks of
    articles); a file written since is read again."""
    import pyarrow.parquet as pq

    rows: list[Row] = pq.read_table(path).to_pylist()
    return rows


def render(task: Task) -> tuple[list[DataFile], list[Listed]]:
    """Draw and write the page of each article of ``task``; return the files and the index's
    entries, in the task's order."""
    scheme = model(task.schemas)
    known = registry(task.files, scheme)
    document = task.schemas[scheme.document]
    key, title_of = document.primary_key[0], label(document) or document.primary_key[0]
    dates = [c for c in document.dates if c in document.columns]
    writer = Writer(task.root)
    listed: list[Listed] = []
    with paused_gc():  # rows and pages hold no cycles; the collector scanned them all, often
        for doc, rows in by_article(task.files, scheme, task.ids):
            ident = doc[key]
            found, waived = task.found.get(ident, []), task.waived.get(ident, [])
            page = article_page(Scope(scheme, known, rows), doc, found, waived)
            writer.put(f"{scheme.document}/{page_name(ident)}", page)
            counts = {name: len(r) for name, r in rows.items()}
            title = str(doc.get(title_of) or ident)
            listed.append((str(ident), title, [doc.get(c) for c in dates], counts))
    return writer.written, listed
