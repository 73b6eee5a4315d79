"""Benchmark ``--engine dask`` against the local engine, on a synthetic corpus.

    python benchmarks/engine.py --articles 10000 [--out benchmarks/results] [--max-load 1.0]

For validate and build: wall time and tree CPU with the local engine, and on Dask with 1 and with
2 worker processes. Each step is a whole process, measured by benchmarks/measure.py (perf's
task-clock over the process tree, so the Dask workers a step starts are counted). A Dask step
starts its own LocalCluster of K worker processes, then runs on it by address: ``cluster_s`` is
the cluster's start, ``run_s`` the command's work, ``driver_s`` the driver's serial part (listing
the folders and reading the small files, then the checks that span articles; for a build, also
streaming every table to its file and writing the card), ``driver_peak_mib`` the driver process's
peak resident memory. The same corpus with planted errors (benchmarks/plant.py) must give the
local engine's findings, and the release must be byte-identical.

    python benchmarks/engine.py --same-answers --project benchmarks/work/synth-100000-s0-calibrated

only compares the answers, local against Dask on 2 worker processes, on hard-linked copies of the
project under the temporary folder (the project is never changed): every 100th article gets two
annotators' own versions; with errors planted in article.yaml and annotators' files, once with
every id its folder's name and once with a duplicate id, the order-normalised ``--format json``
findings must be identical; the annotated copy's releases must have the same sha256 for every
file. Results: OUT/engine-same-<N>.json (each step's wall time and tree CPU too).

Also measured: the engine's per-task overhead (a no-op task's round trip) and a read task's cost
by chunk size (fixed part + per article), from which the chunk size is chosen; and a projection
of the wall time on N machines from the measured per-article cost and the driver's serial part
(a projection, not a measurement). Results: OUT/engine-<N>.json, and a summary on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
from plant import annotate, folders_of, linked_copy, plant  # noqa: E402

MIB = 2**20
CORES = os.cpu_count() or 1


def _cluster(workers: int) -> Any:
    import dask
    from distributed import LocalCluster

    from articlepack.engine.dask import LOCAL_CONFIG, LOOPBACK_HTTP

    with dask.config.set(LOCAL_CONFIG):  # as the cluster a command starts for itself
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs=LOOPBACK_HTTP,
        )


def inner(step: str, project: Path, workers: int, out: Path | None, chunk: int) -> dict[str, Any]:
    """One measured step, in its own process: ``workers`` 0 is the local engine."""
    from articlepack.builder import build
    from articlepack.engine import validate

    result: dict[str, Any] = {"cluster_s": 0.0}
    address = None
    started = time.perf_counter()
    cluster = _cluster(workers).__enter__() if workers else None
    if cluster is not None:
        address = cluster.scheduler_address
        result["cluster_s"] = time.perf_counter() - started
    engine = "dask" if workers else "local"
    t = time.perf_counter()
    if step == "validate":
        report = validate(project, engine, address=address, chunk=chunk)
        result["json"] = report.to_json()
        result["run_s"] = time.perf_counter() - t
    elif step == "driver":
        result["run_s"] = result["driver_s"] = driver_check_s(project)
    else:
        marks: dict[str, float] = {}
        peaks: dict[str, float] = {}

        def mark(name: str) -> None:
            marks.setdefault(name, time.perf_counter())
            peaks.setdefault(name, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

        release = build(
            project,
            out or project.parent / "dist",
            engine=engine,
            address=address,
            chunk=chunk,
            progress=mark,
        )
        # the driver's peak once every table is written (before the card, the site, the pictures)
        result["driver_peak_tables_mib"] = peaks["card"]
        result["run_s"] = time.perf_counter() - t
        result["release"] = str(release)
        result["write_s"] = time.perf_counter() - marks["validate"]
    result["driver_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if cluster is not None:
        cluster.__exit__(None, None, None)
    return result


def driver_check_s(project: Path) -> float:
    """The driver's own part of a validation on the engine: the project's small files, then the
    checks that span articles on its keys (the synthetic corpus is valid: no chunk found a
    thing, so the checks within articles are given as found empty)."""
    from articlepack._corpus import Checked
    from articlepack.checks import check
    from articlepack.corpus import read_checked, read_outline
    from articlepack.engine._split import keys

    t = time.perf_counter()
    outline = read_outline(project)
    took = time.perf_counter() - t
    whole, _ = read_checked(project, cache=False)  # not timed: what the chunks send, all at once
    tables = {n: keys(whole.schemas[n], t) for n, t in whole.tables.items()}
    corpus = replace(outline, tables=tables)
    t = time.perf_counter()
    check(corpus, Checked(None, {f: [] for f in outline.folders}))
    return took + time.perf_counter() - t


def overhead(project: Path) -> dict[str, Any]:
    """The engine's per-task overhead, and a read task's cost by chunk size, on a 1-worker
    cluster (in this process: these are the task's own times, not a command's)."""
    from distributed import Client

    from articlepack import shape
    from articlepack.corpus import read_outline
    from articlepack.engine import _split

    outline = read_outline(project)
    registry = {n: outline.tables[n] for n in shape.layout(outline.schemas).in_registry}
    plan = _split.Plan(outline.root, outline.schemas, registry)
    with _cluster(1) as cluster, Client(cluster) as client:
        client.submit(len, [1]).result()  # warm
        n = 200
        t = time.perf_counter()
        for future in [client.submit(_noop, i, pure=False) for i in range(n)]:
            future.result()
        noop_ms = (time.perf_counter() - t) / n * 1000
        sizes = {}
        for size in (10, 100, 500, 2000):
            folders = outline.folders[:size]
            client.submit(_split._read, plan, folders[:1], pure=False).result()  # warm imports
            t = time.perf_counter()
            chunk = client.submit(_split._read, plan, folders, pure=False)
            client.submit(_split._summarize, plan, chunk, pure=False).result()
            sizes[size] = time.perf_counter() - t
    (a, b) = _fit(sizes)
    return {
        "noop_task_ms": round(noop_ms, 2),
        "read_task_s_by_size": {k: round(v, 3) for k, v in sizes.items()},
        "read_task_fixed_s": round(a, 3),
        "read_task_per_article_ms": round(b * 1000, 3),
    }


def _noop(i: int) -> int:
    return i


def _fit(points: dict[int, float]) -> tuple[float, float]:
    """Least squares of seconds = a + b * articles."""
    xs, ys = list(points), list(points.values())
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return my - b * mx, b


def _digest(release: Path) -> dict[str, str]:
    return {
        str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(release.rglob("*"))
        if p.is_file()
    }


def _normalised(report_json: str) -> dict[str, Any]:
    body = json.loads(report_json)
    body["errors"] = sorted(body["errors"], key=lambda f: json.dumps(f, sort_keys=True))
    return body


Step = Callable[..., dict[str, Any]]


def _stepper(args: argparse.Namespace, tmp: Path, results: dict[str, Any]) -> Step:
    """What runs one measured step (``inner`` in a process of its own) and records it."""

    def step(label: str, *cmd: str, on: Path) -> dict[str, Any]:
        load, _ = measure.wait_quiet(args.max_load, args.max_wait, print)
        log = tmp / f"{label}.log"
        env = {**os.environ, "ARTICLEPACK_CACHE": str(tmp / label / "cache")}
        m = measure.run([sys.executable, __file__, "--inner", *cmd, str(on)], env=env, log=log)
        lines = log.read_text(errors="replace").strip().splitlines()
        if m["exit"] != 0 or not lines:
            raise SystemExit(f"{label} failed:\n" + "\n".join(lines[-30:]))
        m.update(json.loads(lines[-1]), load_at_start=round(load, 2))
        print(
            f"  {label:<34} wall {m['wall_s']:7.2f} s  cpu {m['cpu_s']:7.2f} s  "
            f"run {m['run_s']:7.2f} s  cluster {m['cluster_s']:5.2f} s  "
            f"driver peak {m['driver_peak_mib']:6.0f} MiB  load {load:.2f}",
            flush=True,
        )
        results["steps"][label] = {k: v for k, v in m.items() if k != "json"}
        return m

    return step


def _project(args: argparse.Namespace) -> Path:
    if args.project is not None:
        return Path(args.project).resolve()
    import run as bench_run

    return bench_run.ensure_project(args.articles, 0, "calibrated", print)


def outer(args: argparse.Namespace) -> int:
    project = _project(args)
    tmp = Path(tempfile.mkdtemp(prefix="articlepack-engine-bench-"))
    n = len(folders_of(project))
    results: dict[str, Any] = {"articles": n, "cores": CORES, "chunk": args.chunk, "steps": {}}
    step = _stepper(args, tmp, results)
    if args.same_answers:
        return same_answers(args, project, tmp, step, results)
    chunk = str(args.chunk)
    answers = {}
    for workers in (0, 1, 2):
        name = "local" if not workers else f"dask-{workers}w"
        answers[name] = step(f"validate-{name}", "validate", str(workers), chunk, on=project)
    driver = step("driver-alone", "driver", "0", chunk, on=project)["driver_s"]
    for name in ("validate-dask-1w", "validate-dask-2w"):
        results["steps"][name]["driver_s"] = driver
    results["same_findings_valid"] = (
        len({json.dumps(_normalised(a["json"]), sort_keys=True) for a in answers.values()}) == 1
    )
    if args.validate_only:
        return _finish(args, results, tmp, project)
    releases = {}
    for workers in (0, 2, 1):
        name = "local" if not workers else f"dask-{workers}w"
        out = str(tmp / f"dist-{name}")
        releases[name] = step(
            f"build-{name}", "build", str(workers), chunk, "--into", out, on=project
        )
    for name in ("build-dask-1w", "build-dask-2w"):
        results["steps"][name]["driver_s"] = driver + results["steps"][name]["write_s"]
    digests = [_digest(Path(m["release"])) for m in releases.values()]
    results["byte_identical_release"] = all(d == digests[0] for d in digests)

    planted = linked_copy(project, tmp / "planted")
    plant(planted, duplicate=True, annotated=annotate(planted, args.annotate_every))
    local = step("planted-validate-local", "validate", "0", chunk, on=planted)["json"]
    on_dask = step("planted-validate-dask-2w", "validate", "2", chunk, on=planted)["json"]
    results["same_findings_planted"] = _normalised(local) == _normalised(on_dask)
    results["planted_errors"] = json.loads(local)["summary"]["errors"]
    return _finish(args, results, tmp, project)


def same_answers(
    args: argparse.Namespace, project: Path, tmp: Path, step: Step, results: dict[str, Any]
) -> int:
    """The issue's "same answers", local against Dask on 2 worker processes, on copies of
    ``project`` (hard-linked, under ``tmp``; the project itself is never changed):

    - every ``--annotate-every``-th article gets two annotators' own versions (valid);
    - that copy with errors planted (:func:`plant`), once with every id its folder's name (each
      chunk checked by its task) and once with a duplicate id (the driver checks the whole
      corpus): the order-normalised ``--format json`` findings must be identical;
    - the valid annotated copy built on both engines: every file of the two releases must have
      the same sha256.
    """
    chunk = str(args.chunk)
    annotated = linked_copy(project, tmp / "annotated")
    chosen = annotate(annotated, args.annotate_every)
    results["annotated_articles"] = len(chosen)
    planted = () if args.builds_only else (("planted", False), ("planted-duplicate", True))
    for label, duplicate in planted:
        copy = linked_copy(annotated, tmp / label)
        results[f"{label}_where"] = plant(copy, duplicate=duplicate, annotated=chosen)
        local = step(f"{label}-validate-local", "validate", "0", chunk, on=copy)["json"]
        on_dask = step(f"{label}-validate-dask-2w", "validate", "2", chunk, on=copy)["json"]
        results[f"same_findings_{label}"] = _normalised(local) == _normalised(on_dask)
        results[f"{label}_findings"] = dict(
            sorted(Counter(f["code"] for f in json.loads(local)["errors"]).items())
        )
        shutil.rmtree(copy)
    digests: list[dict[str, str]] = []
    for name, workers in () if args.validate_only else (("local", "0"), ("dask-2w", "2")):
        out = str(tmp / f"dist-{name}")
        built = step(
            f"build-annotated-{name}", "build", workers, chunk, "--into", out, on=annotated
        )
        digests.append(_digest(Path(built["release"])))
    if digests:
        results["release_files"] = len(digests[0])
        results["byte_identical_release"] = digests[0] == digests[1]
    print(json.dumps({k: v for k, v in results.items() if k != "steps"}, indent=2))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"engine-same-{results['articles']}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    shutil.rmtree(tmp, ignore_errors=True)
    same = [v for k, v in results.items() if k.startswith(("same_", "byte_"))]
    return 0 if all(same) else 1


def _finish(args: argparse.Namespace, results: dict[str, Any], tmp: Path, project: Path) -> int:
    measure.wait_quiet(args.max_load, args.max_wait, print)
    results["overhead"] = overhead(project)
    results["projection"] = _projection(results)
    print(json.dumps({k: v for k, v in results.items() if k != "steps"}, indent=2))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"engine-{results['articles']}.json").write_text(
        json.dumps(results, indent=2) + "\n"
    )
    shutil.rmtree(tmp, ignore_errors=True)
    same = [v for k, v in results.items() if k.startswith(("same_", "byte_"))]
    return 0 if all(same) else 1


def _projection(results: dict[str, Any]) -> dict[str, Any]:
    """Wall time on N machines of this machine's kind (CORES worker processes each), projected
    from the measured parallel work (tree CPU of the 1-worker run less the driver's part) and the
    driver's serial part: T(N) = cluster start + driver + work / (N * CORES). A projection."""
    out = {}
    for kind in ("validate", "build"):
        if f"{kind}-dask-1w" not in results["steps"]:
            continue
        one = results["steps"][f"{kind}-dask-1w"]
        driver = one["driver_s"]
        work = max(0.0, one["run_s"] - driver)  # one worker: its tasks run one after another
        per_article_ms = work / results["articles"] * 1000
        out[kind] = {
            "driver_serial_s": round(driver, 2),
            "work_s_on_one_worker": round(work, 2),
            "per_article_ms": round(per_article_ms, 3),
            "projected_wall_s": {
                f"{machines} machines": round(driver + work / (machines * CORES), 1)
                for machines in (1, 4, 16, 64)
            },
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=0, help="folders per task (0: the default)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--max-load", type=float, default=1.0)
    parser.add_argument("--max-wait", type=float, default=3600)
    parser.add_argument("--validate-only", action="store_true", help="no builds")
    parser.add_argument(
        "--builds-only", action="store_true", help="with --same-answers: only the builds"
    )
    parser.add_argument(
        "--same-answers",
        action="store_true",
        help="only compare local and Dask (2 workers): findings with planted errors, and the "
        "release byte for byte, on copies of the project",
    )
    parser.add_argument(
        "--project", type=Path, help="the synthetic project (default: generated for --articles)"
    )
    parser.add_argument(
        "--annotate-every", type=int, default=100, help="annotators' files for every k-th article"
    )
    parser.add_argument("--inner", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--into", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.inner:
        step, workers, chunk = args.inner[:3]
        project = Path([*args.inner[3:], *rest][-1])
        result = inner(step, project, int(workers), args.into, int(chunk))
        print(json.dumps(result))
        return 0
    return outer(args)


if __name__ == "__main__":
    sys.exit(main())
