"""Benchmark articlepack on synthetic corpora: parse, validate, re-validate, build, load, frictionless.

    python benchmarks/run.py [--sizes 1000 10000 100000] [--out benchmarks/results] [--quick]

For each size N the synthetic project (``benchmarks/synth.py``, seed 0) is generated once and cached
under ``benchmarks/work/`` (git-ignored). Every measured step runs in a fresh Python process, so
each timing includes interpreter start-up and imports, as a user running the command would see
it. For each step the report gives:

- ``wall_s``: wall time of the whole process (what targets are checked against);
- ``inner_s``: time of the operation itself, measured inside the process (without start-up);
- ``peak_rss_mib``: the largest resident set of any single process of the step (``wait4``
  rusage, which covers the worker processes the step spawned and reaped);
- ``peak_tree_rss_mib``: the largest *sum* of resident sets over the step's process tree,
  sampled every 20 ms from /proc (what the machine must actually hold; checked against 4 GiB);
- throughput in articles/s and annotation rows/s (segments + mentions + events +
  event_arguments + quotes) over ``wall_s``.

Steps: ``parse`` (``articlepack.corpus.read``, with its cache off where ``read`` has a ``cache``
switch, and without the per-article checks its workers can run where it has a ``checks``
switch), ``validate`` (the ``articlepack validate`` command, run in the step's process, with an
empty validation cache: a cold run),
``revalidate-unchanged`` (again, same cache, nothing changed), ``revalidate-one-change`` (one
article.yaml rewritten with one changed tag, hence a new mtime and hash; same cache), ``build``
(cold cache, as in CI) and ``load`` (only when ``articlepack.build`` / ``articlepack.load`` exist)
and ``frictionless`` (``frictionless validate`` on the built ``datapackage.json``). Each step gets
its own ``ARTICLEPACK_CACHE``/``XDG_CACHE_HOME``/``HF_HOME`` under a temporary folder, so no cache
from an earlier run (or from your home folder) leaks into a measurement. Results go to
``OUT/results-<N>.json``; ``OUT/RESULTS.md`` summarises every ``results-*.json`` in OUT and
marks each target met or missed. Runs take a lock (``benchmarks/work/.lock``): two benchmark
runs at once would share the cached projects and spoil each other's timings.

The OS page cache is warm (the corpus was just generated or read); the numbers are for a warm
start, which is the common case for a developer or CI re-running validation.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
STAMP = ".synth-stamp"
ANNOTATION_TABLES = ("segments", "mentions", "events", "event_arguments", "quotes")
TABLES = ("articles", "segments", "entities", "mentions", "events", "event_arguments", "quotes")
GIB = 1024**3

#: id, description, sizes it applies to (None: every size), how to compute (value, limit, met)
TARGETS: list[dict[str, Any]] = [
    {
        "id": "validate-10k",
        "text": "full validate ≤ 10 s at 10,000 articles",
        "sizes": [10_000],
        "metric": ("validate", "wall_s"),
        "limit": 10.0,
        "unit": "s",
    },
    {
        "id": "revalidate",
        "text": "re-validate after one change ≤ 2 s at 10,000 articles",
        "sizes": [10_000],
        "metric": ("revalidate-one-change", "wall_s"),
        "limit": 2.0,
        "unit": "s",
    },
    {
        "id": "validate-100k",
        "text": "full validate ≤ 90 s at 100,000 articles",
        "sizes": [100_000],
        "metric": ("validate", "wall_s"),
        "limit": 90.0,
        "unit": "s",
    },
    {
        "id": "rss-100k",
        "text": "peak RSS (process tree) of validate ≤ 4 GiB at 100,000 articles",
        "sizes": [100_000],
        "metric": ("validate", "peak_tree_rss_mib"),
        "limit": 4096.0,
        "unit": "MiB",
    },
    {
        "id": "build-100k",
        "text": "build ≤ 180 s at 100,000 articles",
        "sizes": [100_000],
        "metric": ("build", "wall_s"),
        "limit": 180.0,
        "unit": "s",
    },
    {
        "id": "validate-vs-parse",
        "text": "validation ≤ 2× parsing (in-process times)",
        "sizes": None,
        "metric": "validate_over_parse",
        "limit": 2.0,
        "unit": "×",
    },
    {
        "id": "vs-frictionless",
        "text": "validate ≥ 20× faster than `frictionless validate`",
        "sizes": None,
        "metric": "frictionless_speedup",
        "limit": 20.0,
        "unit": "×",
        "at_least": True,
    },
]


# -- the child side: one measured step in a fresh process ----------------------------------------


def _child(step: str, project: str, extra: list[str]) -> dict[str, Any]:
    t_start = time.perf_counter()
    import articlepack

    out: dict[str, Any] = {"import_s": time.perf_counter() - t_start}
    t = time.perf_counter()
    if step == "parse":
        import inspect

        from articlepack.corpus import read

        parameters = inspect.signature(read).parameters
        uncached = "cache" in parameters
        options = {"cache": False} if uncached else {}
        if "checks" in parameters:  # parsing only: not the checks workers can run as they read
            options["checks"] = False
        corpus = read(project, **options)
        out["cache_disabled"] = uncached
        out["rows"] = {name: table.height for name, table in corpus.tables.items()}
        out["articles"] = corpus.n_articles
        out["findings"] = len(corpus.findings)
    elif step == "validate":  # the command itself, `articlepack validate PROJECT --format json`
        import contextlib
        import io

        from articlepack.cli import main

        sys.argv = ["articlepack", "validate", project, "--format", "json"]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            try:
                main()
            except SystemExit as exc:
                out["exit_code"] = exc.code
        report = json.loads(printed.getvalue())
        summary = report["summary"]
        out["rows"] = {k: v for k, v in summary.items() if k in TABLES}
        out["articles"] = summary.get("articles")
        out["errors"], out["warnings"] = summary["errors"], summary["warnings"]
        out["first_findings"] = [
            f"{f['code']} {f['file']}:{f['line']} {f['message']}" for f in report["errors"][:5]
        ]
    elif step == "build":
        release = articlepack.build(project, extra[0])
        out["release"] = str(release)
    elif step == "load":
        release = extra[0]
        rows = {}
        for table in TABLES:
            data = articlepack.load(table, release=release)
            rows[table] = len(data)
        out["rows"] = rows
    else:
        raise SystemExit(f"unknown step {step}")
    out["inner_s"] = time.perf_counter() - t
    return out


# -- the parent side -----------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (via /proc/<pid>/task/<tid>/children)."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss(pid: int) -> int:
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    log: Path | None = None,
) -> dict[str, Any]:
    """Run ``cmd`` in a fresh process group; wall time, exit code, max RSS (wait4), tree RSS peak."""
    out_fh = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=out_fh, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    if timeout is not None:
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if timeout is not None:
        killer.cancel()
        timed_out = wall >= timeout
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if log:
        out_fh.close()  # type: ignore[union-attr]
    return {
        "wall_s": round(wall, 3),
        "exit": proc.returncode,
        "timed_out": timed_out,
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "peak_tree_rss_mib": round(max(peak[0], usage.ru_maxrss * 1024) / 2**20, 1),
        "user_s": round(usage.ru_utime, 2),
        "sys_s": round(usage.ru_stime, 2),
        # 1-minute load average before and after: well above the step's own parallelism means
        # other work shared the machine and the timing is pessimistic
        "loadavg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def run_step(
    step: str, project: Path, tmp: Path, env: dict[str, str], *extra: str
) -> dict[str, Any]:
    result_file = tmp / f"{step}.json"
    result_file.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--_step",
        step,
        str(project),
        str(result_file),
        *extra,
    ]
    m = measure(cmd, env=env, log=tmp / f"{step}.log")
    if result_file.exists():
        m.update(json.loads(result_file.read_text()))
    if m["exit"] != 0:
        m["error"] = (tmp / f"{step}.log").read_text(errors="replace")[-2000:]
    return m


def ensure_project(n: int, seed: int) -> tuple[Path, float | None]:
    """The cached synthetic project of ``n`` articles; (path, generation seconds or None if cached)."""
    sys.path.insert(0, str(HERE))
    import synth

    project = WORK / f"synth-{n}-s{seed}"
    stamp = f"synth {synth.fingerprint(seed)} n={n} seed={seed}\n"
    if (project / STAMP).is_file() and (project / STAMP).read_text() == stamp:
        return project, None
    shutil.rmtree(project, ignore_errors=True)
    partial = WORK / f".partial-synth-{n}-s{seed}"
    shutil.rmtree(partial, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    synth.generate(partial, n, seed)
    took = time.perf_counter() - t
    (partial / STAMP).write_text(stamp)
    partial.rename(project)
    return project, took


def _clear_caches(project: Path, baseline: set[str]) -> list[str]:
    """Remove anything a previous run left at the project's top level (e.g. a validation cache)."""
    removed = []
    for entry in project.iterdir():
        if entry.name not in baseline:
            (shutil.rmtree if entry.is_dir() and not entry.is_symlink() else os.remove)(entry)
            removed.append(entry.name)
    return removed


