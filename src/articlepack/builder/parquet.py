"""Parquet files of a release: fixed writer settings, explicit schema, one file per table.

One file, never shards: frictionless 5.21 reads only the first file of a multipart Parquet
resource, so it would check part of a sharded table and find foreign keys missing. Row groups
of :data:`ROW_GROUP_ROWS` keep reading a large file in bounded memory, and writing it: the
writer holds a row group at a time. A table with a row per article holds whole texts (and
``documents`` every layer too), so its row groups are :data:`ARTICLE_GROUP_ROWS`: 100,000
such rows were 4.7 GiB held at once in a 100k-article build.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from articlepack.verify import sha256_file

if TYPE_CHECKING:
    import pyarrow
    import pyarrow.parquet

ROW_GROUP_ROWS = 100_000
ARTICLE_GROUP_ROWS = 1_000
WRITER = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
}


@dataclass(frozen=True)
class DataFile:
    """One file of a release, relative to the release folder."""

    path: str
    bytes: int
    sha256: str
    table: str | None = None
    rows: int = 0


def describe(root: Path, relative: str, table: str | None = None, rows: int = 0) -> DataFile:
    path = root / relative
    return DataFile(relative, path.stat().st_size, sha256_file(path), table, rows)


def write_table(
    root: Path, name: str, parts: Iterable[pyarrow.Table], group_rows: int = ROW_GROUP_ROWS
) -> DataFile:
    """Write ``data/<name>/train-00000-of-00001.parquet`` from the table's parts, in order (at
    least one, each with the table's schema), holding no more than a row group of them at once.

    Row groups hold ``group_rows`` rows however the table was cut into parts, so the file's
    bytes are the same whether it came whole or a chunk of articles at a time. An empty table
    keeps its schema.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    relative = f"data/{name}/train-00000-of-00001.parquet"
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    parts = iter(parts)
    first = next(parts)
    rows = 0
    # An empty table is written with no row group at all: datasets 5.2 sizes its read batches by
    # the first row group and fails on one of 0 rows.
    with pq.ParquetWriter(root / relative, first.schema, **WRITER) as writer:
        held = first.slice(0, 0)
        for part in itertools.chain([first], parts):
            rows += part.num_rows
            held = pa.concat_tables([held, part])
            while held.num_rows >= group_rows:
                _write_group(writer, held.slice(0, group_rows))
                held = held.slice(group_rows)
        if held.num_rows:
            _write_group(writer, held)
    return describe(root, relative, name, rows)


def _write_group(writer: pyarrow.parquet.ParquetWriter, rows: pyarrow.Table) -> None:
    """One row group, from contiguous columns: where the writer cuts its pages depends on where
    the table's chunks end, so a table that came in parts is first made one."""
    writer.write_table(rows.combine_chunks(), row_group_size=ROW_GROUP_ROWS)
