"""Once, a million articles: validate, cold then warm, against the 2-process floor.

    python benchmarks/million.py [--articles 1000000] [--out benchmarks/results]

The synthetic project (``synth.py``, calibrated, cached under ``benchmarks/work/`` as ``run.py``
caches it) is validated as ``run.py`` validates each size: whole processes, measured as process
trees (:mod:`measure`), each started once the 1-minute load is at most ``--max-load``. The
floor (:mod:`floor`, 2 processes) runs after them in the same sitting (unless ``--no-floor``).
Disk use is the corpus's and the reader's cache's, by ``du``. Results: OUT/million-<N>.json.

The build is not run: at 100k a release is 4.6 GB (3.9 GB of it the review site), so at 1M the
corpus (24 GB), the reader's cache (24 GB) and the release (about 46 GB) need more disk than
this machine has free.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402
import run  # noqa: E402


def du(path: Path) -> int:
    """Bytes of the files under ``path`` (``du -sb``: apparent sizes)."""
    done = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--max-load", type=float, default=1.0)
    parser.add_argument("--max-wait", type=float, default=1800.0)
    parser.add_argument("--no-floor", action="store_true", help="validate only")
    args = parser.parse_args(argv)
    bench = run.Bench(
        argparse.Namespace(
            max_load=args.max_load, max_wait=args.max_wait, step_wait=600.0, snapshot=False
        )
    )
    project = run.ensure_project(args.articles, 0, "calibrated", bench.log)
    env = bench.env("validate")
    steps = {  # validation first: the floor is what a shorter sitting leaves out
        "validate": run.validate_step(bench, "validate", project, env),
        "validate-warm": run.validate_step(bench, "validate-warm", project, env),
    }
    if not args.no_floor:
        steps["floor-2"] = bench.step(
            "floor-2",
            [sys.executable, str(HERE / "floor.py"), str(project), "--processes", "2"],
            bench.env("floor"),
        )
    result = {
        "articles": args.articles,
        "meta": report.meta(),
        "corpus_disk_bytes": du(project / "corpus"),
        "cache_disk_bytes": du(Path(env["ARTICLEPACK_CACHE"])),
        "steps": steps,
    }
    if "floor-2" in steps:
        floor, cold = steps["floor-2"], steps["validate"]
        result["cold_over_floor"] = {
            "wall": round(cold["wall_s"] / floor["wall_s"], 2),
            "cpu": round(cold["cpu_s"] / floor["cpu_s"], 2),
        }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"million-{args.articles}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    bench.log(json.dumps({k: v for k, v in result.items() if k != "steps"}, indent=2))
    shutil.rmtree(bench.tmp, ignore_errors=True)
    failed = any(m["exit"] != 0 or m.get("errors") for m in steps.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
