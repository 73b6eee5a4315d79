"""Benchmark articlepack against the parse floor, on synthetic corpora and the bundled one.

    python benchmarks/run.py [--sizes 1000 10000 100000] [--profile calibrated] [--quick]

Every measured step is a whole process (interpreter start-up and imports included, as a user
runs it), measured as a process tree by :mod:`measure` (wall, CPU over every process including
the fork-server workers, summed RSS and PSS). For each size N, on the synthetic project of
``synth.py`` (generated once, cached under ``benchmarks/work/``):

- ``floor-1``, ``floor-2``: read every raw.txt and article.yaml and parse each article.yaml with
  yaml-rs, in 1 and in 2 processes (:mod:`floor`): the least any validator must do;
- ``validate``: ``articlepack validate`` with an empty cache (cold); ``validate-warm``: again,
  nothing changed; ``validate-one-change``: again after one article.yaml changed;
- these five run in rounds (floor and validate alternate), and a target ratio is the median
  over rounds of each round's ratio;
- ``build``: ``articlepack build`` with an empty cache; ``load``: :mod:`loadbench`;
- ``frictionless``: ``frictionless validate`` on the release and a cold ``articlepack validate``
  of the project, alternating (``--frictionless-rounds``), the ratio per pair.

The bundled project (the repository) is validated whole-process, cold and warm, in rounds too.
Before each size (and the bundled project) the run waits, a minute at a time and up to
``--max-wait`` seconds, for the 1-minute load average to fall to ``--max-load``; before each
other step, up to ``--step-wait`` seconds. Every step records the load before and after.
Results go to ``OUT/results-<N>.json`` and ``OUT/bundled.json``; ``OUT/RESULTS.md`` (:mod:`report`)
shows the results of this commit's code only. With ``--snapshot``, every step runs a copy of
``src/articlepack`` taken at the start, so that edits made while the run lasts do not change
what is measured (nor make a warm run see other code and start over).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
STAMP = ".synth-stamp"
SNAPSHOT = WORK / "snapshot"  # a copy of src/ that --snapshot runs measure
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
import report  # noqa: E402


class Bench:
    """One benchmark run's settings, log and scratch folder."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="articlepack-bench-"))
        self.waited: list[float] = []

    def log(self, message: str) -> None:
        print(message, flush=True)

    def env(self, cache: str) -> dict[str, str]:
        """The environment of a step: its own articlepack, XDG and Hugging Face caches."""
        base = self.tmp / cache
        env = dict(os.environ)
        env.update(
            ARTICLEPACK_CACHE=str(base / "articlepack"),
            XDG_CACHE_HOME=str(base / "xdg"),
            HF_HOME=str(base / "hf"),
            HF_HUB_OFFLINE="1",
        )
        if self.args.snapshot:
            env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(SNAPSHOT), env.get("PYTHONPATH")])
            )
        return env

    def step(self, label: str, cmd: list[str], env: dict[str, str], **kw: Any) -> dict[str, Any]:
        """Run and measure one step, once the machine is quiet enough."""
        most = self.args.step_wait if self.waited else self.args.max_wait
        load, waited = measure.wait_quiet(self.args.max_load, most, self.log)
        self.waited.append(waited)
        log = self.tmp / f"{label}.log"
        m = measure.run(cmd, env=env, log=log, **kw)
        m["load_at_start"] = round(load, 2)
        if m["exit"] != 0 and not m.get("timed_out"):
            m["error"] = log.read_text(errors="replace")[-2000:]
        self.log(
            f"  {label:<22} wall {m['wall_s']:8.2f} s  cpu {m['cpu_s']:8.2f} s  "
            f"rss {m['tree_rss_mib']:7.0f} MiB  pss {m['tree_pss_mib']:7.0f} MiB  "
            f"load {m['loadavg'][0]:.2f}->{m['loadavg'][1]:.2f}  exit {m['exit']}"
        )
        m["log"] = str(log)
        return m


def articlepack_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "articlepack", *args]


def validate_step(bench: Bench, label: str, project: Path, env: dict[str, str]) -> dict[str, Any]:
    m = bench.step(label, articlepack_cmd("validate", str(project), "--format", "json"), env)
    try:
        summary = json.loads(Path(m["log"]).read_text())["summary"]
        m["errors"], m["warnings"] = summary["errors"], summary["warnings"]
        m["rows"] = {k: v for k, v in summary.items() if isinstance(v, int)}
    except (OSError, ValueError, KeyError):
        m["errors"] = None
    return m


