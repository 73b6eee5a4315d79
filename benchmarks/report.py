"""RESULTS.md: the targets, met or missed, and every step's figures, for one commit's code.

Only results whose source hash is the current code's are shown (a run on other code is listed
as stale, by file name), so the page never mixes commits.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GIB_MIB = 1024


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return done.stdout.strip()


def _tree(package: Path) -> str:
    """Whether the measured package is the commit's: imported from elsewhere, or edited since."""
    edited = "src/ differs from the commit" if _git("status", "--porcelain", "src") else "clean"
    if package.is_relative_to(HERE / "work" / "snapshot"):
        return f"a copy of src/ taken as the run began; {edited}"
    if not package.is_relative_to(HERE.parent / "src"):
        return f"measured the package at {package}"
    return edited


def meta() -> dict[str, Any]:
    """Which code ran on which machine: the commit, whether src/ differs from it, and a hash of
    the imported package's sources (what was measured, whatever git says)."""
    import polars
    import yaml_rs

    import articlepack

    package = Path(articlepack.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    cpu = platform.processor()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "commit": _git("rev-parse", "HEAD") or "unknown",
        "tree": _tree(package),
        "package": str(package),
        "source_sha256": digest.hexdigest()[:16],
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "articlepack": articlepack.__version__,
        "polars": polars.__version__,
        "yaml_rs": yaml_rs.__version__,
    }


def densities(bundled: Path, synthetic: Path) -> dict[str, Any]:
    import density

    return {"bundled": density.measure(bundled), "synthetic": density.measure(synthetic)}


# -- figures -------------------------------------------------------------------------------------


def median(result: dict[str, Any], step: str, key: str) -> float | None:
    values = [m[key] for m in result["steps"].get(step, []) if m.get("exit") == 0]
    return statistics.median(values) if values else None


def paired(result: dict[str, Any], top: str, bottom: str, key: str) -> float | None:
    """The median over rounds of ``top``'s ``key`` over ``bottom``'s in the same round."""
    ratios = [
        a[key] / b[key]
        for a, b in zip(result["steps"].get(top, []), result["steps"].get(bottom, []), strict=False)
        if a.get("exit") == 0 and b.get("exit") == 0 and b[key]
    ]
    return statistics.median(ratios) if ratios else None


def targets(
    results: dict[Any, dict[str, Any]],
) -> list[tuple[str, str, float | None, str, bool | None]]:
    """(measure, size, value, unit, met) for each target of issue 20 that was measured."""
    out: list[tuple[str, str, float | None, str, bool | None]] = []

    def add(
        what: str, size: str, value: float | None, unit: str, limit: float, at_least: bool = False
    ) -> None:
        met = None if value is None else (value >= limit if at_least else value <= limit)
        out.append((f"{what} ({'≥' if at_least else '≤'} {limit:g}{unit})", size, value, unit, met))

    for n, r in sorted((k, v) for k, v in results.items() if isinstance(k, int)):
        size = f"{n:,}"
        if n >= 10_000:
            add(
                "cold validate / 2-process floor, wall",
                size,
                paired(r, "validate", "floor-2", "wall_s"),
                "×",
                2.0,
            )
            add(
                "cold validate / 2-process floor, CPU",
                size,
                paired(r, "validate", "floor-2", "cpu_s"),
                "×",
                2.0,
            )
        if n in (10_000, 100_000):
            add(
                "warm re-validate, nothing changed",
                size,
                median(r, "validate-warm", "wall_s"),
                " s",
                0.5 if n == 10_000 else 1.0,
            )
        if n == 10_000:
            add("one changed article", size, median(r, "validate-one-change", "wall_s"), " s", 1.0)
        if n == 100_000:
            rss = median(r, "build", "tree_rss_mib")
            add("build, tree RSS", size, rss / GIB_MIB if rss else None, " GiB", 2.0)
        build, validate = median(r, "build", "wall_s"), median(r, "validate", "wall_s")
        if n == 100_000 or build:
            add(
                "build wall / cold validate wall",
                size,
                build / validate if build and validate else None,
                "×",
                1.3,
            )
        if n in (1000, 10_000):
            add(
                "frictionless validate / cold validate (paired)",
                size,
                paired(r, "frictionless", "paired-validate", "wall_s"),
                "×",
                20.0 if n == 1000 else 50.0,
                at_least=True,
            )
        for fmt in ("polars", "arrow"):
            load = (r["steps"].get("load") or [{}])[0].get("load", {}).get(fmt)
            add(f"load as {fmt} / raw read", size, load["ratio"] if load else None, "×", 1.1)
    bundled = results.get("bundled")
    if bundled:
        add(
            "bundled corpus validate, whole process (cold cache)",
            "5",
            median(bundled, "validate", "wall_s"),
            " s",
            0.5,
        )
        add(
            "bundled corpus validate, whole process (warm cache)",
            "5",
            median(bundled, "validate-warm", "wall_s"),
            " s",
            0.5,
        )
    return out


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.2f}{unit}" if value < 100 else f"{value:,.0f}{unit}"


