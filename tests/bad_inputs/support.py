"""Helpers for the hostile-input tests: run `articlepack validate --format json` and hold it to
the contract every outcome must meet, whatever the input."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from typer.testing import CliRunner

from articlepack.cli import app
from articlepack.report import CODES
from conftest import EXAMPLE_WARNING


@dataclass
class Outcome:
    code: int
    report: dict[str, Any] | None  # None when the exit code is 2 (no report, one sentence)
    output: str

    @property
    def findings(self) -> list[dict[str, Any]]:
        """Every finding but the one warning that an `init` project is still the example."""
        found = self.report["errors"] if self.report else []
        return [f for f in found if f["code"] != EXAMPLE_WARNING]

    def of(self, code: str) -> list[dict[str, Any]]:
        return [f for f in self.findings if f["code"] == code]


def validate(root: Path) -> Outcome:
    """Validate ``root`` in-process and check the contract: exit 0/1/2, no traceback, no
    unexpected exception, a JSON report whose findings have known codes, project-relative files
    and 1-based lines."""
    result = CliRunner().invoke(app, ["validate", str(root), "--format", "json"])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert result.stderr.strip(), "exit 2 must say why"
        return Outcome(2, None, result.output)
    report = json.loads(result.stdout)
    assert report["valid"] is (result.exit_code == 0)
    for finding in report["errors"]:
        assert finding["code"] in CODES, finding
        assert finding["severity"] == CODES[finding["code"]][0]
        path = PurePosixPath(finding["file"])
        assert finding["file"] and not path.is_absolute() and ".." not in path.parts, finding
        assert finding["line"] is None or (
            isinstance(finding["line"], int) and finding["line"] >= 1
        )
        assert finding["message"]
    return Outcome(result.exit_code, report, result.output)


_OFFSET = re.compile(r"\b(start|end): (\d+)")
_SHA = re.compile(r"sha256: [0-9a-f]{64}")


def rewrite_article(article: Path, raw: bytes, offset: Callable[[int], int] = lambda o: o) -> None:
    """Record ``raw``'s hash in ``article`` and map every offset through ``offset``."""
    text = article.read_text(encoding="utf-8")
    text = _OFFSET.sub(lambda m: f"{m.group(1)}: {offset(int(m.group(2)))}", text)
    text = _SHA.sub(f"sha256: {hashlib.sha256(raw).hexdigest()}", text)
    article.write_text(text, encoding="utf-8")


def line_with(path: Path, needle: str) -> int:
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)