def ensure_project(n: int, seed: int, profile: str, log: Callable[[str], None]) -> Path:
    """The cached synthetic project of ``n`` articles, generated if missing or outdated."""
    import synth

    project = WORK / f"synth-{n}-s{seed}-{profile}"
    stamp = f"synth {synth.fingerprint(seed, profile)} n={n} seed={seed} profile={profile}\n"
    if (project / STAMP).is_file() and (project / STAMP).read_text() == stamp:
        return project
    shutil.rmtree(project, ignore_errors=True)
    partial = WORK / f".partial-{project.name}"
    shutil.rmtree(partial, ignore_errors=True)
    t = time.perf_counter()
    synth.generate(partial, n, seed, profile=profile)
    log(f"[{n}] generated in {time.perf_counter() - t:.0f} s")
    (partial / STAMP).write_text(stamp)
    partial.rename(project)
    return project


def touch_one_article(project: Path) -> Callable[[], None]:
    """Rewrite one article.yaml with one tag changed; return what puts it back as it was (its
    bytes and mtime: a file changed just now would keep the next run from keeping its report)."""
    folders = sorted(e.name for e in os.scandir(project / "corpus" / "articles"))
    path = project / "corpus" / "articles" / folders[len(folders) // 2] / "article.yaml"
    original, times = path.read_bytes(), os.stat(path)
    lines = original.decode("utf-8").split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith("tags: ["))
    lines[i] = 'tags: ["Benchmark edit", ' + lines[i][len("tags: [") :]
    path.write_bytes("\n".join(lines).encode("utf-8"))

    def restore() -> None:
        path.write_bytes(original)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))

    return restore


def rounds_of(n: int, args: argparse.Namespace) -> int:
    return args.rounds if args.rounds else (3 if n <= 10_000 else 1)


def bench_size(bench: Bench, n: int) -> dict[str, Any]:
    args = bench.args
    project = ensure_project(n, args.seed, args.profile, bench.log)
    bench.waited.clear()  # the size's first step may wait longest
    steps: dict[str, list[dict[str, Any]]] = {}

    def add(name: str, m: dict[str, Any]) -> dict[str, Any]:
        steps.setdefault(name, []).append(m)
        return m

    floor = [sys.executable, str(HERE / "floor.py"), str(project), "--processes"]
    for r in range(rounds_of(n, args)):
        bench.log(f"[{n}] round {r + 1}")
        add("floor-1", bench.step("floor-1", [*floor, "1"], bench.env("floor")))
        add("floor-2", bench.step("floor-2", [*floor, "2"], bench.env("floor")))
        env = bench.env(f"validate-{n}-{r}")
        add("validate", validate_step(bench, "validate", project, env))
        add("validate-warm", validate_step(bench, "validate-warm", project, env))
        restore = touch_one_article(project)
        try:
            add("validate-one-change", validate_step(bench, "validate-one-change", project, env))
        finally:
            restore()
    release = None
    if "build" not in args.skip:
        out = bench.tmp / f"build-{n}"
        m = add(
            "build",
            bench.step(
                "build",
                articlepack_cmd("build", str(project), "--out", str(out)),
                bench.env(f"build-{n}"),
            ),
        )
        found = (
            [p for p in out.iterdir() if (p / "datapackage.json").is_file()] if out.is_dir() else []
        )
        release = found[0] if m["exit"] == 0 and found else None
    if release is not None and "load" not in args.skip:
        result = bench.tmp / f"load-{n}.json"
        cmd = [sys.executable, str(HERE / "loadbench.py"), str(release), str(result), "--datasets"]
        m = add("load", bench.step("load", cmd, bench.env(f"load-{n}")))
        if result.is_file():
            m["load"] = json.loads(result.read_text())
    if release is not None and "frictionless" not in args.skip and n <= args.frictionless_max:
        frictionless(bench, n, project, release, add)
    return {
        "articles": n,
        "profile": args.profile,
        "seed": args.seed,
        "corpus_bytes": sum(
            os.stat(os.path.join(d, f)).st_size
            for d, _, files in os.walk(project / "corpus")
            for f in files
        ),
        "steps": steps,
    }


