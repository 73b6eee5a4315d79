"""Parquet files of a release: fixed writer settings, explicit schema, shards by size."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from articlepack.verify import sha256_file

if TYPE_CHECKING:
    import pyarrow

MAX_SHARD_BYTES = 256 * 1024 * 1024  # in-memory Arrow bytes per shard
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


def write_table(root: Path, name: str, table: pyarrow.Table) -> list[DataFile]:
    """Write ``data/<name>/train-XXXXX-of-YYYYY.parquet`` shards; an empty table keeps its schema."""
    import pyarrow.parquet as pq

    shards = max(1, math.ceil(table.nbytes / MAX_SHARD_BYTES))
    per_shard = max(1, math.ceil(table.num_rows / shards))
    folder = root / "data" / name
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(shards):
        part = table.slice(i * per_shard, per_shard)
        relative = f"data/{name}/train-{i:05d}-of-{shards:05d}.parquet"
        # An empty table is written with no row group at all: datasets 5.2 sizes its read batches
        # by the first row group and fails on one of 0 rows.
        with pq.ParquetWriter(root / relative, table.schema, **WRITER) as writer:
            if part.num_rows:
                writer.write_table(part, row_group_size=ROW_GROUP_ROWS)
        out.append(describe(root, relative, name, part.num_rows))
    return out
