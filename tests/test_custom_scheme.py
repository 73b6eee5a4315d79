"""A project with its own scheme goes the whole way: validate, build, the real readers, diff.

The scheme (tests/custom_scheme.py) adds a relations layer, document-level and entity fields,
and removes a built-in field; articlepack's Python knows none of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import articlepack
from articlepack.builder import build
from articlepack.diff import diff
from bad_inputs.support import line_with, validate
from conftest import Project, frictionless, mlcroissant
from custom_scheme import EVIDENCE, custom_project


@pytest.fixture
def custom(tmp_path: Path) -> Project:
    return custom_project(tmp_path / "custom")


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = custom_project(tmp_path_factory.mktemp("p") / "custom")
    return build(project.root, tmp_path_factory.mktemp("dist"))


def test_the_custom_scheme_validates_clean(custom: Project) -> None:
    outcome = validate(custom.root)
    assert (outcome.code, outcome.findings) == (0, [])


def test_the_custom_layer_loads_with_datasets_and_articlepack(release: Path) -> None:
    import datasets

    relations = datasets.load_dataset(str(release), "relations", split="train")
    (row,) = list(relations)
    assert {k: row[k] for k in ("id", "head", "tail", "evidence")} == {
        "id": "r1",
        "head": "m2",
        "tail": "m3",
        "evidence": EVIDENCE,
    }
    assert relations.features["type"].names == ["meets", "criticises", "allied_with"]
    assert row["confidence"] == pytest.approx(0.9)
    text = articlepack.load("articles", release=release, format="arrow")["text"][0].as_py()
    assert text[row["evidence_start"] : row["evidence_end"]] == EVIDENCE
    articles = articlepack.load("articles", release=release, format="polars")
    assert articles.select("frames", "sentiment").to_dicts() == [
        {"frames": ["diplomatic"], "sentiment": "neutral"}
    ]
    entities = articlepack.load("entities", release=release, format="polars")
    assert entities.filter(entities["id"] == "freedonia")["gdelt_id"].to_list() == ["FRD"]
    assert "mode" not in articlepack.load("events", release=release, format="polars").columns


def test_the_custom_release_passes_frictionless_and_mlcroissant(release: Path) -> None:
    code, report = frictionless(release)
    assert code == 0 and report["valid"], json.dumps(report)[-2000:]
    assert "relations" in {task["name"] for task in report["tasks"]}
    checked = mlcroissant(release)
    assert checked.returncode == 0, checked.stderr[-2000:]
    import mlcroissant as mlc

    records = list(mlc.Dataset(jsonld=release / "croissant.json").records(record_set="relations"))
    assert [r["relations/evidence"].decode() for r in records] == [EVIDENCE]


def test_diff_grades_the_custom_scheme_against_the_template(
    custom: Project, tmp_path: Path
) -> None:
    template = articlepack.init(tmp_path / "template")
    result = diff(str(template), str(custom.root))
    kinds = {(c.table, c.field, c.kind) for c in result.schema_changes}
    assert ("relations", None, "table-added") in kinds
    assert ("articles", "frames", "field-added") in kinds
    assert ("entities", "gdelt_id", "field-added") in kinds
    assert ("events", "mode", "field-removed") in kinds
    assert result.required_bump == "major"  # the removed field
    back = diff(str(custom.root), str(template))
    assert ("relations", None, "table-removed") in {
        (c.table, c.field, c.kind) for c in back.schema_changes
    }


def test_a_field_added_to_quotes_is_read_validated_and_published(
    project: Project, tmp_path: Path
) -> None:
    # Once refused as `unknown key quotes[0].stance (allowed here: content, cue, id, kind, speaker)`.
    key = "primaryKey: [article_id, id]"
    project.edit(
        "schemas/quotes.schema.yaml",
        key,
        "  - {name: stance, type: string, constraints: {enum: [positive, negative, neutral]}}\n"
        + key,
    )
    project.edit_article("    kind: direct\n", "    kind: direct\n    stance: neutral\n")
    assert validate(project.root).code == 0
    project.edit_article("stance: neutral", "stance: glowing")
    (finding,) = validate(project.root).of("not-in-enum")
    assert finding["line"] == line_with(project.article, "stance: glowing")
    project.edit_article("stance: glowing", "stance: positive")
    release = build(project.root, tmp_path / "dist")
    quotes = articlepack.load("quotes", release=release, format="polars")
    assert quotes["stance"].to_list() == ["positive"]


def _relation(old: str, new: str) -> Callable[[Project], None]:
    return lambda p: p.edit_article(old, new)


def _rewrite(relations: str) -> Callable[[Project], None]:
    """Replace the whole relations list (the last key of the article) with ``relations``."""

    def damage(p: Project) -> None:
        text = p.article.read_text(encoding="utf-8")
        p.article.write_text(text[: text.index("relations:")] + relations, encoding="utf-8")

    return damage


# Each kind of bad input, on the layer articlepack's Python has never heard of.
CASES: list[tuple[str, Callable[[Project], None], str, str]] = [
    ("wrong-type", _relation("head: m2", "head: 5"), "wrong-type", "head: 5"),
    ("unknown-enum-value", _relation("type: meets", "type: hugs"), "not-in-enum", "type: hugs"),
    ("bad-reference", _relation("tail: m3", "tail: m9"), "missing-reference", "tail: m9"),
    ("bad-pattern", _relation("{id: r1,", "{id: R-1,"), "bad-pattern", "id: R-1"),
    ("out-of-range", _relation("confidence: 0.9", "confidence: 1.5"), "out-of-range", "confidence"),
    (
        "span-mismatch",
        _relation(f'text: "{EVIDENCE}"', 'text: "Anna Example met Boris"'),
        "span-text-mismatch",
        "     evidence:",
    ),
    (
        "unknown-key",
        _relation("confidence: 0.9,", "confidence: 0.9, weight: 3,"),
        "unknown-key",
        "weight",
    ),
    (
        "duplicate-id",
        lambda p: p.edit_article(
            "relations:\n", "relations:\n  - {id: r1, type: meets, head: m2, tail: m4}\n"
        ),
        "duplicate-id",
        "id: r1",
    ),
    ("not-a-list", _rewrite("relations: {r1: meets}\n"), "wrong-type", "relations:"),
]


@pytest.mark.parametrize(
    ("damage", "code", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_on_a_custom_layer_gets_a_clear_finding(
    custom: Project, damage: Callable[[Project], None], code: str, needle: str
) -> None:
    damage(custom)
    outcome = validate(custom.root)
    assert outcome.code == 1, outcome.findings
    found = outcome.of(code)
    assert found, outcome.findings
    assert line_with(custom.article, needle) in [f["line"] for f in found], found


def test_a_scheme_with_only_mentions_builds_and_loads(project: Project, tmp_path: Path) -> None:
    # Regression: validate passed a project without events and quotes, and build then crashed on
    # the card's facts (KeyError: 'events'). Whatever validate passes, build builds.
    for name in ("events", "event_arguments", "quotes"):
        (project.root / "schemas" / f"{name}.schema.yaml").unlink()
    text = project.article.read_text(encoding="utf-8")
    project.article.write_text(text[: text.index("events:")], encoding="utf-8")
    assert validate(project.root).code == 0
    release = build(project.root, tmp_path / "dist")
    assert not (release / "timeline.svg").exists()
    record = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in record["resources"]] == [
        "articles",
        "segments",
        "entities",
        "mentions",
        "documents",
    ]
    import datasets

    assert datasets.load_dataset(str(release), "mentions", split="train").num_rows == 5
