"""Shared fixtures: a fresh copy of the `articlepack init` project, and a CLI runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import articlepack
from articlepack.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "2020-01-01-example-ministers-meet"


class Project:
    """A throw-away dataset project with helpers to damage it one way at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def article(self) -> Path:
        return self.root / "corpus" / "articles" / EXAMPLE / "article.yaml"

    @property
    def raw(self) -> Path:
        return self.root / "corpus" / "articles" / EXAMPLE / "raw.txt"

    def edit(self, relative: str | Path, old: str, new: str) -> None:
        path = self.root / relative if isinstance(relative, str) else relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def edit_article(self, old: str, new: str) -> None:
        self.edit(self.article, old, new)

    def validate(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = CliRunner().invoke(app, ["validate", str(self.root), "--format", "json", *args])
        assert "Traceback" not in result.output
        return result.exit_code, json.loads(result.output)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(articlepack.init(tmp_path / "project"))


@pytest.fixture
def cli() -> Callable[..., Any]:
    def run(*args: str) -> Any:
        result = CliRunner().invoke(app, list(args))
        assert "Traceback" not in result.output
        return result

    return run
