"""Messages that guide: each test is a mistake a newcomer made, and what the finding must say.

Regression tests for the newcomer's report (issue 16): findings named annotations by list index,
a duplicate id printed an internal JSON key, a CRLF checkout gave hundreds of span errors, a tab
was blamed on the line before it, and "found 0 characters earlier" told nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bad_inputs.support import line_with, rewrite_article, validate
from conftest import EXAMPLE, Project
from custom_scheme import custom_project

ARTICLE = f"corpus/articles/{EXAMPLE}/article.yaml"
DAMASCUS = "corpus/articles/2016-06-asharq-alawsat-shoigu-damascus/article.yaml"


def _of(outcome: Any, code: str) -> list[dict[str, Any]]:
    found = outcome.of(code)
    assert found, f"no {code} in {outcome.findings}"
    return list(found)


def test_a_finding_names_its_annotation_by_id_not_its_position(project: Project) -> None:
    project.edit_article("entity: ruritania}", "entity: ruritanai}")  # m4, the fourth mention
    project.edit_article("actors: [m2]", "actors: [m9]")  # e1's argument
    project.edit_article("{id: m1, start: 121,", "{id: m1, entiy: x, start: 121,")  # read in Python
    outcome = validate(project.root)
    codes = ("missing-reference", "unknown-key")
    by_id = {f["id"]: f["message"] for f in outcome.findings if f["code"] in codes}
    assert by_id["m4"].startswith("mentions[id=m4].entity: 'ruritanai'")
    assert by_id["e1"].startswith("events[id=e1].actors[0]: 'm9'")
    assert "`mentions[id=m1].entiy`" in by_id["m1"]
    assert not [f for f in outcome.findings if re.search(r"(mentions|events)\[\d", f["message"])]


def test_a_finding_about_the_article_itself_carries_the_article_id(project: Project) -> None:
    project.edit_article("language: en", "language: english")
    (finding,) = _of(validate(project.root), "bad-pattern")
    assert finding["id"] == EXAMPLE and finding["message"].startswith("language:")


def test_a_custom_layer_is_named_by_its_ids_too(tmp_path: Path) -> None:
    # the relations layer is known only to the custom scheme's schemas
    project = custom_project(tmp_path / "custom")
    project.edit_article("head: m2", "head: m7")
    (finding,) = _of(validate(project.root), "missing-reference")
    assert finding["id"] == "r1"
    assert finding["message"].startswith("relations[id=r1].head: 'm7' is not a known mention id")


def test_a_duplicate_mention_id_names_the_id_and_both_lines(project: Project) -> None:
    project.edit_article("{id: m2,", "{id: m1,")
    found = _of(validate(project.root), "duplicate-id")
    first, second = (
        line_with(project.article, "id: m1,"),
        line_with(project.article, "id: m1, start: 132"),
    )
    assert sorted(f["line"] for f in found) == [first, second]
    for f in found:
        assert f["id"] == "m1"
        assert "id 'm1' is used more than once in mentions" in f["message"]
        assert f"(lines {first} and {second})" in f["message"]
        assert "_path" not in f["message"] and "{" not in f["message"]


def test_a_duplicate_entity_id_names_both_lines(project: Project) -> None:
    entities = project.root / "corpus" / "entities.yaml"
    project.edit("corpus/entities.yaml", "{id: ruritania,", "{id: freedonia,")
    found = _of(validate(project.root), "duplicate-id")
    lines = sorted(f["line"] for f in found)
    assert lines == [
        line_with(entities, "id: freedonia"),
        line_with(entities, "{id: freedonia, name: Ruritania"),
    ]
    assert all(f"(lines {lines[0]} and {lines[1]})" in f["message"] for f in found)


def test_a_copied_article_folder_names_the_other_file(project: Project) -> None:
    import shutil

    articles = project.root / "corpus" / "articles"
    shutil.copytree(articles / EXAMPLE, articles / "2020-01-02-copy")
    found = _of(validate(project.root), "duplicate-id")
    assert {f["file"] for f in found} == {ARTICLE, "corpus/articles/2020-01-02-copy/article.yaml"}
    found = [f for f in found if f["message"].startswith("id: ")]  # not the body's seq keys
    assert len(found) == 2
    for f in found:
        assert f"{ARTICLE}:1" in f["message"] and "2020-01-02-copy/article.yaml:1" in f["message"]


def test_a_misspelt_entity_id_gets_a_suggestion(project: Project) -> None:
    project.edit_article("entity: anna-example}", "entity: anna-exmaple}")
    (finding,) = _of(validate(project.root), "missing-reference")
    assert finding["message"].endswith("is not a known entity id; did you mean 'anna-example'?")


def test_an_unrelated_entity_id_gets_no_suggestion(project: Project) -> None:
    project.edit_article("entity: ruritania}", "entity: atlantis}")
    (finding,) = _of(validate(project.root), "missing-reference")
    assert "did you mean" not in finding["message"]


@pytest.mark.parametrize(
    ("old", "new", "meant"),
    [
        ("type: CONSULT", "type: consult", "CONSULT"),
        ("kind: direct", "kind: Direct", "direct"),
        ("context: [diplomatic]", "context: [Diplomatic]", "diplomatic"),  # a list's item
    ],
    ids=["event-type-lowercase", "quote-kind-capitalised", "context-item-capitalised"],
)
def test_an_enum_value_in_the_wrong_case_gets_a_suggestion(
    project: Project, old: str, new: str, meant: str
) -> None:
    project.edit_article(old, new)
    (finding,) = _of(validate(project.root), "not-in-enum")
    assert finding["message"].endswith(f"did you mean {meant!r}?")


@pytest.mark.parametrize(
    ("file", "old", "new", "meant"),
    [
        (ARTICLE, "language: en", "langauge: en\nlanguage: en", "language"),
        (ARTICLE, "{id: m1, start: 121,", "{id: m1, entiy: x, start: 121,", "entity"),
        ("corpus/dataset.yaml", "version: 0.1.0", "version: 0.1.0\nkeywrods: [x]", "keywords"),
    ],
    ids=["article-key", "mention-key", "dataset-key"],
)
def test_an_unknown_key_gets_a_suggestion(
    project: Project, file: str, old: str, new: str, meant: str
) -> None:
    project.edit(file, old, new)
    (finding,) = _of(validate(project.root), "unknown-key")
    assert f"did you mean {meant!r}?" in finding["message"]


def test_a_crlf_checkout_of_the_bundled_corpus_is_two_findings_an_article(repo_copy: Path) -> None:
    # Regression: a clone with core.autocrlf=true gave 584 errors, one per span and hash.
    raws = sorted((repo_copy / "corpus" / "articles").glob("*/raw.txt"))
    for raw in raws:
        raw.write_bytes(raw.read_bytes().replace(b"\n", b"\r\n"))
    outcome = validate(repo_copy)
    assert sorted({f["code"] for f in outcome.findings}) == ["crlf-offsets", "hash-mismatch"]
    assert len(outcome.findings) == 2 * len(raws)
    for f in outcome.of("crlf-offsets"):
        assert "`articlepack fix --write`" in f["message"] and f["line"] is not None
    for f in outcome.of("hash-mismatch"):
        assert "core.autocrlf" in f["message"] and "-text" in f["message"]


def test_crlf_raw_with_lf_offsets_and_a_fresh_hash_is_one_finding(project: Project) -> None:
    # A tool that gave CRLF text and counted offsets on LF: the hash is right, the offsets are not.
    data = project.raw.read_bytes().replace(b"\n", b"\r\n")
    project.raw.write_bytes(data)
    rewrite_article(project.article, data)
    outcome = validate(project.root)
    (finding,) = outcome.of("crlf-offsets")
    assert not outcome.of("span-text-mismatch") and not outcome.of("hash-mismatch")
    assert re.search(
        r"the offsets of \d+ spans count each line ending as one character", finding["message"]
    )


def test_one_span_right_on_crlf_is_not_blamed_on_line_endings(project: Project) -> None:
    data = project.raw.read_bytes().replace(b"\n", b"\r\n")
    project.raw.write_bytes(data)
    lf = data.decode().replace("\r\n", "\n")
    rewrite_article(project.article, data, lambda o: o + lf[:o].count("\n"))  # counted right
    trigger = f"start: {146 + lf[:146].count(chr(10))}, end: {149 + lf[:149].count(chr(10))}"
    project.edit_article(trigger, "start: 1, end: 4")  # one span wrong, on the first line
    outcome = validate(project.root)
    assert not outcome.of("crlf-offsets")
    assert len(outcome.of("span-text-mismatch")) == 1


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("  record: example-0001", "\trecord: example-0001", "\trecord"),
        ("    realis: actual", "\t    realis: actual", "\t    realis"),  # after a plain scalar
        ("    realis: actual", "  \t  realis: actual", "  \t  realis"),
    ],
    ids=["tab-indents-a-key", "tab-after-a-plain-value", "tab-inside-the-indent"],
)
def test_a_tab_in_the_indentation_says_indent_with_spaces_at_its_own_line(
    project: Project, old: str, new: str, needle: str
) -> None:
    # Regression: the parser noticed the second case on the line before the tab.
    project.edit_article(old, new)
    (finding,) = _of(validate(project.root), "yaml-syntax")
    assert "indent with spaces" in finding["message"]
    assert finding["line"] == line_with(project.article, needle)


@pytest.mark.parametrize(
    ("offsets", "says"),
    [
        ("start: 146, end: 150", "the start is right and the end is wrong (1 character too far; "),
        ("start: 146, end: 148", "the start is right and the end is wrong (1 character short; "),
        ("start: 145, end: 149", "the end is right and the start is wrong (1 character too early"),
        ("start: 147, end: 149", "the end is right and the start is wrong (1 character too late"),
    ],
    ids=["end-too-far", "end-short", "start-too-early", "start-too-late"],
)
def test_an_offset_that_is_off_says_which_end_is_wrong(
    project: Project, offsets: str, says: str
) -> None:
    project.edit_article("start: 146, end: 149", offsets)
    (finding,) = _of(validate(project.root), "span-text-mismatch")
    assert says in finding["message"]
    assert ("the text ends at 149" if "end is wrong" in says else "the text starts at 146") in (
        finding["message"]
    )


def test_found_0_characters_never_appears(repo_copy: Path) -> None:
    # Every end of the bundled corpus's first ten mentions moved by one and by three, both ways:
    # the message names the wrong end, and never a shift of nothing.
    article = (
        repo_copy
        / "corpus"
        / "articles"
        / "2014-01-reuters-lavrov-kerry-brahimi-talks"
        / "article.yaml"
    )
    original = article.read_text(encoding="utf-8")
    spans = re.findall(r"\{id: m(?:[1-9]|10), start: (\d+), end: (\d+)", original)
    messages = []
    for start, end in spans:
        for delta in (-3, -1, 1, 3):
            text = original.replace(
                f"start: {start}, end: {end}", f"start: {start}, end: {int(end) + delta}", 1
            )
            article.write_text(text, encoding="utf-8")
            messages += [f["message"] for f in validate(repo_copy).of("span-text-mismatch")]
    article.write_text(original, encoding="utf-8")
    assert len(messages) == 4 * len(spans)
    assert not [m for m in messages if "0 characters" in m]
    assert all("the start is right and the end is wrong" in m for m in messages)


def test_an_invalid_date_gives_no_ordering_warning(project: Project) -> None:
    # Regression: 2020-02-30 was reported as impossible *and* as later than the publication.
    project.edit_article(
        'date: "2020-01-01"\n    date_evidence', 'date: "2020-02-30"\n    date_evidence'
    )
    outcome = validate(project.root)
    assert [f["code"] for f in outcome.findings if f["file"] == ARTICLE] == ["bad-date"]


def test_an_invalid_publication_date_orders_no_event(project: Project) -> None:
    project.edit_article('  date: "2020-01-01"\n  basis', '  date: "2019-13"\n  basis')
    outcome = validate(project.root)
    assert outcome.of("bad-date") and not outcome.of("event-after-publication")


def test_a_valid_later_date_still_warns(project: Project) -> None:
    project.edit_article(
        'date: "2020-01-01"\n    date_evidence', 'date: "2020-02"\n    date_evidence'
    )
    (finding,) = _of(validate(project.root), "event-after-publication")
    assert finding["id"] == "e1"
    assert finding["message"] == (
        "events[id=e1].date: 2020-02 is after its article's published_date 2020-01-01 "
        "(and realis actual)"
    )


@pytest.mark.parametrize(
    ("old", "new", "differs"),
    [
        (
            'text: "Hmeimim’s airbase"',
            'text: "Hmeimim\'s airbase"',
            "character 7 is \"'\" (U+0027 APOSTROPHE) in the text but '’' "
            "(U+2019 RIGHT SINGLE QUOTATION MARK) in raw.txt",
        ),
        (
            "the “Tehran meeting” was",
            'the \\"Tehran meeting\\" was',  # escaped inside the YAML string
            "'\"' (U+0022 QUOTATION MARK) in the text but '“' "
            "(U+201C LEFT DOUBLE QUOTATION MARK) in raw.txt",
        ),
    ],
    ids=["straight-apostrophe", "straight-double-quotes"],
)
def test_a_straight_quote_for_a_curly_one_shows_the_characters(
    repo_copy: Path, old: str, new: str, differs: str
) -> None:
    article = repo_copy / DAMASCUS
    article.write_text(article.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    (finding,) = _of(validate(repo_copy), "span-text-mismatch")
    assert differs in finding["message"]


def test_a_hyphen_for_a_dash_shows_the_characters(repo_copy: Path) -> None:
    article = repo_copy / "corpus/articles/2016-01-28-alalam-freij-shoigu-moscow/article.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace('text: "Some 17 nations — including', 'text: "Some 17 nations - including', 1),
        encoding="utf-8",
    )
    (finding,) = _of(validate(repo_copy), "span-text-mismatch")
    assert (
        "'-' (U+002D HYPHEN-MINUS) in the text but '—' (U+2014 EM DASH) in raw.txt"
        in finding["message"]
    )


def test_json_findings_all_carry_an_id_where_the_row_has_one(project: Project) -> None:
    project.edit_article("type: CONSULT", "type: MEET")
    project.edit(
        "corpus/entities.yaml", "name: Freedonia, type: GPE", "name: Freedonia, type: COUNTRY"
    )
    _, report = project.validate()
    ids = {(e["code"], e["id"]) for e in report["errors"] if e["code"] == "not-in-enum"}
    assert ids == {("not-in-enum", "e1"), ("not-in-enum", "freedonia")}
    assert json.dumps(report)  # the report stays JSON


def test_a_line_found_by_parser_events_is_the_line_the_node_graph_gives() -> None:
    # A file with few findings is located by libyaml's events, read only as far as each path
    # (a CRLF checkout of 2,000 articles was 64 s in composing them); both ways must agree.
    from articlepack import _lines, _yaml
    from articlepack.corpus import read
    from articlepack.shape import decode_path
    from conftest import ROOT

    corpus = read(ROOT, cache=False)
    paths: dict[str, list[tuple[Any, ...]]] = {}
    for name, schema in corpus.schemas.items():
        for row in corpus.tables[name].select("_file", "_path").iter_rows():
            for column in schema.paths.values():
                paths.setdefault(row[0], []).append((*decode_path(row[1]), *column))
    tricky = (
        "a: &x {b: [1, {c: 2}]}\n'd': *x\n\"e\": |\n  text\n? [f]\n: g\n"
        "h:\n  - i: 1\n    # a comment\n    j: [k, l]\n"
    )
    paths["tricky"] = [("a", "b", 1, "c"), ("d", "b"), ("e",), ("h", 0, "j", 1), ("h", 3), ("z",)]
    checked = 0
    for file, wanted in paths.items():
        text = tricky if file == "tricky" else (ROOT / file).read_text(encoding="utf-8")
        for path in [*wanted[::10], ("no", "such", "key")]:  # every tenth: a second, not 20
            assert _lines.lines_of(text, [path]) == [_yaml.line_of(text, path)], (file, path)
            checked += 1
    assert checked > 300
