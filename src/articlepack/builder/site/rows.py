"""The rows of the published tables, grouped by the article (or registry entry) they belong to.

A release may hold 100,000 articles, whose tables as Python dicts would take gigabytes: each table
is sorted once by its group column (a stable sort, so rows keep their table order within a
group), and only one chunk of groups at a time becomes Python rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from articlepack.builder.site.model import Model
from articlepack.layers import ARTICLE

if TYPE_CHECKING:
    import pyarrow

Row = dict[str, Any]
CHUNK = 256  # groups made Python rows at a time


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

    def rows(self, keys: list[Any]) -> dict[Any, list[Row]]:
        """The rows of each of ``keys``, made Python rows in one slice."""
        found = [self.ranges[k] for k in keys if k in self.ranges]
        if not found:
            return {}
        low, high = min(s for s, _ in found), max(e for _, e in found)
        rows = self.table.slice(low, high - low).to_pylist()
        return {
            k: rows[self.ranges[k][0] - low : self.ranges[k][1] - low]
            for k in keys
            if k in self.ranges
        }


def by_article(
    tables: Mapping[str, pyarrow.Table], model: Model
) -> Iterator[tuple[Row, dict[str, list[Row]]]]:
    """Each document row, in table order, with the rows of every layer of its article."""
    document = tables[model.document]
    key = model.schemas[model.document].primary_key[0]
    grouped = {name: Grouped(tables[name], ARTICLE) for name in model.layers}
    for offset in range(0, document.num_rows, CHUNK):
        chunk = document.slice(offset, CHUNK).to_pylist()
        ids = [row[key] for row in chunk]
        layers = {name: g.rows(ids) for name, g in grouped.items()}
        for row in chunk:
            yield row, {name: found.get(row[key], []) for name, found in layers.items()}


def by_value(grouped: Grouped, keys: list[Any]) -> Iterator[tuple[Any, list[Row]]]:
    """Each of ``keys`` with its rows, a chunk of keys at a time."""
    for offset in range(0, len(keys), CHUNK):
        chunk = keys[offset : offset + CHUNK]
        found = grouped.rows(chunk)
        for k in chunk:
            yield k, found.get(k, [])
