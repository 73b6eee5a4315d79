"""Where a validation's CPU goes, over its whole process tree (py-spy, workers included).

    python benchmarks/profile.py PROJECT [--warm] [--rate 50] [--raw OUT.txt]

Runs ``articlepack validate PROJECT`` under ``py-spy record --subprocesses --native`` (with an
empty cache, or with ``--warm`` after one unmeasured run) and prints the share of all samples in
each cost the issue names: yaml-rs parsing, the YAML guards, building Arrow arrays, raw.txt
reading and hashing, the checks, imports, the garbage collector, writing the cache, and the rest.
A sample counts for the cost of the frame nearest its stack's leaf that :data:`COSTS` names.
py-spy is a development tool, not a dependency: ``pip install py-spy``.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: (cost, substrings of a frame that put a sample in it); the frame nearest the leaf decides
COSTS = [
    ("garbage collector", ("gc_collect_main",)),
    ("imports", ("_find_and_load",)),
    ("yaml-rs parsing", ("yaml_rs/_lib.py",)),
    ("YAML guards (_yaml)", ("articlepack/_yaml.py",)),
    ("building Arrow arrays", ("arrow_flatten.py", "articlepack/flatten.py")),
    ("raw.txt reading and hashing", ("_read_raw (",)),
    ("article.yaml reading", ("_read_articles (", "read_chunk (")),
    ("checks", ("check_", "annotators.py", "waivers.py", "locate (", "check (articlepack")),
    ("writing and checking the cache", ("_spool (", "_cache.py", "_cachefiles.py")),
    ("finding what changed", ("_verdict.py", "signature (")),
    ("reading the project, merging tables", ("articlepack/corpus.py", "_workers.py")),
]


def _cost(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, keys in COSTS:
            if any(k in frame for k in keys):
                return name
    return "the rest"


def costs(raw: Path) -> tuple[int, collections.Counter[str]]:
    """Samples in all, and by cost, of a py-spy ``--format raw`` file."""
    total, by = 0, collections.Counter[str]()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        by[_cost(stack.split(";"))] += int(count)
    return total, by


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--warm", action="store_true")
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--raw", type=Path, default=None, help="keep py-spy's samples here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ARTICLEPACK_CACHE": tmp}
        validate = [sys.executable, "-m", "articlepack", "validate", str(args.project)]
        if args.warm:
            subprocess.run(validate, env=env, capture_output=True, check=False)
        raw = args.raw or Path(tmp) / "profile.txt"
        found = shutil.which("py-spy", path=str(Path(sys.executable).parent))
        spy = [found or "py-spy", "record", "--subprocesses", "--native", "-r", str(args.rate)]
        spy += ["--format", "raw", "-o", str(raw), "--", *validate]
        subprocess.run(spy, env=env, capture_output=True, check=True)
        total, by = costs(raw)
    print(f"{total} samples ({total / args.rate:.1f} s of CPU)")
    for name, n in by.most_common():
        print(f"{n / total:6.1%}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
