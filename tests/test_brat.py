"""brat standoff: the reader on a collection like brat's own (two annotators, CRLF text, an
emoji and a combining mark before spans, overlapping and discontinuous spans, an event with four
roles and a numbered repeated role, notes, normalizations to Wikidata), each annotation it cannot
carry over with its report line, the writer, and bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from articlepack.interchange import brat
from articlepack.interchange.model import Document, ToolFileError
from interchange_compare import canonical
from test_interchange_core import BRAT, GAZETTE, gazette_project, load_yaml, run


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    found, unmapped = brat.read(BRAT)
    assert unmapped == []  # the collection uses nothing brat's model cannot hold
    return found


def test_reads_every_annotators_version(documents: list[Document]) -> None:
    assert [(d.id, d.annotator) for d in documents] == [(GAZETTE, "alice"), (GAZETTE, "bob")]
    alice = documents[0]
    assert "\r\n" in alice.text and alice.text.startswith("\U0001f600 ")
    assert (len(alice.spans), len(alice.events), len(alice.links)) == (20, 3, 1)


def test_offsets_are_code_points_of_the_text_as_stored(documents: list[Document]) -> None:
    spans = {s.id: s for s in documents[0].spans}
    text = documents[0].text

    def covered(span_id: str) -> str:
        return " ".join(text[s:e] for s, e in spans[span_id].fragments)

    assert covered("T1") == "Ministers meet in Ruritania"  # after an astral emoji
    assert covered("T6") == "Freedonia"  # after a combining acute accent
    assert covered("T5") == 'Example told reporters: "We agreed."'  # after two CRLFs
    assert spans["T18"].fragments == ((92, 100), (115, 127))  # discontinuous


def test_events_roles_attributes_normalizations_notes(documents: list[Document]) -> None:
    events = {e.id: e for e in documents[0].events}
    assert events["E1"].arguments == (
        ("Actor", "T7"), ("Recipient", "T8"), ("Location", "T9"), ("Time", "T11"),
        ("Instrument", "T12"),
    )  # fmt: skip
    assert [role for role, _ in events["E2"].arguments] == ["Actor"] * 3  # Actor2, Actor3
    assert events["E1"].attributes == {
        "Realis": "actual", "Mode": "meet", "Date": "2020-01-01", "Context_diplomatic": True
    }  # fmt: skip
    spans = {s.id: s for s in documents[0].spans}
    assert spans["T12"].normalizations == (("Wikidata", "Q71"),)
    assert spans["T7"].note == "spelled Anna Exampel on other sites"
    assert documents[0].links[0].label == "Located"


UNMAPPED = {
    "unmapped-label": ("T14", "the span label 'MISC' has no mapping"),
    "unmapped-relation-type": ("R1", "the relation type 'Located' has no mapping"),
    "discontinuous": ("T18", "(PER T18) has 2 fragments; the scheme's spans are continuous"),
    "forbidden-overlap": ("T19", "segments may not overlap, and 205:239 overlaps T4 (67:239)"),
    "dangling-relation": ("E2 actors:T14", "actors of E2 refers to T14, which is not imported"),
    "outside-body": ("T20", "its text 20:29 lies outside the article's body segments"),
    "unmapped-role": ("E1 Instrument:T12", "the role 'Instrument' has no mapping for events"),
    "unmapped-attribute": ("E2", "the attribute 'Negation' has no mapping for events"),
    "unmapped-note": ("T7", "the note 'spelled Anna Exampel on other sites' has no place"),
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from typer.testing import CliRunner

    from articlepack.cli import app

    root = gazette_project(tmp_path_factory.mktemp("p") / "p")
    result = CliRunner().invoke(app, ["import", "brat", str(BRAT), str(root), "--replace"])
    assert result.exit_code == 0, result.output
    return root, result.output


@pytest.mark.parametrize("case", UNMAPPED, ids=list(UNMAPPED))
def test_each_annotation_not_carried_over_has_its_report_line(
    imported: tuple[Path, str], case: str
) -> None:
    root, output = imported
    tool_id, reason = UNMAPPED[case]
    report = json.loads((root / "import-report.json").read_text(encoding="utf-8"))
    (entry,) = [u for u in report["unmapped"] if u["tool_id"] == tool_id]
    assert reason in entry["reason"]
    assert entry["source"].endswith(f"alice/{GAZETTE}.ann")
    assert f"{tool_id}: {entry['kind']}: {entry['reason']}" in output
    assert f"{entry['kind']:<24} {report['counts'][entry['kind']]}" in output


def test_the_wikidata_normalization_adds_an_entity(imported: tuple[Path, str]) -> None:
    root, _ = imported
    entities = load_yaml(root / "corpus" / "entities.yaml")["entities"]
    assert entities[-1] == {
        "id": "geneva", "name": "Geneva", "type": "GPE", "aliases": None, "country": None,
        "sector": None, "wikidata": "Q71",
    }  # fmt: skip


def test_the_writer_reads_back(tmp_path: Path, documents: list[Document]) -> None:
    from articlepack.interchange.model import Labels

    labels = Labels(
        spans=("Title", "PER"),
        events={"CONSULT": ("Actor", "Time")},
        attributes={"Realis": ("actual", "planned"), "Context_diplomatic": ()},
        attribute_labels={"Realis": ("CONSULT",)},
    )
    paths = brat.write(documents, labels, tmp_path / "out")
    assert {p.name for p in paths} >= {f"{GAZETTE}.ann", "annotation.conf", "visual.conf"}
    again, _ = brat.read(tmp_path / "out")
    assert [canonical(d) for d in again] == [canonical(d) for d in documents]
    conf = (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    assert "CONSULT\tActor*:<ENTITY>, Time*:<ENTITY>" in conf
    assert "Realis\tArg:CONSULT, Value:actual|planned" in conf
    assert "Context_diplomatic\tArg:<ANY>" in conf


BAD_LINES = {
    "malformed-line": ("T1\tPER 0\tA", 1, "is not `T<n><TAB>Label START END"),
    "offsets-past-the-end": ("T1\tPER 5 99\tworld", 1, "lie outside the text (11 characters)"),
    "span-text-mismatch": ("T1\tPER 0 5\tWorld", 1, "text 'World' is not the text at its offsets"),
    "undefined-reference": ("T1\tPER 0 5\tHello\nE1\tX:T1 Actor:T9", 2, "refers to 'T9'"),
    "id-defined-twice": ("T1\tPER 0 5\tHello\nT1\tPER 6 11\tworld", 2, "defined twice"),
    "unknown-line-kind": ("X1\tfoo", 1, "is not a brat annotation line"),
    "event-without-trigger": ("T1\tPER 0 5\tHello\nE1\tX Actor:T1", 2, "is not `E<n>"),
}


@pytest.mark.parametrize("attack", BAD_LINES, ids=list(BAD_LINES))
def test_bad_ann_names_file_and_line(tmp_path: Path, cli: Callable[..., Any], attack: str) -> None:
    content, line, message = BAD_LINES[attack]
    (tmp_path / "doc.txt").write_text("Hello world", encoding="utf-8")
    (tmp_path / "doc.ann").write_text(content + "\n", encoding="utf-8")
    with pytest.raises(ToolFileError) as caught:
        brat.read(tmp_path)
    assert (caught.value.file, caught.value.line) == (str(tmp_path / "doc.ann"), line)
    assert message in caught.value.message
    result = run(cli, "import", "brat", tmp_path, gazette_project(tmp_path / "p"))
    assert result.exit_code == 2
    assert f"doc.ann:{line}: " in result.output


def test_not_utf8_and_missing_text_are_named(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_bytes(b"caf\xe9\n")
    (tmp_path / "doc.ann").write_text("", encoding="utf-8")
    with pytest.raises(ToolFileError, match=r"doc\.txt:1: byte 3 is not UTF-8"):
        brat.read(tmp_path)
    (tmp_path / "doc.txt").unlink()
    with pytest.raises(ToolFileError, match=r"doc\.txt: cannot read it"):
        brat.read(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ToolFileError, match=r"holds no brat \.ann files"):
        brat.read(empty)


def test_a_tool_text_that_lost_its_crlf_is_re_anchored(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    """A tool that saved the text with LF line ends: each span lands on raw.txt's own offsets."""
    root = gazette_project(tmp_path / "p")
    tool = tmp_path / "lf"
    shutil.copytree(BRAT / "alice", tool)
    text = (tool / f"{GAZETTE}.txt").read_bytes().decode("utf-8")
    (tool / f"{GAZETTE}.txt").write_bytes(text.replace("\r\n", "\n").encode("utf-8"))
    lines = []
    for line in (tool / f"{GAZETTE}.ann").read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):  # the same spans, counted on the LF text
            ident, head, covered = line.split("\t")
            label, places = head.split(" ", 1)
            moved = []
            for place in places.split(";"):
                start, end = map(int, place.split())
                shift = text[:start].count("\r")
                moved.append(f"{start - shift} {end - shift}")
            line = f"{ident}\t{label} {';'.join(moved)}\t{covered}"
        lines.append(line)
    (tool / f"{GAZETTE}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(cli, "import", "brat", tool, root, "--replace").exit_code == 0
    article = load_yaml(root / "corpus" / "articles" / GAZETTE / "article.yaml")
    assert article["quotes"][0]["content"] == {"start": 266, "end": 276, "text": "We agreed."}
    raw = (root / "corpus" / "articles" / GAZETTE / "raw.txt").read_bytes()
    assert raw == (BRAT / "alice" / f"{GAZETTE}.txt").read_bytes()  # raw.txt is never edited