def _touch_one_article(project: Path) -> tuple[Path, bytes]:
    """Rewrite one article.yaml with one tag changed; return (path, original bytes) to restore."""
    folders = sorted(p.name for p in os.scandir(project / "corpus" / "articles"))
    path = project / "corpus" / "articles" / folders[len(folders) // 2] / "article.yaml"
    original = path.read_bytes()
    lines = original.decode("utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith("tags: ["):
            lines[i] = 'tags: ["Benchmark edit", ' + line[len("tags: [") :]
            break
    else:  # pragma: no cover
        raise RuntimeError(f"{path} has no tags line")
    time.sleep(0.01)  # a distinct mtime even on coarse-grained file systems
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return path, original


def bench_size(
    n: int, seed: int, *, frictionless_timeout: float, log: Any, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    import articlepack

    project, gen_s = ensure_project(n, seed)
    log(f"[{n}] project {project} ({f'generated in {gen_s:.1f} s' if gen_s else 'cached'})")
    baseline = {"corpus", "schemas", STAMP, "datacard.md"}
    tmp = Path(tempfile.mkdtemp(prefix=f"articlepack-bench-{n}-"))
    base_env = {k: v for k, v in os.environ.items() if k != "ARTICLEPACK_CACHE"}
    base_env.update(HF_HOME=str(tmp / "hf"), HF_HUB_OFFLINE="1", PYTHONHASHSEED="0")

    def cache_env(name: str) -> dict[str, str]:
        """A validation cache of its own: articlepack's (ARTICLEPACK_CACHE, XDG_CACHE_HOME)."""
        folder = tmp / f"cache-{name}"
        return {
            **base_env,
            "XDG_CACHE_HOME": str(folder),
            "ARTICLEPACK_CACHE": str(folder / "articlepack"),
        }

    # parse: its own (unused) cache; validate: a cold, empty cache which the re-validations then
    # reuse, as a developer re-running `articlepack validate` would; build: cold, as in CI
    envs = {
        "parse": cache_env("parse"),
        "validate": cache_env("validate"),
        "build": cache_env("build"),
        "load": cache_env("load"),
    }
    steps: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    removed = _clear_caches(project, baseline)
    if removed:
        notes.append(f"removed leftovers before the cold run: {', '.join(removed)}")

    def step(name: str, *extra: str, key: str | None = None) -> dict[str, Any] | None:
        if (key or name) in skip:
            notes.append(f"{key or name} skipped (--skip)")
            return None
        m = run_step(name, project, tmp, envs[name], *extra)
        steps[key or name] = m
        status = "ok" if m["exit"] == 0 else f"FAILED (exit {m['exit']})"
        log(
            f"[{n}] {key or name:<24} wall {m['wall_s']:8.2f} s  inner {m.get('inner_s', float('nan')):8.2f} s  "
            f"cpu {m['user_s'] + m['sys_s']:8.1f} s  rss {m['peak_rss_mib']:7.0f} MiB  "
            f"tree {m['peak_tree_rss_mib']:7.0f} MiB  load {m['loadavg'][0]:.1f}->{m['loadavg'][1]:.1f}  {status}"
        )
        return m

    step("parse")
    step("validate")
    step("validate", key="revalidate-unchanged")
    path, original = _touch_one_article(project)
    try:
        step("validate", key="revalidate-one-change")
    finally:
        path.write_bytes(original)

    release: Path | None = None
    if hasattr(articlepack, "build"):
        out = WORK / f"build-{n}-s{seed}"
        shutil.rmtree(out, ignore_errors=True)
        m = step("build", str(out))
        if m and m["exit"] == 0 and m.get("release"):
            release = Path(m["release"])
            m["release_bytes"] = sum(p.stat().st_size for p in release.rglob("*") if p.is_file())
    else:
        notes.append("build skipped: articlepack.build does not exist yet")
    if "load" in skip:
        notes.append("load skipped (--skip)")
    elif release is not None and hasattr(articlepack, "load"):
        step("load", str(release))
    elif not hasattr(articlepack, "load"):
        notes.append("load skipped: articlepack.load does not exist yet")
    elif release is None and hasattr(articlepack, "build"):
        notes.append("load skipped: the build failed")
    if "frictionless" in skip:
        notes.append("frictionless skipped (--skip)")
    elif release is not None and (release / "datapackage.json").is_file():
        bindir = str(Path(sys.executable).parent)
        frictionless = shutil.which("frictionless", path=bindir) or shutil.which("frictionless")
        if frictionless:
            m = measure(
                [frictionless, "validate", str(release / "datapackage.json")],
                env=base_env,
                timeout=frictionless_timeout,
                log=tmp / "frictionless.log",
            )
            m["output_tail"] = (tmp / "frictionless.log").read_text(errors="replace")[-1500:]
            steps["frictionless"] = m
            log(
                f"[{n}] frictionless             wall {m['wall_s']:8.2f} s  exit {m['exit']}"
                f"{'  (timed out)' if m['timed_out'] else ''}"
            )
        else:
            notes.append("frictionless skipped: the frictionless command is not installed")
    elif release is not None:
        notes.append("frictionless skipped: the release has no datapackage.json")
    else:
        notes.append("frictionless skipped: no build")
    shutil.rmtree(tmp, ignore_errors=True)

    rows = (steps.get("parse") or steps.get("validate") or {}).get("rows", {})
    annotation_rows = sum(rows.get(t, 0) for t in ANNOTATION_TABLES)
    for m in steps.values():
        if m.get("wall_s"):
            m["articles_per_s"] = round(n / m["wall_s"], 1)
            m["annotation_rows_per_s"] = round(annotation_rows / m["wall_s"], 1)
    derived: dict[str, Any] = {}
    p, v = steps.get("parse", {}).get("inner_s"), steps.get("validate", {}).get("inner_s")
    if p and v:
        derived["validate_over_parse"] = round(v / p, 2)
    if "frictionless" in steps and steps.get("validate", {}).get("exit") == 0:
        f = steps["frictionless"]
        derived["articlepack_over_frictionless"] = round(
            steps["validate"]["wall_s"] / f["wall_s"], 4
        )
        derived["frictionless_speedup"] = round(f["wall_s"] / steps["validate"]["wall_s"], 1)
        derived["frictionless_speedup_is_lower_bound"] = bool(f["timed_out"])
    return {
        "articles": n,
        "seed": seed,
        "generated_s": round(gen_s, 1) if gen_s else None,
        "rows": rows,
        "annotation_rows": annotation_rows,
        "corpus_bytes": _corpus_bytes(project),
        "steps": steps,
        "derived": derived,
        "notes": notes,
        "machine": machine(),
    }


def _corpus_bytes(project: Path) -> int:
    total = 0
    for root, _, files in os.walk(project / "corpus"):
        for f in files:
            total += os.stat(os.path.join(root, f)).st_size
    return total


def _source_hash(package: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def machine() -> dict[str, Any]:
    import polars

    import articlepack

    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        mem = None
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem / GIB, 1) if mem else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "articlepack": articlepack.__version__,
        # which code was measured: others edit src/ while benchmarks run
        "articlepack_source_sha256": _source_hash(Path(articlepack.__file__).parent),
        "polars": polars.__version__,
    }


# -- targets and the Markdown summary ------------------------------------------------------------


def evaluate(result: dict[str, Any]) -> list[dict[str, Any]]:
    n = result["articles"]
    out = []
    for t in TARGETS:
        if t["sizes"] is not None and n not in t["sizes"]:
            continue
        metric = t["metric"]
        if isinstance(metric, tuple):
            m = result["steps"].get(metric[0])
            value = m.get(metric[1]) if m and m.get("exit") == 0 else None
        else:
            value = result["derived"].get(metric)
        if value is None:
            status = "not measured"
        elif t.get("at_least"):
            status = "met" if value >= t["limit"] else "missed"
            if status == "missed" and result["derived"].get("frictionless_speedup_is_lower_bound"):
                status = "missed (lower bound: frictionless timed out)"
        else:
            status = "met" if value <= t["limit"] else "missed"
        out.append(
            {
                "id": t["id"],
                "target": t["text"],
                "value": value,
                "unit": t["unit"],
                "status": status,
            }
        )
    return out


STEP_ORDER = (
    "parse",
    "validate",
    "revalidate-unchanged",
    "revalidate-one-change",
    "build",
    "load",
    "frictionless",
)


def markdown(results: list[dict[str, Any]]) -> str:
    results = sorted(results, key=lambda r: r["articles"])
    mach = results[-1]["machine"] if results else machine()
    lines = [
        "# articlepack benchmarks",
        "",
        "Generated by `python benchmarks/run.py`; synthetic corpora from `benchmarks/synth.py` "
        "(~40 mentions, ~5 events, ~3 quotes, ~19 body segments per article, 2–8 KB of text).",
        "",
        f"Machine: {mach['cores']} cores ({mach['usable_cores']} usable), {mach['cpu']}, "
        f"{mach['memory_gib']} GiB RAM; Python {mach['python']}, polars {mach['polars']}, "
        f"articlepack {mach['articlepack']}; {mach['platform']}.",
        "",
        "Each step runs in a fresh process: **wall** includes interpreter start-up and imports (what "
        "`articlepack validate` costs at the command line); **inner** is the operation alone. "
        "**RSS** is the largest single process (wait4); **tree RSS** the largest sum over the step's "
        "process tree (sampled every 20 ms). Throughput is over wall time; *annotation rows* are "
        "segments + mentions + events + event arguments + quotes. CPU s is user + system time of the "
        "step's processes. *Load avg* is the 1-minute load before → after the step: on this 2-core "
        "machine a value well above 2 means other work shared the CPUs and the times are pessimistic. "
        "The OS page cache is warm.",
        "",
        "## Targets",
        "",
        "| articles | target | measured | status |",
        "|---:|---|---:|---|",
    ]
    for r in results:
        for t in evaluate(r):
            value = "—" if t["value"] is None else f"{t['value']:,.2f} {t['unit']}"
            mark = {"met": "✅ met", "missed": "❌ missed", "not measured": "⏭ not measured"}.get(
                t["status"], "❌ " + t["status"]
            )
            lines.append(f"| {r['articles']:,} | {t['target']} | {value} | {mark} |")
    for r in results:
        lines += [
            "",
            f"## {r['articles']:,} articles",
            "",
            f"{r['annotation_rows']:,} annotation rows "
            + "("
            + ", ".join(f"{k} {v:,}" for k, v in r["rows"].items())
            + "); "
            f"corpus {r['corpus_bytes'] / 2**20:,.0f} MiB"
            + (f"; generated in {r['generated_s']} s" if r.get("generated_s") else "")
            + ".",
            "",
            "| step | wall s | inner s | CPU s | articles/s | annotation rows/s | RSS MiB "
            "| tree RSS MiB | load avg | exit |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for name in STEP_ORDER:
            m = r["steps"].get(name)
            if not m:
                continue
            inner = f"{m['inner_s']:.2f}" if m.get("inner_s") is not None else "—"
            exit_ = str(m["exit"]) + (" (timed out)" if m.get("timed_out") else "")
            lines.append(
                f"| {name} | {m['wall_s']:.2f} | {inner} | {m['user_s'] + m['sys_s']:.1f} | "
                f"{m.get('articles_per_s', 0):,.0f} | "
                f"{m.get('annotation_rows_per_s', 0):,.0f} | {m['peak_rss_mib']:,.0f} | "
                f"{m['peak_tree_rss_mib']:,.0f} | {m['loadavg'][0]:.1f}→{m['loadavg'][1]:.1f} | {exit_} |"
            )
        d = r["derived"]
        if d:
            lines.append("")
            if "validate_over_parse" in d:
                lines.append(f"- validate / parse (inner): {d['validate_over_parse']}×")
            if "frictionless_speedup" in d:
                bound = (
                    " (lower bound: frictionless was stopped at the timeout)"
                    if d.get("frictionless_speedup_is_lower_bound")
                    else ""
                )
                lines.append(
                    f"- articlepack validate / frictionless validate: {d['articlepack_over_frictionless']} "
                    f"(articlepack {d['frictionless_speedup']}× faster{bound})"
                )
        for note in r["notes"]:
            lines.append(f"- note: {note}")
    return "\n".join(lines) + "\n"


def write_summary(out: Path) -> Path:
    results = []
    for path in sorted(out.glob("results-*.json")):
        try:
            results.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    md = out / "RESULTS.md"
    md.write_text(markdown(results), encoding="utf-8")
    return md


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--_step":  # internal: one measured step in this fresh process
        step, project, result_file, *extra = argv[1:]
        result = _child(step, project, extra)
        Path(result_file).write_text(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results folder (default benchmarks/results; benchmarks/work/results-quick with --quick)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="smoke test: N=200 only")
    parser.add_argument(
        "--skip",
        nargs="+",
        default=[],
        choices=list(STEP_ORDER),
        help="steps to leave out (e.g. revalidate-unchanged at 100,000 articles)",
    )
    parser.add_argument(
        "--frictionless-timeout",
        type=float,
        default=3600.0,
        help="stop `frictionless validate` after this many seconds (the ratio is then a bound)",
    )
    args = parser.parse_args(argv)
    sizes = [200] if args.quick else args.sizes
    if args.out is None:
        args.out = WORK / "results-quick" if args.quick else HERE / "results"
    args.out.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, flush=True)

    WORK.mkdir(parents=True, exist_ok=True)
    lock = open(WORK / ".lock", "w")  # noqa: SIM115 - held until the process exits
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log("another benchmark run holds benchmarks/work/.lock; waiting for it to finish")
        fcntl.flock(lock, fcntl.LOCK_EX)
    failed = False
    for n in sizes:
        result = bench_size(
            n,
            args.seed,
            frictionless_timeout=args.frictionless_timeout,
            log=log,
            skip=frozenset(args.skip),
        )
        result["targets"] = evaluate(result)
        path = args.out / f"results-{n}.json"
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        log(f"[{n}] wrote {path}")
        for t in result["targets"]:
            log(f"[{n}]   {t['status']:>12}: {t['target']} ({t['value']} {t['unit']})")
        failed |= any(
            m["exit"] != 0 or m.get("errors") or m.get("warnings")
            for k, m in result["steps"].items()
            if k != "frictionless"
        )
    log(f"wrote {write_summary(args.out)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
