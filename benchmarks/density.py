"""How densely a dataset project is annotated: rows of each article layer per KB of raw.txt, and
article.yaml bytes per raw.txt byte.

    python benchmarks/density.py [PROJECT ...]   # default: the bundled project (the repo root)

The layers are the project's own article tables, as its schemas name them
(:func:`articlepack.schema.article_tables`), counted from a real read of the project, so the
figures hold for any scheme. ``synth.py``'s calibrated profile takes its targets from this
script's figures for the bundled corpus (``python benchmarks/density.py --write-profile``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROFILES = HERE / "profiles.json"


def measure(project: Path | str) -> dict[str, Any]:
    """Articles, raw and YAML bytes, and each article layer's rows (total and per KB of raw)."""
    from articlepack.corpus import read
    from articlepack.schema import article_tables

    project = Path(project).resolve()
    corpus = read(project, cache=False)
    raw_bytes = yaml_bytes = 0
    for folder in corpus.folders:
        where = project / "corpus" / "articles" / folder
        raw_bytes += os.stat(where / "raw.txt").st_size
        yaml_bytes += os.stat(where / "article.yaml").st_size
    kb = raw_bytes / 1000
    rows = {name: corpus.tables[name].height for name in article_tables(corpus.schemas)}
    return {
        "project": str(project),
        "articles": corpus.n_articles,
        "raw_bytes": raw_bytes,
        "yaml_bytes": yaml_bytes,
        "yaml_per_raw": round(yaml_bytes / raw_bytes, 3) if raw_bytes else None,
        "raw_kb_per_article": round(kb / corpus.n_articles, 3) if corpus.n_articles else None,
        "rows": rows,
        "per_kb": {name: round(n / kb, 3) if kb else None for name, n in rows.items()},
    }


def table(measured: list[dict[str, Any]], names: list[str]) -> list[str]:
    """A Markdown table of several projects' densities, one column per project."""
    layers = sorted({layer for m in measured for layer in m["per_kb"]})
    lines = [
        "| per KB of raw.txt | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for layer in layers:
        cells = [f"{m['per_kb'].get(layer, 0) or 0:.2f}" for m in measured]
        lines.append(f"| {layer} | " + " | ".join(cells) + " |")
    lines.append(
        "| article.yaml bytes / raw.txt bytes | "
        + " | ".join(f"{m['yaml_per_raw']:.2f}" for m in measured)
        + " |"
    )
    lines.append(
        "| raw KB per article | "
        + " | ".join(f"{m['raw_kb_per_article']:.2f}" for m in measured)
        + " |"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", nargs="*", type=Path, default=[ROOT])
    parser.add_argument(
        "--write-profile",
        action="store_true",
        help=f"store the bundled corpus's figures as synth.py's calibrated profile ({PROFILES.name})",
    )
    args = parser.parse_args(argv)
    measured = [measure(p) for p in args.projects]
    print(json.dumps(measured, indent=2))
    if args.write_profile:
        bundled = measure(ROOT)
        profiles = json.loads(PROFILES.read_text()) if PROFILES.exists() else {}
        profiles["calibrated"] = {
            "source": "the bundled corpus, measured by benchmarks/density.py --write-profile",
            "per_kb": bundled["per_kb"],
            "raw_kb_per_article": bundled["raw_kb_per_article"],
            "yaml_per_raw": bundled["yaml_per_raw"],
        }
        PROFILES.write_text(json.dumps(profiles, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
