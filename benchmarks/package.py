"""The dataset package's budgets: fresh-venv size, first-load time, and the tool's install time.

    python benchmarks/package.py [--project .] [--editable-before REV]

- venv: a fresh ``python -m venv`` with only the dataset wheel and its runtime dependency
  (pyarrow), installed by pip from the package index; its apparent size in MiB (``du -sb``,
  the venv's own pip and setuptools included), target ≤ 200 MB.
- first load: a new process that imports the package and loads each table as Arrow (median of
  five runs, wall time of the whole process), target ≤ 1 s.
- editable install: ``pip install --no-deps -e .`` of articlepack into a fresh venv, wall time:
  what the build environment costs (the runtime dependencies are the same on both sides); with
  ``--editable-before REV`` also for the tree at git revision REV, whose build hook needed the
  pipeline's libraries inside pip's isolated build environment.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _du(path: Path) -> int:
    return int(
        subprocess.run(["du", "-sb", path], capture_output=True, text=True).stdout.split()[0]
    )


def _timed(command: list[str | Path], **kwargs: object) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start


def dataset_wheel(project: Path, work: Path) -> dict[str, object]:
    """Package the project, install its wheel alone into a fresh venv, and time the first load."""
    from articlepack.package import package

    wheel, _ = package(project, work / "dist")
    module = wheel.name.split("-")[0]
    env = work / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    install = _timed([python, "-m", "pip", "install", "-q", wheel])
    script = f"import {module} as d\nfor t in d.info().tables: d.load(t)\n"
    first = _timed([python, "-c", f"import {module} as d; d.load('{_first(wheel)}')"])
    loads = [
        _timed([python, "-c", f"import {module} as d; d.load('{_first(wheel)}')"]) for _ in range(5)
    ]
    every = _timed([python, "-c", script])
    return {
        "wheel": wheel.name,
        "wheel_bytes": wheel.stat().st_size,
        "venv_mib": round(_du(env) / 2**20, 1),  # apparent size, pip and setuptools included
        "pyarrow_mib": round(_du(next(env.glob("lib/python*/site-packages/pyarrow"))) / 2**20, 1),
        "install_s": round(install, 2),
        "first_load_cold_s": round(first, 3),
        "first_load_median_s": round(statistics.median(loads), 3),
        "every_table_s": round(every, 3),
    }


def _first(wheel: Path) -> str:
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        pin = next(n for n in archive.namelist() if n.endswith("/pin.json"))
        return next(iter(json.loads(archive.read(pin))["tables"]))


def editable_install(tree: Path, work: Path) -> float:
    """``pip install --no-deps -e TREE`` into a fresh venv (pip's build isolation), in seconds."""
    env = work / f"venv-{tree.name}"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    return round(_timed([python, "-m", "pip", "install", "-q", "--no-deps", "-e", tree]), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--editable-before", metavar="REV")
    parser.add_argument("--no-editable", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="articlepack-bench-") as tmp:
        work = Path(tmp)
        result: dict[str, object] = {"dataset_wheel": dataset_wheel(args.project, work)}
        if not args.no_editable:
            result["editable_install_s"] = editable_install(ROOT, work)
        if args.editable_before:
            before = work / "before"
            before.mkdir()
            archive = subprocess.run(
                ["git", "-C", ROOT, "archive", args.editable_before],
                check=True,
                capture_output=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", before], input=archive, check=True)
            result[f"editable_install_s@{args.editable_before}"] = editable_install(before, work)
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
