"""The rows of the published tables, grouped by the article (or registry entry) they belong to,
read from the release's Parquet files a slice at a time.

A release may hold 100,000 articles, whose tables as Python dicts would take gigabytes, and
whose tables read whole would double what the build holds: each read takes only the rows of a
chunk of articles (or of registry entries) from a file, by the rows' statistics and a filter,
sorts them once by their group column (a stable sort, so rows keep their file order within a
group), and makes Python rows of one chunk of groups at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack.builder.site.model import Model
from articlepack.layers import ARTICLE

if TYPE_CHECKING:
    import pyarrow

Row = dict[str, Any]
CHUNK = 256  # groups made Python rows at a time
CHUNK_ROWS = 50_000  # rows made Python rows at a time, where a group's rows are many
BUCKET_ROWS = 1_000_000  # rows read at a time from a file, when they are grouped by value


class Grouped:
    """A table sorted by one column, with where each value's rows start and end."""

    def __init__(self, table: pyarrow.Table, column: str) -> None:
        import pyarrow.compute as pc

        self.table = table.take(pc.sort_indices(table, [(column, "ascending")]))
        runs = pc.run_end_encode(self.table.column(column).combine_chunks())
        ends = runs.run_ends.to_pylist()
        starts = [0, *ends[:-1]] if ends else []
        self.ranges = dict(
            zip(runs.values.to_pylist(), zip(starts, ends, strict=True), strict=True)
        )

    def rows(self, keys: Sequence[Any]) -> dict[Any, list[Row]]:
        """The rows of each of ``keys``, made Python rows in one slice."""
        found = [self.ranges[k] for k in keys if k in self.ranges]
        if not found:
            return {}
        low, high = min(s for s, _ in found), max(e for _, e in found)
        if high - low > 2 * sum(e - s for s, e in found) + CHUNK:  # keys far apart: one by one
            return {
                k: self.table.slice(*_span(self.ranges[k])).to_pylist()
                for k in keys
                if k in self.ranges
            }
        rows = self.table.slice(low, high - low).to_pylist()
        return {
            k: rows[self.ranges[k][0] - low : self.ranges[k][1] - low]
            for k in keys
            if k in self.ranges
        }


def _span(found: tuple[int, int]) -> tuple[int, int]:
    """A range of rows as the offset and length of a slice."""
    return found[0], found[1] - found[0]


def read(path: Path, column: str, keys: Sequence[Any], columns: list[str] | None = None) -> Grouped:
    """The rows of the file at ``path`` whose ``column`` is one of ``keys``, grouped by it.

    Only the row groups whose statistics admit a key are read: a table in article order holds
    a chunk of articles in a row group or two."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    wanted = pa.array(list(keys))
    low, high = pc.min_max(wanted).as_py().values() if keys else (None, None)
    leaf = next(i for i in range(file.metadata.num_columns) if file.schema.column(i).path == column)
    groups = []
    for g in range(file.metadata.num_row_groups):
        stats = file.metadata.row_group(g).column(leaf).statistics
        if (
            stats is None
            or not stats.has_min_max
            or (low is not None and stats.min <= high and stats.max >= low)
        ):
            groups.append(g)
    table = file.read_row_groups(groups, columns=columns)
    return Grouped(table.filter(pc.is_in(table.column(column), value_set=wanted)), column)


def by_article(
    files: Mapping[str, Path], model: Model, ids: Sequence[Any]
) -> Iterator[tuple[Row, dict[str, list[Row]]]]:
    """The document row of each of ``ids``, in that order, with the rows of every layer of its
    article."""
    key = model.schemas[model.document].primary_key[0]
    documents = read(files[model.document], key, ids)
    grouped = {name: read(files[name], ARTICLE, ids) for name in model.layers}
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset : offset + CHUNK]
        docs = documents.rows(chunk)
        layers = {name: g.rows(chunk) for name, g in grouped.items()}
        for ident in chunk:
            yield docs[ident][0], {name: found.get(ident, []) for name, found in layers.items()}


def by_value(
    path: Path, column: str, keys: list[Any], columns: list[str]
) -> Iterator[tuple[Any, list[Row]]]:
    """Each of ``keys`` with the rows of the file at ``path`` whose ``column`` it is (of those
    rows, ``columns``), a bucket of keys at a time: a bucket's rows, of at most about
    :data:`BUCKET_ROWS` where keys have their share, are all the file holds for them at once."""
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(path).metadata.num_rows
    per = max(CHUNK, len(keys) * BUCKET_ROWS // max(rows, 1))
    for offset in range(0, len(keys), per):
        bucket = keys[offset : offset + per]
        grouped = read(path, column, bucket, columns)
        for chunk in _runs(grouped, bucket):
            found = grouped.rows(chunk)
            for k in chunk:
                yield k, found.get(k, [])


def _runs(grouped: Grouped, keys: list[Any]) -> Iterator[list[Any]]:
    """``keys`` in runs of at most :data:`CHUNK` keys and about :data:`CHUNK_ROWS` rows (a key
    with more rows runs alone): an entry that a corpus names everywhere has rows enough."""
    run: list[Any] = []
    held = 0
    for k in keys:
        start, end = grouped.ranges.get(k, (0, 0))
        if run and (len(run) == CHUNK or held + end - start > CHUNK_ROWS):
            yield run
            run, held = [], 0
        run.append(k)
        held += end - start
    if run:
        yield run