def frictionless(
    bench: Bench, n: int, project: Path, release: Path, add: Callable[..., Any]
) -> None:
    """``frictionless validate`` of the release and a cold validate of the project, alternating."""
    binary = shutil.which("frictionless", path=str(Path(sys.executable).parent)) or shutil.which(
        "frictionless"
    )
    if not binary:
        bench.log(f"[{n}] frictionless is not installed: skipped")
        return
    for r in range(bench.args.frictionless_rounds):
        env = bench.env(f"paired-{n}-{r}")
        add("paired-validate", validate_step(bench, "paired-validate", project, env))
        m = bench.step(
            "frictionless",
            [binary, "validate", str(release / "datapackage.json")],
            bench.env("frictionless"),
            timeout=bench.args.frictionless_timeout,
        )
        add("frictionless", m)


def bench_bundled(bench: Bench) -> dict[str, Any]:
    """The repository's own project, validated cold and warm, in rounds."""
    steps: dict[str, list[dict[str, Any]]] = {}
    bench.waited.clear()
    for r in range(max(3, bench.args.rounds or 0)):
        env = bench.env(f"bundled-{r}")
        for name in ("validate", "validate-warm"):
            steps.setdefault(name, []).append(validate_step(bench, f"bundled {name}", ROOT, env))
    return {"articles": "bundled", "steps": steps}


def run(args: argparse.Namespace) -> int:
    bench = Bench(args)
    args.out.mkdir(parents=True, exist_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    lock = open(WORK / ".lock", "w")  # noqa: SIM115 - held until the process exits
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        bench.log("another benchmark run holds benchmarks/work/.lock; waiting for it")
        fcntl.flock(lock, fcntl.LOCK_EX)
    if args.snapshot:  # measure the code as it is now, whatever is edited while the run lasts
        shutil.rmtree(SNAPSHOT, ignore_errors=True)
        shutil.copytree(ROOT / "src" / "articlepack", SNAPSHOT / "articlepack")
        sys.path.insert(0, str(SNAPSHOT))
    meta = report.meta()
    bench.log(f"commit {meta['commit']} ({meta['tree']}), source {meta['source_sha256']}")
    check = measure.self_check()
    bench.log(
        f"self-check: tree CPU {check['cpu_s']} s (≥ {check['expected_cpu_s_at_least']}), tree RSS "
        f"{check['tree_rss_mib']} MiB (≥ {check['expected_rss_mib_at_least']}): "
        f"{'counts workers' if check['counts_workers'] else 'MISSES WORKERS'}"
    )
    failed = False
    results: list[dict[str, Any]] = []
    if not args.no_bundled:
        results.append(bench_bundled(bench))
    for n in args.sizes:
        results.append(bench_size(bench, n))
    density = report.densities(
        ROOT, ensure_project(min(args.sizes), args.seed, args.profile, bench.log)
    )
    for result in results:
        result.update(meta=meta, self_check=check, density=density)
        name = (
            "bundled.json"
            if result["articles"] == "bundled"
            else f"results-{result['articles']}.json"
        )
        (args.out / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        failed |= any(
            m["exit"] != 0 or m.get("errors") or m.get("warnings")
            for name, ms in result["steps"].items()
            if name != "frictionless"
            for m in ms
        )
    bench.log(f"wrote {report.write(args.out)}")
    if failed:
        bench.log(f"a step failed: its log is kept in {bench.tmp}")
    else:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--profile", default="calibrated", choices=["calibrated", "sparse"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="default benchmarks/results")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 200 articles, no waits")
    parser.add_argument(
        "--rounds", type=int, default=0, help="default 3 up to 10k articles, else 1"
    )
    parser.add_argument("--skip", nargs="+", default=[], choices=["build", "load", "frictionless"])
    parser.add_argument("--no-bundled", action="store_true", help="leave out the bundled project")
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="measure a copy of src/ taken at the start (for a tree others edit meanwhile)",
    )
    parser.add_argument("--max-load", type=float, default=1.0, help="wait for this 1-min load")
    parser.add_argument("--max-wait", type=float, default=1200.0, help="seconds, per size")
    parser.add_argument("--step-wait", type=float, default=180.0, help="seconds, per step")
    parser.add_argument("--frictionless-rounds", type=int, default=2)
    parser.add_argument("--frictionless-max", type=int, default=10_000, help="largest size for it")
    parser.add_argument("--frictionless-timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.max_wait, args.step_wait, args.rounds = [200], 0.0, 0.0, 1
        args.frictionless_rounds = 1
        args.out = args.out or WORK / "results-quick"
    args.out = args.out or HERE / "results"
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
