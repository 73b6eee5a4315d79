"""INCEpTION: UIMA CAS XMI and CAS JSON with their TypeSystem, read and written with dkpro-cassis.

The fixtures imitate an INCEpTION project export (``annotation/<document>/<user>.xmi``): DKPro
Core's NamedEntity with a Wikidata identifier, custom span, relation and event layers (a slot
feature with three roles), a coreference chain, sentences and tokens; a CAS JSON with a string
array. UIMA counts UTF-16 units: cassis converts, and a bad offset is an error here."""

from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from articlepack.interchange import inception
from articlepack.interchange.model import Document, Event, Labels, Link, Span, ToolFileError
from custom_scheme import custom_project
from interchange_compare import canonical, round_trip
from test_interchange_core import CUSTOM_MAPPING
from test_labelstudio import EXPORTED, LABELS

FIXTURES = Path(__file__).parent / "fixtures" / "inception"
FOLDER = FIXTURES / "annotation" / "2024-01-28-example-freij-shoigu.txt"
ARTICLE = "2024-01-28-example-freij-shoigu"


@pytest.fixture(scope="module")
def fixture() -> tuple[list[Document], list[Any]]:
    return inception.read(FIXTURES)


@pytest.fixture(scope="module")
def anna(fixture: tuple[list[Document], list[Any]]) -> Document:
    return fixture[0][0]


def by_id(document: Document) -> dict[str, Span]:
    return {span.id: span for span in document.spans}


def covered(document: Document, span_id: str) -> str:
    start, end = by_id(document)[span_id].fragments[0]
    return document.text[start:end]


def test_documents_users_and_texts_follow_the_export_layout(
    fixture: tuple[list[Document], list[Any]],
) -> None:
    found = [(d.id, d.annotator) for d in fixture[0]]
    assert found == [(ARTICLE, "anna"), (ARTICLE, "boris"), ("2024-01-30-example-geneva", "anna")]
    assert fixture[0][0].text.count("\r\n") == 3  # CRLF kept


def test_utf16_offsets_after_a_flag_and_an_emoji_become_code_points(anna: Document) -> None:
    xmi = (FOLDER / "anna.xmi").read_text(encoding="utf-8")
    begin = re.search(r'xmi:id="22" sofa="100" begin="(\d+)"', xmi)
    assert begin and covered(anna, "22") == "Sergei Shoigu"
    assert int(begin.group(1)) - by_id(anna)["22"].fragments[0][0] == 3


def test_spans_of_builtin_and_custom_layers(anna: Document) -> None:
    assert covered(anna, "24") == "Zoe\u0308 Ivanova"  # a combining diaeresis
    assert by_id(anna)["23"].normalizations == (("Wikidata", "Q649"),)
    assert by_id(anna)["40"] == Span(
        "40", "Quote", ((153, 163),), {"kind": "direct", "verbatim": True}
    )
    inner, outer = by_id(anna)["20"].fragments[0], by_id(anna)["21"].fragments[0]
    assert outer[0] < inner[0] < inner[1] == outer[1]  # overlapping entities
    assert {span.label for span in anna.spans} == {"PER", "LOC", "Event", "Quote"}  # no tokens


def test_slot_feature_is_an_event_with_three_roles(anna: Document) -> None:
    assert anna.events == (
        Event(
            "30",
            "Event",
            "30",
            (("Actor", "20"), ("Recipient", "22"), ("Location", "23")),
            {"category": "CONSULT", "realis": "actual"},
        ),
    )


def test_relation_layer_and_document_layer(anna: Document) -> None:
    assert anna.links == (Link("41", "QuoteSpeaker", "40", "24"),)
    assert anna.attributes == {"sentiment": "neutral"}


def test_cas_json_with_astral_text_and_a_string_array(
    fixture: tuple[list[Document], list[Any]],
) -> None:
    geneva = fixture[0][2]
    assert covered(geneva, "2") == "Geneva" and geneva.text.startswith("🇨🇭")
    assert by_id(geneva)["2"].normalizations == (("Wikidata", "Q71"),)
    assert geneva.attributes == {"frames_diplomatic": True, "frames_conflict": True}


