"""doccano JSONL: both span forms, UTF-16 offsets after an emoji, a CRLF text with a combining
mark, overlapping spans, two annotators (one file per user), relations, comments, and a text
classification; imported into the bundled scheme and into the custom one; bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from articlepack.interchange import doccano
from articlepack.interchange.model import ToolFileError
from custom_scheme import custom_project
from test_interchange_core import (
    FIXTURES,
    GAZETTE,
    assert_same_tables,
    gazette_project,
    load_yaml,
    run,
    tables,
)

DOCCANO = FIXTURES / "doccano"


def test_utf16_offsets_become_code_points() -> None:
    (alice, bob), unmapped = doccano.read(DOCCANO / "users")
    assert (alice.annotator, bob.annotator, alice.id) == ("alice", "bob", GAZETTE)
    covered = [alice.text[s:e] for span in alice.spans for s, e in span.fragments]
    assert covered == [
        "Freedonia",
        "Anna Example",
        "Example",
        "Boris Sample",
        "Ruritania",
        "Geneva",
    ]  # fmt: skip  (after an emoji: 2 UTF-16 units, 1 code point; "Anna Example" overlaps)
    assert "\r\n" in alice.text and "Cafe\u0301" in alice.text
    assert [(u.tool_id, u.kind) for u in unmapped] == [("comment", "unmapped-note")]
    assert "the title says Ruritania twice?" in unmapped[0].reason


def test_entities_relations_and_a_classification() -> None:
    (doc,), _ = doccano.read(DOCCANO / "example.jsonl")
    assert doc.annotator is None
    assert [link.label for link in doc.links] == ["meets"]
    assert (doc.links[0].source, doc.links[0].target) == ("T102", "T103")
    assert doc.attributes == {"label_diplomatic": True}


MENTIONS = """\
layers:
  mentions:
    spans: [{label_from: entity_id.type}]
    references: {entity_id: {match: [name, aliases], create: {name: text}}}
"""


def test_import_two_annotators_into_the_bundled_scheme(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    root = gazette_project(tmp_path / "p")
    mapping = tmp_path / "mentions.yaml"
    mapping.write_text(MENTIONS, encoding="utf-8")
    result = run(cli, "import", "doccano", DOCCANO / "users", root, "--mapping", mapping,
                 "--replace")  # fmt: skip
    assert result.exit_code == 0, result.output
    mentions = load_yaml(root / "corpus" / "articles" / GAZETTE / "article.yaml")["mentions"]
    assert [(m["text"], m["entity"]) for m in mentions] == [
        ("Freedonia", "freedonia"),
        ("Anna Example", "anna-example"),
        ("Example", "anna-example"),
        ("Boris Sample", "boris-sample"),
        ("Ruritania", "ruritania"),
        ("Geneva", "geneva"),
    ]  # fmt: skip  (names and aliases, as the mapping asks; Geneva is new)
    bob = load_yaml(root / "corpus" / "annotations" / "bob" / f"{GAZETTE}.yaml")
    assert [m["text"] for m in bob["mentions"]] == ["Anna Example", "Boris Sample"]


def test_import_relations_into_the_custom_scheme(tmp_path: Path, cli: Callable[..., Any]) -> None:
    """doccano's relations are the custom scheme's; what doccano does not carry (a relation's
    confidence and evidence) stays as the article has it."""
    project = custom_project(tmp_path / "custom").root
    before = tables(project)
    mapping = tmp_path / "relations.yaml"
    mapping.write_text(
        MENTIONS
        + "  relations:\n    links: [{label_from: type, source: head, target: tail}]\n"
        + "document:\n  attributes: {label: frames}\n",
        encoding="utf-8",
    )
    result = run(cli, "import", "doccano", DOCCANO / "example.jsonl", project, "--mapping",
                 mapping, "--replace")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_same_tables(before, tables(project))


BAD = {
    "not-json": ("{text: 1}", "not a JSON object"),
    "no-text": ('{"id": 1}', "a doccano line is a JSON object with a `text`"),
    "inside-a-surrogate-pair": (
        json.dumps({"text": "\U0001f600 ab", "label": [[1, 4, "PER"]]}),
        "falls inside a surrogate pair",
    ),
    "offsets-past-the-end": (
        json.dumps(
            {
                "text": "ab",
                "entities": [{"id": 1, "label": "X", "start_offset": 0, "end_offset": 9}],
            }
        ),
        "lies outside the text",
    ),
    "relation-to-nothing": (
        json.dumps(
            {
                "text": "ab",
                "entities": [],
                "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "x"}],
            }
        ),
        "joins entities the line does not have",
    ),
}


@pytest.mark.parametrize("attack", BAD, ids=list(BAD))
def test_bad_jsonl_names_file_and_line(tmp_path: Path, attack: str) -> None:
    line, message = BAD[attack]
    path = tmp_path / "export.jsonl"
    path.write_text('{"text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ToolFileError) as caught:
        doccano.read(path)
    assert (caught.value.file, caught.value.line) == (str(path), 2)
    assert message in caught.value.message
