"""Parquet files of a release: fixed writer settings, explicit schema, one file per table.

One file, never shards: frictionless 5.21 reads only the first file of a multipart Parquet
resource, so it would check part of a sharded table and find foreign keys missing. Row groups
of :data:`ROW_GROUP_ROWS` keep reading a large file in bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from articlepack.verify import sha256_file

if TYPE_CHECKING:
    import pyarrow

ROW_GROUP_ROWS = 100_000
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


def write_table(root: Path, name: str, table: pyarrow.Table) -> DataFile:
    """Write ``data/<name>/train-00000-of-00001.parquet``; an empty table keeps its schema."""
    import pyarrow.parquet as pq

    relative = f"data/{name}/train-00000-of-00001.parquet"
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    # An empty table is written with no row group at all: datasets 5.2 sizes its read batches by
    # the first row group and fails on one of 0 rows.
    with pq.ParquetWriter(root / relative, table.schema, **WRITER) as writer:
        if table.num_rows:
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    return describe(root, relative, name, table.num_rows)
