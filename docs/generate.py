"""Regenerate the lists in README.md that come from the code (`nox -s docs`).

The finding codes come from :data:`articlepack.report.CODES`, the one table of codes;
``tests/test_docs.py`` fails when README.md and the table disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from articlepack.report import CODES

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"(<!-- codes -->\n).*?(<!-- /codes -->)", re.S)


def codes_table() -> str:
    """One row per finding code: its severity and its title."""
    rows = ["| code | severity | what it means |", "|---|---|---|"]
    rows += [f"| `{code}` | {severity} | {title} |" for code, (severity, title) in CODES.items()]
    return "\n".join(rows)


def refreshed(text: str) -> str:
    """``text`` (README.md) with its generated blocks rewritten."""
    if not BLOCK.search(text):
        raise SystemExit("README.md has no <!-- codes --> block")
    return BLOCK.sub(lambda m: m.group(1) + codes_table() + "\n" + m.group(2), text)


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    new = refreshed(text)
    if new != text:
        README.write_text(new, encoding="utf-8")
        print("README.md: finding codes refreshed", file=sys.stderr)
