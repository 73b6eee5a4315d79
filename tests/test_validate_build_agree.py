"""Whatever build refuses, validate reports first: a CI validate that passes means the build works.

The bad-input catalogue holds build to this for every broken input
(``test_build_refuses_only_what_validate_reports_first``); here, valid values that once made
the build refuse a corpus that validate had passed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import Project

TRICKY = [
    "Wow!! News",  # the card check once searched the text for "!!"
    "Notes: !important",  # and for ": !"
    "&anchor *alias",
    "--- a separator",
    "# not a comment",
    "'quoted' \"twice\"",
    "tab\tand\u2028line separator",
]


@pytest.mark.parametrize(
    "value", TRICKY, ids=["bangs", "colon-bang", "anchor", "dashes", "hash", "quotes", "separators"]
)
def test_a_title_that_looks_like_yaml_syntax_builds(
    project: Project, tmp_path: Path, cli: object, value: str
) -> None:
    dataset = project.root / "corpus" / "dataset.yaml"
    text = dataset.read_text(encoding="utf-8")
    text = text.replace("title: Example News Corpus", f"title: {json.dumps(value)}")
    text = text.replace("keywords: [news, annotation]", f"keywords: [news, {json.dumps(value)}]")
    dataset.write_text(text, encoding="utf-8")
    assert project.validate()[0] == 0
    result = cli("build", str(project.root), "--out", str(tmp_path / "dist"), "--quiet")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    card = (Path(result.output.strip().splitlines()[-1]) / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---\n")[1])
    assert front["pretty_name"] == value and value in front["tags"]