def step_table(result: dict[str, Any]) -> list[str]:
    lines = [
        "| step | runs | wall s | CPU s (tree) | tree RSS MiB | tree PSS MiB | load avg at start | exit |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, ms in result["steps"].items():
        walls = ", ".join(f"{m['wall_s']:.2f}" for m in ms)
        loads = ", ".join(f"{m['load_at_start']:.2f}" for m in ms)
        exits = ",".join(
            sorted({f"{m['exit']}{' (timed out)' if m.get('timed_out') else ''}" for m in ms})
        )
        lines.append(
            f"| {name} | {len(ms)} | {_fmt(median(result, name, 'wall_s'))} ({walls}) | "
            f"{_fmt(median(result, name, 'cpu_s'))} | {_fmt(median(result, name, 'tree_rss_mib'))} | "
            f"{_fmt(median(result, name, 'tree_pss_mib'))} | "
            f"{loads} | {exits} |"
        )
    return lines


def markdown(results: dict[Any, dict[str, Any]], stale: list[str]) -> str:
    any_result = next(iter(results.values()))
    m, check = any_result["meta"], any_result["self_check"]
    lines = [
        "# articlepack benchmarks",
        "",
        f"Commit `{m['commit']}` ({m['tree']}; source sha256 `{m['source_sha256']}`), "
        f"articlepack {m['articlepack']}, Python {m['python']}, polars {m['polars']}, yaml-rs {m['yaml_rs']}.",
        f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB RAM; {m['platform']}.",
        "Generated by `nox -s bench` (`python benchmarks/run.py`); how to read it: benchmarks/README.md.",
        "",
        "Every step is a whole process. **CPU** is `perf stat -e task-clock` over the process tree "
        "(the fork server and its workers included); **tree RSS** the largest sum of resident sets "
        "over the tree, **tree PSS** of proportional sets (shared pages split), sampled every 20 ms "
        "from /proc. The harness's self-check: a parent holding 200 MiB and a fork-server worker "
        f"holding 400 MiB, each busy 1 s of CPU, measured {check['cpu_s']:.2f} s CPU and "
        f"{check['tree_rss_mib']:.0f} MiB tree RSS (wait4 saw {check['max_process_rss_mib']:.0f} MiB).",
        "",
        "## Targets (issue 20)",
        "",
        "| measure | articles | measured | status |",
        "|---|---:|---:|---|",
    ]
    for what, size, value, unit, met in targets(results):
        status = "⏭ not measured" if met is None else ("✅ met" if met else "❌ missed")
        lines.append(f"| {what} | {size} | {_fmt(value, unit)} | {status} |")
    d = any_result.get("density")
    if d:
        import density

        lines += ["", "## Density: the bundled corpus and the synthetic one", ""]
        lines += density.table(
            [d["bundled"], d["synthetic"]],
            ["bundled", f"synthetic ({d['synthetic']['articles']:,})"],
        )
    for key, r in sorted(
        results.items(),
        key=lambda kv: (isinstance(kv[0], int), kv[0] if isinstance(kv[0], int) else 0),
    ):
        title = (
            "The bundled project (5 articles)"
            if key == "bundled"
            else f"{key:,} synthetic articles ({r['profile']}, {r['corpus_bytes'] / 2**20:,.0f} MiB)"
        )
        lines += ["", f"## {title}", "", *step_table(r)]
        load = (r["steps"].get("load") or [{}])[0].get("load")
        if load:
            lines.append("")
            lines.append(
                "- load vs raw read (sum over tables of median times): "
                + "; ".join(
                    f"{fmt} {load[fmt]['load_s']:.3f} s vs {load[fmt]['raw_s']:.3f} s ({load[fmt]['ratio']:.2f}×)"
                    for fmt in ("polars", "arrow", "datasets")
                    if fmt in load
                )
            )
    if stale:
        lines += ["", f"Not shown (other code): {', '.join(stale)}."]
    return "\n".join(lines) + "\n"


def write(out: Path) -> Path:
    """Regenerate ``out``/RESULTS.md from the results there of the current code."""
    current = meta()["source_sha256"]
    results: dict[Any, dict[str, Any]] = {}
    stale = []
    for path in sorted(out.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("meta", {}).get("source_sha256") != current:
            stale.append(path.name)
            continue
        results[data["articles"]] = data
    md = out / "RESULTS.md"
    md.write_text(
        markdown(results, stale)
        if results
        else "# articlepack benchmarks\n\nNo results for this code.\n",
        encoding="utf-8",
    )
    return md
