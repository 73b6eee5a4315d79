"""``articlepack.load`` against a raw read of the same Parquet files, in one process, paired.

    python benchmarks/loadbench.py RELEASE OUT.json [--repeat R] [--datasets]

For each table and format, the two reads alternate ``R`` times (load, raw read, load, …) after
one unmeasured read of each (imports, page cache): polars (``pl.read_parquet``) and arrow
(``pyarrow.parquet.read_table``). The ratio compares the sums over all tables of each read's
median time. With ``--datasets``, ``format="datasets"`` is timed too (its Arrow cache conversion
happens on each first load into a fresh cache; measured once per table) against a polars read.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _time(function: Any) -> float:
    t = time.perf_counter()
    function()
    return time.perf_counter() - t


def main(argv: list[str]) -> int:
    import polars as pl
    import pyarrow.parquet as pq

    import articlepack

    release, out = Path(argv[0]), Path(argv[1])
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    info = articlepack.info(release=release)
    result: dict[str, Any] = {"tables": {}, "repeat": repeat}
    raw_reads = {"polars": pl.read_parquet, "arrow": pq.read_table}
    for table in info.tables:
        files = sorted((release / "data" / table).glob("*.parquet"))
        per: dict[str, Any] = {}
        for fmt, raw_read in raw_reads.items():

            def load(fmt: str = fmt, table: str = table) -> Any:
                return articlepack.load(table, release=release, format=fmt)  # type: ignore[call-overload]

            def raw(raw_read: Any = raw_read, files: list[Path] = files) -> Any:
                return [raw_read(f) for f in files]

            load(), raw()  # warm: imports, page cache
            pairs = [(_time(load), _time(raw)) for _ in range(repeat)]
            per[fmt] = {
                "load_s": statistics.median(p[0] for p in pairs),
                "raw_s": statistics.median(p[1] for p in pairs),
            }
        if "--datasets" in argv:
            with tempfile.TemporaryDirectory() as cache:
                import os

                os.environ["HF_DATASETS_CACHE"] = cache
                seconds = _time(lambda table=table: articlepack.load(table, release=release))
            per["datasets"] = {"load_s": seconds, "raw_s": per["polars"]["raw_s"]}
        result["tables"][table] = per
    for fmt in ("polars", "arrow", "datasets"):
        rows = [t[fmt] for t in result["tables"].values() if fmt in t]
        if rows:
            load_s, raw_s = sum(r["load_s"] for r in rows), sum(r["raw_s"] for r in rows)
            result[fmt] = {"load_s": load_s, "raw_s": raw_s, "ratio": load_s / raw_s}
    out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
