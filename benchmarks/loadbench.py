"""``articlepack.load`` against a raw read of the same Parquet files, in one process, paired.

    python benchmarks/loadbench.py RELEASE OUT.json [--repeat R] [--datasets [--datasets-rounds D]]
        [--tables T ...]

What is compared, for every table of the release (or those of ``--tables``):

- ``polars``: ``load(table, format="polars")`` against ``pl.read_parquet`` of the table's file;
- ``arrow``: ``load(table, format="arrow")`` against ``pyarrow.parquet.read_table`` of it;
- with ``--datasets``, ``datasets``: ``load(table)`` (``format="datasets"``, the default) into
  a fresh, empty ``datasets`` cache, so that its Arrow cache conversion is paid as on a first
  load, against the polars raw read; and again with that cache filled (a second load); ``D``
  rounds of the two, medians.

Both sides read the whole table from the same file, the one the release's record names. Each
side is read once unmeasured first (imports, page cache: warm for both), then the two alternate
``R`` times, the side that goes first swapping every round. Wall and CPU time (the process's,
all threads) are taken for every read; a ratio compares the sums over tables of each side's
median. The machine is shared: CPU ratios are the steadier ones. The first read of a release's
record in a process checks its shape, later ones only re-read and re-hash it (it is remembered by
its sha256): that one-off cost is reported apart, as ``first_record_s``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any


def _time(function: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds one call takes."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def _paired(load: Callable[[], Any], raw: Callable[[], Any], repeat: int) -> dict[str, float]:
    load(), raw()  # unmeasured: imports, page cache
    loads, raws = [], []
    for i in range(repeat):
        if i % 2:
            raws.append(_time(raw))
            loads.append(_time(load))
        else:
            loads.append(_time(load))
            raws.append(_time(raw))
    return {
        "load_s": statistics.median(t[0] for t in loads),
        "raw_s": statistics.median(t[0] for t in raws),
        "load_cpu_s": statistics.median(t[1] for t in loads),
        "raw_cpu_s": statistics.median(t[1] for t in raws),
    }


def _datasets(load: Callable[[], Any], repeat: int) -> dict[str, float]:
    """``format="datasets"``: first loads into a fresh cache each, then loads from a filled one."""
    import datasets

    datasets.disable_progress_bars()
    fresh, warm = [], []
    saved = datasets.config.HF_DATASETS_CACHE  # read by load_dataset at each call
    try:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as cache:
                datasets.config.HF_DATASETS_CACHE = Path(cache)
                fresh.append(_time(load))
                warm.append(_time(load))
    finally:
        datasets.config.HF_DATASETS_CACHE = saved
    return {
        "load_s": statistics.median(t[0] for t in fresh),
        "load_cpu_s": statistics.median(t[1] for t in fresh),
        "cached_s": statistics.median(t[0] for t in warm),
        "cached_cpu_s": statistics.median(t[1] for t in warm),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("release", type=Path, help="a release folder (articlepack build --out)")
    parser.add_argument("out", type=Path, help="where to write the results (JSON)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds per table and format")
    parser.add_argument("--datasets", action="store_true", help='also time format="datasets"')
    parser.add_argument("--datasets-rounds", type=int, default=3, help="its rounds per table")
    parser.add_argument("--tables", nargs="+", help="only these tables (default: all)")
    args = parser.parse_args(argv)

    import polars as pl
    import pyarrow.parquet as pq

    from articlepack.load import info, load
    from articlepack.record import read_record
    from articlepack.release_folder import ReleaseFolder

    release: Path = args.release
    first = _time(partial(info, release))  # the first read of the record in this process
    resources = read_record(ReleaseFolder(release)).resources
    tables = args.tables or list(resources)
    raw_reads = {"polars": pl.read_parquet, "arrow": pq.read_table}
    result: dict[str, Any] = {"tables": {}, "repeat": args.repeat, "first_record_s": first[0]}
    for table in tables:
        file = release / resources[table].path
        per: dict[str, Any] = {}
        for fmt, raw_read in raw_reads.items():
            as_fmt = partial(load, table, release=release, format=fmt)
            per[fmt] = _paired(as_fmt, partial(raw_read, file), args.repeat)
        if args.datasets:
            timed = _datasets(partial(load, table, release=release), args.datasets_rounds)
            per["datasets"] = {
                **timed,
                "raw_s": per["polars"]["raw_s"],
                "raw_cpu_s": per["polars"]["raw_cpu_s"],
            }
        result["tables"][table] = per
        print(table, json.dumps(per), file=sys.stderr)
    for fmt in ("polars", "arrow", "datasets"):
        rows = [t[fmt] for t in result["tables"].values() if fmt in t]
        if rows:
            sums = {key: sum(r[key] for r in rows) for key in rows[0]}
            sums["ratio"] = sums["load_s"] / sums["raw_s"]
            sums["cpu_ratio"] = sums["load_cpu_s"] / sums["raw_cpu_s"]
            if "cached_s" in sums:
                sums["cached_ratio"] = sums["cached_s"] / sums["raw_s"]
            result[fmt] = sums
            print(
                f"{fmt}: load {sums['load_s']:.3f} s vs raw {sums['raw_s']:.3f} s wall "
                f"({sums['ratio']:.2f}×), CPU {sums['cpu_ratio']:.2f}×",
                file=sys.stderr,
            )
    args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
