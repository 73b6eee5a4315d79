"""What reaches a terminal or a CI log cannot steer it: control characters are shown escaped.

Regression test: an article folder whose name held ESC bytes moved the cursor and erased lines
when `articlepack validate` printed its findings.
"""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from articlepack.cli import app
from conftest import EXAMPLE, Project

HOSTILE = "\x1b[2J\x1b[1;1Hall-clear\u202e\r"  # clear screen, cursor home, right-to-left, CR


@pytest.mark.parametrize("form", ["text", "github"])
def test_a_folder_name_with_escape_bytes_cannot_move_the_cursor(
    project: Project, form: str
) -> None:
    articles = project.root / "corpus" / "articles"
    shutil.copytree(articles / EXAMPLE, articles / f"bad{HOSTILE}")
    result = CliRunner().invoke(app, ["validate", str(project.root), "--format", form])
    assert result.exit_code == 1
    for character in ("\x1b", "\u202e", "\r"):
        assert character not in result.output
    assert "\\x1b[2J" in result.output and "\\u202e" in result.output


def test_an_error_sentence_naming_a_hostile_path_is_escaped(tmp_path: object) -> None:
    missing = f"{tmp_path}/no{HOSTILE}such"
    result = CliRunner().invoke(app, ["validate", missing])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\\x1b[2J" in result.output
