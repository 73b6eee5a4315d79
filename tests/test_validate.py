"""`articlepack validate`: each check fires on the bad input it exists for, naming file and line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import EXAMPLE, Project

ARTICLE = f"corpus/articles/{EXAMPLE}/article.yaml"
RAW = f"corpus/articles/{EXAMPLE}/raw.txt"


def test_template_project_is_valid(project: Project) -> None:
    code, report = project.validate()
    assert (code, report["valid"], report["errors"]) == (0, True, [])
    assert report["summary"]["articles"] == 1
    assert report["summary"]["mentions"] == 5


def _line(project: Project, file: str, needle: str) -> int:
    lines = (project.root / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# (id, damage, expected code, file, the line's text that the finding must point at, or None)
CASES: list[tuple[str, Callable[[Project], None], str, str, str | None]] = [
    (
        "yaml-syntax",
        lambda p: p.edit_article("language: en", "language: [en"),
        "yaml-syntax",
        ARTICLE,
        None,
    ),
    (
        "yaml-duplicate-key",
        lambda p: p.edit_article("language: en", "language: en\nlanguage: fr"),
        "yaml-duplicate-key",
        ARTICLE,
        "language: fr",
    ),
    ("missing-key", lambda p: p.edit_article("language: en\n", ""), "missing-key", ARTICLE, None),
    (
        "unknown-key",
        lambda p: p.edit_article("language: en", "language: en\nlangauge: en"),
        "unknown-key",
        ARTICLE,
        "langauge",
    ),
    (
        "wrong-type",
        lambda p: p.edit_article("{id: m1, start: 121,", '{id: m1, start: "121",'),
        "wrong-type",
        ARTICLE,
        "id: m1,",
    ),
    (
        "float-offset",
        lambda p: p.edit_article("{id: m1, start: 121,", "{id: m1, start: 121.5,"),
        "wrong-type",
        ARTICLE,
        "id: m1,",
    ),
    (
        "negative-offset",
        lambda p: p.edit_article("{id: m1, start: 121,", "{id: m1, start: -121,"),
        "out-of-range",
        ARTICLE,
        "id: m1,",
    ),
    (
        "event-type-enum",
        lambda p: p.edit_article("type: CONSULT", "type: MEET"),
        "not-in-enum",
        ARTICLE,
        "type: MEET",
    ),
    (
        "entity-type-enum",
        lambda p: p.edit(
            "corpus/entities.yaml", "name: Freedonia, type: GPE", "name: Freedonia, type: COUNTRY"
        ),
        "not-in-enum",
        "corpus/entities.yaml",
        "COUNTRY",
    ),
    (
        "context-enum",
        lambda p: p.edit_article("context: [diplomatic]", "context: [diplomacy]"),
        "not-in-enum",
        ARTICLE,
        "context: [diplomacy]",
    ),
    (
        "bad-id-pattern",
        lambda p: p.edit_article("- id: e1", "- id: E 1"),
        "bad-pattern",
        ARTICLE,
        "id: E 1",
    ),
    (
        "id-folder-mismatch",
        lambda p: p.edit_article(f"id: {EXAMPLE}", "id: another-id"),
        "id-folder-mismatch",
        ARTICLE,
        "id: another-id",
    ),
    (
        "duplicate-mention-id",
        lambda p: p.edit_article("{id: m2,", "{id: m1,"),
        "duplicate-id",
        ARTICLE,
        None,
    ),
    (
        "duplicate-entity-id",
        lambda p: p.edit("corpus/entities.yaml", "{id: ruritania,", "{id: freedonia,"),
        "duplicate-id",
        "corpus/entities.yaml",
        None,
    ),
    (
        "hash-mismatch",
        lambda p: p.edit_article("sha256: 85", "sha256: 86"),
        "hash-mismatch",
        ARTICLE,
        "sha256",
    ),
    (
        "raw-edited",
        lambda p: p.edit(p.raw, "invented", "imagined"),
        "hash-mismatch",
        ARTICLE,
        "sha256",
    ),
    (
        "span-order",
        lambda p: p.edit_article("start: 146, end: 149", "start: 149, end: 146"),
        "span-order",
        ARTICLE,
        "trigger:",
    ),
    (
        "span-outside-text",
        lambda p: p.edit_article("start: 146, end: 149", "start: 146, end: 99999"),
        "span-outside-text",
        ARTICLE,
        "trigger:",
    ),
    (
        "span-text-mismatch",
        lambda p: p.edit_article("start: 146, end: 149", "start: 147, end: 150"),
        "span-text-mismatch",
        ARTICLE,
        "trigger:",
    ),
    (
        "span-outside-body",
        lambda p: p.edit_article("start: 121, end: 130", "start: 38, end: 47"),
        "span-outside-body",
        ARTICLE,
        "id: m1,",
    ),
    (
        "segment-overlap",
        lambda p: (
            p.edit_article("- {start: 232, end: 311", "- {start: 229, end: 311")
            or p.edit_article('text: "\\"We agreed', 'text: "y.\\n\\n\\"We agreed')
        ),
        "segment-overlap",
        ARTICLE,
        "start: 229",
    ),
    (
        "missing-entity",
        lambda p: p.edit_article("entity: ruritania", "entity: atlantis"),
        "missing-reference",
        ARTICLE,
        "entity: atlantis",
    ),
    (
        "missing-mention",
        lambda p: p.edit_article("actors: [m2]", "actors: [m9]"),
        "missing-reference",
        ARTICLE,
        "actors: [m9]",
    ),
    (
        "missing-location",
        lambda p: p.edit_article("location: m4", "location: m8"),
        "missing-reference",
        ARTICLE,
        "location: m8",
    ),
    (
        "impossible-date",
        lambda p: p.edit_article(
            'date: "2020-01-01"\n    date_evidence', 'date: "2016-02-30"\n    date_evidence'
        ),
        "bad-date",
        ARTICLE,
        "2016-02-30",
    ),
    (
        "bad-version",
        lambda p: p.edit("corpus/dataset.yaml", "version: 0.1.0", "version: 1.0"),
        "bad-version",
        "corpus/dataset.yaml",
        "version: 1.0",
    ),
    (
        "v-version",
        lambda p: p.edit("corpus/dataset.yaml", "version: 0.1.0", "version: v1.0.0"),
        "bad-version",
        "corpus/dataset.yaml",
        "version: v1.0.0",
    ),
    (
        "not-utf8",
        lambda p: p.article.write_bytes(
            p.article.read_bytes().replace(b"Example", b"Ex\xe4mple", 1)
        ),
        "not-utf8",
        ARTICLE,
        None,
    ),
    (
        "empty-corpus",
        lambda p: shutil.rmtree(p.root / "corpus" / "articles" / EXAMPLE),
        "empty-corpus",
        "corpus/articles",
        None,
    ),
]


@pytest.mark.parametrize(
    ("damage", "code", "file", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_reported(
    project: Project, damage: Callable[[Project], None], code: str, file: str, needle: str | None
) -> None:
    damage(project)
    exit_code, report = project.validate()
    assert exit_code == 1
    assert not report["valid"]
    found = [e for e in report["errors"] if e["code"] == code]
    assert found, f"no {code} in {report['errors']}"
    assert all(e["file"] == file for e in found)
    if needle is not None:
        assert found[0]["line"] == _line(project, file, needle)
    elif file.endswith((".yaml", ".txt")):
        assert isinstance(found[0]["line"], int) and found[0]["line"] >= 1


def test_mismatch_says_where_the_text_is(project: Project) -> None:
    # Regression for the helpful diagnosis: an off-by-n span names the nearest true position.
    project.edit_article("start: 132, end: 144", "start: 135, end: 147")
    _, report = project.validate()
    (finding,) = [e for e in report["errors"] if e["code"] == "span-text-mismatch"]
    assert "found 3 characters earlier, at 132:144" in finding["message"]


def test_every_finding_is_reported_not_only_the_first(project: Project) -> None:
    project.edit_article("entity: ruritania", "entity: atlantis")
    project.edit_article("type: CONSULT", "type: MEET")
    project.edit_article("start: 146, end: 149", "start: 147, end: 150")
    _, report = project.validate()
    assert {"missing-reference", "not-in-enum", "span-text-mismatch"} <= {
        e["code"] for e in report["errors"]
    }


def test_abbreviated_span_checks_both_ends(project: Project) -> None:
    whole = '- {start: 97, end: 311, text: "The foreign minister of … after the meeting."}'
    text = project.article.read_text(encoding="utf-8")
    body = text[text.index("body:\n") : text.index("mentions:")]
    project.article.write_text(text.replace(body, f"body:\n  {whole}\n"), encoding="utf-8")
    assert project.validate()[0] == 0
    project.edit_article("after the meeting.", "after the summit.")
    code, report = project.validate()
    assert code == 1 and [e["code"] for e in report["errors"]] == ["span-text-mismatch"]


def test_event_after_publication_is_a_warning_that_can_be_waived(project: Project) -> None:
    project.edit_article(
        'date: "2020-01-01"\n    date_evidence', 'date: "2020-02-01"\n    date_evidence'
    )
    code, report = project.validate()
    assert code == 0
    assert [e["code"] for e in report["errors"]] == ["event-after-publication"]
    assert report["errors"][0]["severity"] == "warning"
    (project.root / "corpus" / "waivers.yaml").write_text(
        f"waivers:\n  - {{code: event-after-publication, file: {ARTICLE}, id: e1, reason: reviewed}}\n"
    )
    assert project.validate()[1]["errors"] == []


def test_unused_waiver_is_a_warning(project: Project) -> None:
    (project.root / "corpus" / "waivers.yaml").write_text(
        f"waivers:\n  - {{code: mojibake, file: {RAW}, reason: old}}\n"
    )
    code, report = project.validate()
    assert code == 0
    assert [(e["code"], e["line"]) for e in report["errors"]] == [("unused-waiver", 2)]


def test_duplicate_article_id_across_the_corpus(project: Project) -> None:
    articles = project.root / "corpus" / "articles"
    shutil.copytree(articles / EXAMPLE, articles / "2020-01-02-copy")
    _, report = project.validate()
    codes = {e["code"] for e in report["errors"]}
    assert {"duplicate-id", "id-folder-mismatch"} <= codes


def test_unusable_path_exits_2_with_one_sentence(
    tmp_path: Path, cli: Callable[..., object]
) -> None:
    for path in (tmp_path / "absent", tmp_path):
        result = cli("validate", str(path))
        assert result.exit_code == 2  # type: ignore[attr-defined]
        assert str(path) in result.output  # type: ignore[attr-defined]


def test_github_and_text_formats(project: Project, cli: Callable[..., object]) -> None:
    project.edit_article("type: CONSULT", "type: MEET")
    gh = cli("validate", str(project.root), "--format", "github")
    line = _line(project, ARTICLE, "type: MEET")
    assert gh.exit_code == 1  # type: ignore[attr-defined]
    assert f"::error file={ARTICLE},line={line},title=not-in-enum" in gh.output  # type: ignore[attr-defined]
    text = cli("validate", str(project.root))
    assert "not-in-enum" in text.output and "invalid" in text.output  # type: ignore[attr-defined]


def test_schemas_are_valid_frictionless_table_schemas() -> None:
    frictionless = pytest.importorskip("frictionless")
    from articlepack.schema import load_schemas
    from conftest import ROOT, TABLES

    schemas = load_schemas(ROOT / "schemas")
    assert tuple(schemas) == TABLES  # in dependency order
    for schema in schemas.values():
        report = frictionless.Schema.validate_descriptor(schema.frictionless())
        assert report.valid, (schema.name, report.flatten(["type", "note"]))
