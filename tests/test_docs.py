"""The README's generated lists and command table say what the code does."""

from __future__ import annotations

import importlib.util
import re

from articlepack.cli import app
from conftest import ROOT


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "docs" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_lists_every_finding_code_of_the_code_table() -> None:
    # Regression: the README once lacked `unreadable`, `raw-bom` and `yaml-multiple-documents`.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _generator().refreshed(text) == text, "run `nox -s docs` to refresh README.md"  # type: ignore[attr-defined]


def test_the_readme_command_table_names_every_command() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## The command line") :]
    listed = set(re.findall(r"^\| `articlepack (\w+)", table, re.M))
    commands = {
        c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands
    }
    assert listed == commands