@pytest.mark.parametrize(
    ("tool_id", "kind", "reason"),
    [
        ("60", "unsupported-feature", "feature next of de.tudarmstadt.ukp.dkpro.core.api.coref"),
        ("62", "unsupported-feature", "feature first of"),
        ("30", "dangling-relation", "role 'Recipient': an empty slot"),
    ],
    ids=["coreference-link-next", "coreference-chain", "empty-slot"],
)
def test_fixture_reports_what_it_cannot_carry(
    fixture: tuple[list[Document], list[Any]], tool_id: str, kind: str, reason: str
) -> None:
    (line,) = [u for u in fixture[1] if u.tool_id == tool_id]
    assert (line.kind, line.source) == (kind, str(FOLDER / "boris.xmi"))
    assert line.reason.startswith(reason)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A copy of the fixture export, to be attacked."""
    shutil.copytree(FIXTURES, tmp_path / "export")
    return tmp_path / "export"


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


ANNA = "annotation/2024-01-28-example-freij-shoigu.txt/anna.xmi"
VIEW = '<cas:View sofa="100" members="'


def test_annotation_of_an_unknown_type_is_reported(export: Path) -> None:
    edit(export / ANNA, VIEW, '<custom:Stance xmi:id="77" sofa="100" begin="0" end="4"/>\n' + VIEW)
    edit(export / ANNA, 'members="1 ', 'members="77 1 ')
    _, unmapped = inception.read(export / ANNA)
    assert [(u.tool_id, u.kind, u.reason) for u in unmapped] == [
        ("77", "unknown-type", "type webanno.custom.Stance is not in the TypeSystem")
    ]


def test_relation_to_a_token_is_reported(export: Path) -> None:
    edit(export / ANNA, 'Governor="40" Dependent="24"', 'Governor="40" Dependent="13"')
    (document,), unmapped = inception.read(export / ANNA)
    assert document.links == ()
    assert [(u.tool_id, u.kind) for u in unmapped] == [("41", "dangling-relation")]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('<cas:NULL xmi:id="0"/>', '<cas:NULL xmi:id="0">', r"anna\.xmi:\d+: not XMI"),
        ('begin="73" end="86"', 'begin="73" end="9999"', "outside the text"),
        ('xmi:id="20" sofa="100" begin="52"', 'xmi:id="20" sofa="100" begin="1"', "offset"),
        ('<?xml version="1.0" encoding="UTF-8"?>\n',
         '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n',
         "a DOCTYPE"),
    ],
    ids=["malformed-xmi", "offset-out-of-range", "offset-inside-surrogate-pair", "doctype-entity"],
)  # fmt: skip
def test_bad_xmi_is_an_error_naming_the_file(
    export: Path, old: str, new: str, message: str
) -> None:
    edit(export / ANNA, old, new)
    with pytest.raises(ToolFileError, match=message):
        inception.read(export)


def test_malformed_cas_json_is_an_error_with_its_line(export: Path) -> None:
    file = export / "annotation" / "2024-01-30-example-geneva.txt" / "anna.json"
    edit(file, '"%VIEWS"', '"%VIEWS" "')
    with pytest.raises(ToolFileError, match=r"anna\.json:\d+: not CAS JSON"):
        inception.read(file)


def test_malformed_typesystem_is_an_error(export: Path) -> None:
    edit(export / "TypeSystem.xml", "</types>", "<types>")
    with pytest.raises(ToolFileError, match=r"TypeSystem\.xml is not XML"):
        inception.read(export / ANNA)


def per_user_zip(export: Path, *members: tuple[str, bytes]) -> Path:
    """INCEpTION's project export keeps each user's CAS in annotation/<document>/<user>.zip."""
    folder = export / "annotation" / "2024-01-28-example-freij-shoigu.txt"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    (folder / "carl.zip").write_bytes(buffer.getvalue())
    return folder / "carl.zip"


def test_per_user_zip_of_a_project_export(export: Path, anna: Document) -> None:
    xmi, types = (export / ANNA).read_bytes(), (export / "TypeSystem.xml").read_bytes()
    per_user_zip(export, ("carl.xmi", xmi), ("TypeSystem.xml", types))
    documents, _ = inception.read(export)
    carl = next(d for d in documents if d.annotator == "carl")
    assert canonical(replace(carl, annotator="anna")) == canonical(anna)


def test_zip_with_two_cases_is_an_error(export: Path) -> None:
    zipped = per_user_zip(export, ("a.xmi", b"<x/>"), ("b.xmi", b"<x/>"))
    with pytest.raises(ToolFileError, match="expected one CAS"):
        inception.read(zipped)


def test_zip_that_claims_a_huge_member_is_refused(export: Path) -> None:
    # a zip bomb announces its size in the central directory: refuse before inflating anything
    zipped = per_user_zip(export, ("carl.xmi", b"<x/>"))
    data = bytearray(zipped.read_bytes())
    directory = data.index(b"PK\x01\x02")
    data[directory + 24 : directory + 28] = struct.pack("<I", 0x7FFFFFFF)  # uncompressed size
    zipped.write_bytes(bytes(data))
    with pytest.raises(ToolFileError, match=r"carl\.xmi would inflate to 2147483647 bytes"):
        inception.read(zipped)


def test_file_named_zip_that_is_not_one_is_an_error(export: Path) -> None:
    zipped = per_user_zip(export, ("carl.xmi", b"<x/>"))
    zipped.write_bytes(b"not a zip")
    with pytest.raises(ToolFileError, match="not a zip file"):
        inception.read(zipped)


def test_xmi_and_json_copies_that_differ_are_an_error(tmp_path: Path) -> None:
    inception.write([EXPORTED], LABELS, tmp_path)
    edit(tmp_path / "annotation" / "a-1" / "INITIAL_CAS.xmi", 'value="GPE"', 'value="LOC"')
    with pytest.raises(ToolFileError, match=r"differs from .*INITIAL_CAS\.json"):
        inception.read(tmp_path)


def test_round_trip_of_the_fixture(
    tmp_path: Path, fixture: tuple[list[Document], list[Any]]
) -> None:
    inception.write(fixture[0], Labels(), tmp_path)
    again, unmapped = inception.read(tmp_path)
    assert unmapped == []
    assert [canonical(d) for d in again] == [canonical(d) for d in fixture[0]]


def test_export_layout_and_conventions_read_back(tmp_path: Path) -> None:
    paths = inception.write([EXPORTED], LABELS, tmp_path)
    names = [p.relative_to(tmp_path).as_posix() for p in paths]
    assert names == [
        "TypeSystem.xml",
        "annotation/a-1/INITIAL_CAS.xmi",
        "annotation/a-1/INITIAL_CAS.json",
    ]
    (document,), unmapped = inception.read(tmp_path)
    assert unmapped == [] and document.annotator is None and "fragments" not in inception.CARRIES
    expected = replace(
        EXPORTED,
        spans=(
            *EXPORTED.spans[:3],
            Span("T4", "quote", ((0, 8),)),
            Span("T4b", "quote", ((27, 35),)),
            EXPORTED.spans[4],
        ),
    )
    assert canonical(document) == canonical(expected)  # a fragment is an annotation of its own
    xmi = (tmp_path / "annotation" / "a-1" / "INITIAL_CAS.xmi").read_text(encoding="utf-8")
    assert 'identifier="http://www.wikidata.org/entity/Q1"' in xmi


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (replace(EXPORTED, annotator="../etc"), "cannot name a file"),
        (replace(EXPORTED, attributes={"a-b": "x"}), "cannot be a UIMA feature name"),
        (replace(EXPORTED, attributes={"value": "x"}), "cannot be a UIMA feature name"),
    ],
    ids=["annotator-path-traversal", "attribute-not-an-identifier", "attribute-shadows-label"],
)
def test_unwritable_names_are_refused(tmp_path: Path, document: Document, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        inception.write([document], LABELS, tmp_path)
    assert not (tmp_path / "annotation").exists()


def test_round_trip_of_the_bundled_corpus(
    repo_copy: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    round_trip(cli, "inception", repo_copy, tmp_path)


def test_round_trip_of_the_custom_scheme(tmp_path: Path, cli: Callable[..., Any]) -> None:
    project = custom_project(tmp_path / "custom").root
    round_trip(cli, "inception", project, tmp_path, "--mapping", str(CUSTOM_MAPPING))
