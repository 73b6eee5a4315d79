"""The local engine's published tables for a build, a chunk of articles at a time.

A table published whole holds every row's texts at once (about 6 GiB of a 100k-article build),
so the corpus read on this machine is published :data:`CHUNK` articles at a time, as a
distributed engine's tasks publish theirs (:func:`articlepack.builder.tables.publish_articles`),
and each chunk's tables are spooled to Arrow IPC files in a temporary folder beside the reader's
cache: never in the release, and removed with the run (one a killed run left is removed a day
later, as the reader's own spools are). A build then streams each table from them part after
part. Once published, the corpus's rows are let go: the build keeps only a copy of their keys,
as a distributed engine's driver does (:func:`articlepack.engine._split.keys`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from articlepack._corpus import Corpus
from articlepack.schema import article_tables, table_of

if TYPE_CHECKING:
    import polars as pl
    import pyarrow

#: Articles published at a time: a chunk's published rows are about 0.1 MB an article.
CHUNK = 2_000


class Spool:
    """A valid corpus's published tables, spooled on first use into ``folder``: :meth:`parts`
    gives a table's parts in article order; :attr:`corpus` is the corpus with only its keys."""

    def __init__(self, corpus: Corpus, folder: Path) -> None:
        from articlepack.engine._split import keys

        self._whole: Corpus | None = corpus
        self.folder = folder
        self.articles = article_tables(corpus.schemas)
        tables = {n: _own(keys(corpus.schemas[n], t)) for n, t in corpus.tables.items()}
        self.corpus = replace(corpus, tables=tables, raw=corpus.raw.clear())
        self.chunks = 0
        self._first: dict[str, pyarrow.Table] = {}

    def parts(self, name: str) -> Iterator[pyarrow.Table]:
        """Table ``name`` published, in article order: the registry's rows first (the article
        tables' first part is empty), then each chunk's, read from its file."""
        if self._whole is not None:
            self._write(self._whole)
            self._whole = None
        yield self._first[name]
        for i in range(self.chunks if name in self.articles else 0):
            yield _read_arrow(self.folder / f"{i}-{name}.arrow")

    def _write(self, corpus: Corpus) -> None:
        import polars as pl

        from articlepack.builder.tables import publish, publish_articles

        empty = {n: corpus.tables[n].clear() for n in self.articles}
        self._first = publish(
            replace(corpus, tables={**corpus.tables, **empty}, raw=corpus.raw.clear())
        )
        # a row's chunk, from its article's place in article order (which publish sorts by)
        document = table_of(corpus.schemas, "document")
        ids = sorted(corpus.tables[document or ""].get_column("id").to_list())
        place = {article: i // CHUNK for i, article in enumerate(ids)}

        def chunk_of(table: pl.DataFrame, key: str) -> pl.Series:
            return table.get_column(key).replace_strict(place, return_dtype=pl.UInt32)

        rows = {
            n: chunk_of(corpus.tables[n], "id" if n == document else "article_id")
            for n in self.articles
        }
        raw_chunk = chunk_of(corpus.raw, "article_id")
        for i in range(-(-len(ids) // CHUNK)):
            tables = {n: corpus.tables[n].filter(rows[n] == i) for n in self.articles}
            raw = corpus.raw.filter(raw_chunk == i)
            published = publish_articles(replace(corpus, tables=tables, raw=raw))
            for name, table in published.items():
                _write_arrow(self.folder / f"{i}-{name}.arrow", table)
            self.chunks = i + 1


@contextmanager
def spooled(corpus: Corpus) -> Iterator[Spool]:
    """A :class:`Spool` of a valid ``corpus`` in a temporary folder beside the project's cache
    (on the disk, unlike a temporary folder that may be in memory), removed on exit."""
    from articlepack._cache import Store

    with Store(corpus.root).spool() as folder:
        yield Spool(corpus, Path(folder))


def _own(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` copied into memory of its own. The reader maps its tables from files, and a
    column still used keeps its whole file mapped, with every page a build read of it resident
    (3.6 GiB through a 100k build's review site, for 0.3 GiB of keys)."""
    import polars as pl

    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    buffer.seek(0)
    return pl.read_ipc(buffer)


def _write_arrow(path: Path, table: pyarrow.Table) -> None:
    import pyarrow as pa

    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_arrow(path: Path) -> pyarrow.Table:
    """A part from a file this run just wrote, read rather than mapped: what a build keeps of a
    part (:func:`articlepack.builder.views.view`) must not keep the whole file resident."""
    import pyarrow as pa

    with pa.OSFile(str(path)) as source:
        return pa.ipc.open_file(source).read_all()
