"""Label Studio: a full JSON export in (UTF-16 offsets, one document per annotator, relations,
choices), a labeling config and tasks out. Every result that cannot be carried is reported with
its task and annotation; every malformed file is an error that names the task and result."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from articlepack.interchange import labelstudio
from articlepack.interchange.model import Document, Event, Labels, Link, Span, ToolFileError
from custom_scheme import custom_project
from interchange_compare import canonical, round_trip
from test_interchange_core import CUSTOM_MAPPING

FIXTURES = Path(__file__).parent / "fixtures" / "labelstudio"
EXPORT = FIXTURES / "project-3-at-2024-03-14-10-12-5f0c1a9e.json"
ARTICLE = "2024-01-28-example-freij-shoigu"


@pytest.fixture(scope="module")
def fixture() -> tuple[list[Document], list[Any]]:
    return labelstudio.read(FIXTURES)


@pytest.fixture(scope="module")
def anna(fixture: tuple[list[Document], list[Any]]) -> Document:
    return next(d for d in fixture[0] if d.annotator == "anna@example.org")


def spans(document: Document) -> dict[str, Span]:
    return {span.id: span for span in document.spans}


def covered(document: Document, span_id: str) -> str:
    start, end = spans(document)[span_id].fragments[0]
    return document.text[start:end]


def raw_result(result_id: str) -> dict[str, Any]:
    results = json.loads(EXPORT.read_text(encoding="utf-8"))[0]["annotations"][0]["result"]
    return next(r for r in results if r.get("id") == result_id and r["type"] == "labels")


def test_utf16_offsets_after_a_flag_and_an_emoji_become_code_points(anna: Document) -> None:
    # label-studio#1347: the browser counts UTF-16 units, so 🇸🇾 (two astral characters) and 😀
    # before "Sergei Shoigu" put Label Studio's offsets three units past the code points
    start, end = spans(anna)["bH3sYd0PqE"].fragments[0]
    assert anna.text[start:end] == "Sergei Shoigu"
    assert raw_result("bH3sYd0PqE")["value"]["start"] - start == 3


def test_every_region_covers_its_own_text(fixture: tuple[list[Document], list[Any]]) -> None:
    for document in fixture[0]:
        for span in document.spans:
            assert covered(document, span.id), span.id
    assert covered(fixture[0][0], "Zo3IvNvA77") == "Zoe\u0308 Ivanova"  # a combining diaeresis


def test_crlf_text_is_kept_byte_exact(anna: Document) -> None:
    text = json.loads(EXPORT.read_text(encoding="utf-8"))[0]["data"]["text"]
    assert anna.text == text and anna.text.count("\r\n") == 3
    assert covered(anna, "M0sc0wReg1") == "Moscow"


def test_two_annotators_are_two_documents_of_one_article(
    fixture: tuple[list[Document], list[Any]],
) -> None:
    of_article = [d.annotator for d in fixture[0] if d.id == ARTICLE]
    assert of_article == ["anna@example.org", "boris@example.org"]


def test_overlapping_regions_are_both_kept(anna: Document) -> None:
    inner, outer = spans(anna)["Xk1_aB9qLm"].fragments[0], spans(anna)["Rt8PzWq2Ds"].fragments[0]
    assert outer[0] < inner[0] < inner[1] == outer[1]


def test_an_event_is_its_trigger_region_and_role_relations(anna: Document) -> None:
    (event,) = anna.events
    assert event == Event(
        "EvMeet0001",
        "CONSULT",
        "EvMeet0001",
        (("Actor", "Xk1_aB9qLm"), ("Recipient", "bH3sYd0PqE"), ("Location", "M0sc0wReg1")),
        {"realis": "actual", "Context_military": True},
    )
    assert covered(anna, event.trigger) == "met"


def test_normalization_note_relation_and_choices(anna: Document) -> None:
    assert spans(anna)["M0sc0wReg1"].normalizations == (("Wikidata", "Q649"),)
    assert spans(anna)["Zo3IvNvA77"].note == "name spelled with a combining diaeresis"
    # direction "left": the arrow points from to_id to from_id
    assert anna.links == (Link("CueSaid001>Zo3IvNvA77", "speaker", "CueSaid001", "Zo3IvNvA77"),)
    assert anna.attributes == {
        "sentiment": "neutral",
        "frames_diplomatic": True,
        "frames_conflict": True,
    }


def test_task_without_article_id_and_annotator_by_id(
    fixture: tuple[list[Document], list[Any]],
) -> None:
    task = fixture[0][-1]
    assert (task.id, task.annotator, task.metadata) == ("task-2", "2", {"title": "Geneva talks"})


@pytest.mark.parametrize(
    ("tool_id", "kind"),
    [
        ("7", "prediction"),
        ("3", "cancelled"),
        ("b0r1sM3nt1>gone000001", "dangling-relation"),
        ("st4rRating", "unsupported-result"),
    ],
    ids=["prediction", "cancelled-annotation", "relation-to-missing-region", "rating"],
)
def test_fixture_reports_what_it_cannot_carry(
    fixture: tuple[list[Document], list[Any]], tool_id: str, kind: str
) -> None:
    (line,) = [u for u in fixture[1] if u.tool_id == tool_id]
    assert line.kind == kind and line.reason.startswith("task 1") and line.source == str(EXPORT)


def task(*results: dict[str, Any], text: str = "Anna met Bob.", **data: Any) -> dict[str, Any]:
    return {
        "id": 9,
        "data": {"text": text, **data},
        "annotations": [{"id": 4, "completed_by": 1, "result": list(results)}],
    }


def region(rid: str, start: int, end: int, text: str, **value: Any) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": text, "labels": ["PER"]} | value
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def read_tasks(tmp_path: Path, *tasks: Any, config: str | None = None) -> Any:
    (tmp_path / "export.json").write_text(json.dumps(list(tasks)), encoding="utf-8")
    if config is not None:
        (tmp_path / "config.xml").write_text(config, encoding="utf-8")
    return labelstudio.read(tmp_path)


CHOICES = {"from_name": "realis", "to_name": "text", "type": "choices"}


@pytest.mark.parametrize(
    ("results", "data", "kind"),
    [
        ([{"id": "x", **CHOICES, "value": {"start": 0, "end": 4, "choices": ["actual"]}}], {}, "unlabelled-region"),
        ([region("a", 0, 4, "Anna", labels=["PER", "ORG"])], {}, "multiple-labels"),
        ([region("a", 0, 4, "Anna"), region("b", 9, 12, "Bob"),
          {"from_id": "a", "to_id": "b", "type": "relation", "labels": ["met", "knows"]}], {}, "multiple-labels"),
        ([], {"source": {"url": "https://example.org"}}, "unsupported-data"),
    ],
    ids=["choices-of-a-region-without-label", "region-with-two-labels", "relation-with-two-labels", "nested-task-data"],
)  # fmt: skip
def test_unmappable_results_are_reported(
    tmp_path: Path, results: list[dict[str, Any]], data: dict[str, Any], kind: str
) -> None:
    _, unmapped = read_tasks(tmp_path, task(*results, **data))
    assert [u.kind for u in unmapped] == [kind]
    assert unmapped[0].reason.startswith("task 9")


def test_one_value_of_a_multiple_choice_config_is_a_flag(tmp_path: Path) -> None:
    # without the config, one chosen value of a multi-choice control looks like a single choice
    frames = {
        "from_name": "frames",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["economic"]},
    }
    config = '<View><Choices name="frames" toName="text" choice="multiple"/></View>'
    (document,), _ = read_tasks(tmp_path, task(frames), config=config)
    assert document.attributes == {"frames_economic": True}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"data": {"text": "a"}, "annotations": [}]', "export.json:1: not JSON"),
        ('"a list of tasks"', "expected a list of tasks"),
        (json.dumps([{"id": 9, "data": {"body": "Anna"}}]), "task 9: has no text (data.text)"),
        (json.dumps([task(region("r1", 0, 99, "Anna"))]), "task 9, annotation 4: result r1: offset 99 lies outside"),
        (json.dumps([task(region("r1", 1, 3, "?"), text="😀 Anna")]), "offset 1 falls inside a surrogate pair"),
        (json.dumps([task(region("r1", 2, 6, "Anna"), text="😀 Anna")]), "result r1: its text 'Anna' differs"),
        (json.dumps([task(region("r1", 4, 0, "Anna"))]), "result r1: start/end 4/0 are not offsets"),
        (json.dumps([{"id": 9, "data": {"text": "a"}, "annotations": [{"id": 4, "result": {}}]}]),
         "annotation 4: its result is not a list"),
    ],
    ids=["malformed-json", "not-a-list", "no-text", "offset-out-of-range", "offset-inside-surrogate-pair",
         "code-point-offsets-text-mismatch", "start-after-end", "result-not-a-list"],
)  # fmt: skip
def test_bad_export_is_an_error_naming_file_task_and_result(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "export.json").write_text(content, encoding="utf-8")
    with pytest.raises(ToolFileError, match=r"export\.json") as error:
        labelstudio.read(tmp_path)
    assert message in str(error.value)


def test_malformed_labeling_config_is_an_error_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ToolFileError, match=r"config.xml:2: not a labeling config"):
        read_tasks(tmp_path, task(), config="<View>\n<Choices></View>")


def without_source(documents: list[Document]) -> list[Document]:
    return [replace(document, source="") for document in documents]


def test_round_trip_of_the_fixture_keeps_every_id(
    tmp_path: Path, fixture: tuple[list[Document], list[Any]]
) -> None:
    paths = labelstudio.write(fixture[0], Labels(), tmp_path)
    assert [p.name for p in paths] == ["config.xml", "tasks.json"]
    again, unmapped = labelstudio.read(tmp_path)
    assert unmapped == []
    for before, after in zip(fixture[0], again, strict=True):
        assert canonical(after) == canonical(before)
        assert spans(after) == spans(before) and after.events == before.events
        assert after.links == before.links


def written(tmp_path: Path, documents: list[Document], labels: Labels | None = None) -> Any:
    labelstudio.write(documents, labels or Labels(), tmp_path)
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    return ET.parse(tmp_path / "config.xml").getroot(), tasks


def test_written_offsets_are_utf16_units(tmp_path: Path, anna: Document) -> None:
    _, tasks = written(tmp_path, [anna])
    result = next(r for r in tasks[0]["annotations"][0]["result"] if r.get("id") == "bH3sYd0PqE")
    assert result["value"]["start"] == spans(anna)["bH3sYd0PqE"].fragments[0][0] + 3


TEXT = "Anna met Bob in Paris, and Bob left."
EXPORTED = Document(
    id="a-1",
    text=TEXT,
    source="",
    spans=(
        Span("T1", "PER", ((0, 4),), {"Negated": True}),
        Span("T2", "PER", ((9, 12),), {}, (("Wikidata", "Q1"),)),
        Span("T3", "GPE", ((16, 21),)),
        Span("T4", "quote", ((0, 8), (27, 35))),  # discontinuous
        Span("T5", "CONSULT", ((5, 8),)),
    ),
    links=(Link("R1", "speaker", "T4", "T1"),),
    events=(Event("E1", "CONSULT", "T5", (("Actor", "T1"), ("Recipient", "T2")), {"Realis": "actual"}),),
    attributes={"Sentiment": "neutral", "Frames_diplomatic": True},
)  # fmt: skip
LABELS = Labels(
    spans=("PER", "GPE", "quote"),
    links=("speaker",),
    events={"CONSULT": ("Actor", "Recipient", "Location")},
    attributes={"Realis": ("actual", "planned"), "Negated": (), "Sentiment": ("neutral", "negative"),
                "Frames_diplomatic": ()},
    attribute_labels={"Realis": ("CONSULT",), "Negated": ("PER",)},
)  # fmt: skip


def test_labeling_config_shows_every_label_role_and_attribute(tmp_path: Path) -> None:
    config, _ = written(tmp_path, [EXPORTED], LABELS)
    controls = {c.get("name"): c for c in config if c.get("name")}
    values = {name: [v.get("value") for v in c] for name, c in controls.items()}
    assert values["label"] == ["PER", "GPE", "quote"] and values["event"] == ["CONSULT"]
    relations = config.find("Relations")
    assert relations is not None
    assert [r.get("value") for r in relations] == ["speaker", "Actor", "Recipient", "Location"]
    assert controls["Realis"].get("perRegion") == "true"
    assert values["Realis"] == ["actual", "planned"] and values["flags"] == ["Negated"]
    assert controls["Sentiment"].get("perRegion") == "false"
    assert values["document_flags"] == ["Frames_diplomatic"]
    assert controls["norm_Wikidata"].tag == "TextArea"


def test_export_conventions_read_back(tmp_path: Path) -> None:
    _, tasks = written(tmp_path, [EXPORTED], LABELS)
    assert "completed_by" not in tasks[0]["annotations"][0]  # no annotator: Label Studio's user
    ids = [r.get("id") for r in tasks[0]["annotations"][0]["result"] if r["type"] == "labels"]
    assert ids == ["T1", "T2", "T3", "T4", "T4~2", "E1"]  # a fragment is a region of its own
    (document,), unmapped = labelstudio.read(tmp_path)
    assert unmapped == [] and "fragments" not in labelstudio.CARRIES
    assert document.events == (
        Event("E1", "CONSULT", "E1", (("Actor", "T1"), ("Recipient", "T2")), {"Realis": "actual"}),
    )
    assert spans(document)["E1"] == Span("E1", "CONSULT", ((5, 8),))  # the trigger, renamed
    assert spans(document)["T1"].attributes == {"Negated": True}
    assert spans(document)["T2"].normalizations == (("Wikidata", "Q1"),)
    assert document.attributes == {"Frames_diplomatic": True, "Sentiment": "neutral"}
    assert document.links == (Link("R1", "speaker", "T4", "T1"),)


def test_two_texts_under_one_id_cannot_be_one_task(tmp_path: Path) -> None:
    other = replace(EXPORTED, text=TEXT.upper(), annotator="boris")
    with pytest.raises(ValueError, match="a-1: two annotators' texts differ"):
        labelstudio.write([EXPORTED, other], LABELS, tmp_path)


def test_round_trip_of_the_bundled_corpus(
    repo_copy: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    round_trip(cli, "labelstudio", repo_copy, tmp_path)


def test_round_trip_of_the_custom_scheme(tmp_path: Path, cli: Callable[..., Any]) -> None:
    project = custom_project(tmp_path / "custom").root
    round_trip(cli, "labelstudio", project, tmp_path, "--mapping", str(CUSTOM_MAPPING))
