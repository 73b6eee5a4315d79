"""Label Studio: a project's full JSON export in; a labeling config and tasks with annotations out.

Label Studio keeps relations only in the full JSON export (label-studio#1803) and counts offsets
in UTF-16 code units (label-studio#1347): the reader converts them to code points and checks each
region's ``text`` against the converted slice. One annotation (one annotator) is one Document.

Label Studio has no events, binary attributes or normalizations, so these conventions carry them
(the writer writes them, the reader reads them back, a hand-made project can follow them):

- a span is a region of the Labels control ``label``; an event is a region of the Labels control
  ``event`` (its trigger, whose region id is the event id) with one relation per argument, from
  the trigger to the argument, labelled with the role;
- per-region Choices and TextAreas are the region's attributes; a per-region TextArea
  ``norm_<Resource>`` holds a normalization (``norm_Wikidata``: ``Q7747``); a region's meta text
  is its note; task-level Choices and TextAreas are the document's attributes;
- the multi-choice Choices ``flags`` (per region) and ``document_flags`` (per task) hold binary
  attributes; any other Choices with several values (or ``choice="multiple"`` in a labeling config
  found beside the export) gives one binary attribute ``<name>_<value>`` per value.

Predictions, drafts and cancelled annotations are reported, never imported: only an annotation
someone submitted is an annotation.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from articlepack.interchange._labelstudio_write import (
    DOCUMENT_FLAGS,
    EVENTS,
    FLAGS,
    NORMALIZATION,
    TEXT,
    write,
)
from articlepack.interchange.formats import FEATURES
from articlepack.interchange.model import (
    Document,
    Event,
    Link,
    Span,
    ToolFileError,
    Unmapped,
    Value,
)
from articlepack.interchange.offsets import utf16_to_codepoints

__all__ = ["CARRIES", "read", "write"]

#: What this format holds (see the core's export report): no discontinuous spans.
CARRIES = FEATURES - {"fragments"}
_REGION_TYPES = {"labels", "choices", "textarea"}


def read(source: Path) -> tuple[list[Document], list[Unmapped]]:
    """The documents of a full JSON export (a file, or a folder of them with an optional
    labeling config ``*.xml``), and what could not be carried over."""
    files, multiple = [source], set()
    if source.is_dir():  # hidden files are not exports (articlepack's own record of one is)
        files = sorted(f for f in source.glob("*.json") if not f.name.startswith("."))
        multiple = _multiple_choices(sorted(source.glob("*.xml")))
    documents: list[Document] = []
    unmapped: list[Unmapped] = []
    for file in files:
        for number, task in enumerate(_load(file), start=1):
            reader = _TaskReader(str(file), task, number, multiple)
            documents += reader.documents()
            unmapped += reader.unmapped
    return documents, unmapped


def _load(file: Path) -> list[dict[str, Any]]:
    try:
        tasks = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ToolFileError(str(file), f"not JSON: {exc.msg}", exc.lineno) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolFileError(str(file), f"cannot be read ({exc})") from None
    if isinstance(tasks, dict):  # a single task, as the task API returns it
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(task, dict) for task in tasks):
        raise ToolFileError(str(file), "not a Label Studio export: expected a list of tasks")
    return tasks


def _multiple_choices(configs: list[Path]) -> set[str]:
    """The names of the Choices controls that allow several values, from labeling configs."""
    names: set[str] = set()
    for config in configs:
        try:
            root = ET.parse(config).getroot()
        except ET.ParseError as exc:
            raise ToolFileError(
                str(config), f"not a labeling config: {exc}", exc.position[0]
            ) from None
        names |= {
            element.get("name", "")
            for element in root.iter("Choices")
            if element.get("choice") == "multiple"
        }
    return names


class _TaskReader:
    """One task of an export: its annotations as Documents, and its Unmapped lines."""

    def __init__(self, file: str, task: dict[str, Any], number: int, multiple: set[str]) -> None:
        self.file, self.task, self.multiple = file, task, multiple
        self.name = self.where = f"task {task.get('id', number)}"
        data = task.get("data")
        if not isinstance(data, dict) or not isinstance(data.get(TEXT), str):
            raise self.error("has no text (data.text)")
        self.text: str = data[TEXT]
        self.id = str(data.get("article_id") or f"task-{task.get('id', number)}")
        self.metadata: dict[str, Value] = {}
        self.unmapped: list[Unmapped] = []
        for key, value in data.items():
            if key in (TEXT, "article_id"):
                continue
            if isinstance(value, str | bool | int | float):
                self.metadata[key] = value
            else:
                self.report(key, "unsupported-data", f"data.{key} is not a single value")
        self.to_code_point = utf16_to_codepoints(self.text)

    def error(self, message: str) -> ToolFileError:
        return ToolFileError(self.file, f"{self.where}: {message}")

    def report(self, tool_id: str, kind: str, reason: str) -> None:
        self.unmapped.append(Unmapped(self.file, tool_id, kind, f"{self.where}: {reason}"))

    def documents(self) -> Iterator[Document]:
        for kind in ("predictions", "drafts"):
            for item in self.task.get(kind) or ():
                tool_id = str(item.get("id") if isinstance(item, dict) else item)
                self.report(tool_id, kind[:-1], f"a {kind[:-1]} is not a submitted annotation")
        for annotation in self.task.get("annotations") or ():
            if not isinstance(annotation, dict):
                raise self.error("an annotation is not an object")
            self.where = f"{self.name}, annotation {annotation.get('id')}"
            if annotation.get("was_cancelled"):
                self.report(str(annotation.get("id")), "cancelled", "the annotator skipped it")
            else:
                yield self.document(annotation)

    def document(self, annotation: dict[str, Any]) -> Document:
        results = annotation.get("result")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            raise self.error("its result is not a list of objects")
        regions: dict[str, list[dict[str, Any]]] = {}
        relations: list[dict[str, Any]] = []
        attributes: dict[str, Value] = {}
        for result in results:
            kind, rid = result.get("type"), str(result.get("id"))
            if kind == "relation":
                relations.append(result)
            elif kind in _REGION_TYPES and "start" in _value(result):
                regions.setdefault(rid, []).append(result)
            elif kind in ("choices", "textarea"):
                attributes |= self.attributes([result], DOCUMENT_FLAGS)
            else:
                self.report(rid, "unsupported-result", f"a {kind} result has no text form")
        spans, events = self.regions(regions)
        links = self.relations(relations, {s.id for s in spans}, events)
        return Document(
            id=self.id,
            text=self.text,
            source=self.file,
            annotator=_annotator(annotation.get("completed_by")),
            spans=tuple(spans),
            links=tuple(links),
            events=tuple(
                Event(e.id, e.label, e.trigger, tuple(args), e.attributes)
                for e, args in events.values()
            ),
            attributes=attributes,
            metadata=self.metadata,
        )

    def regions(
        self, regions: dict[str, list[dict[str, Any]]]
    ) -> tuple[list[Span], dict[str, tuple[Event, list[tuple[str, str]]]]]:
        spans: list[Span] = []
        events: dict[str, tuple[Event, list[tuple[str, str]]]] = {}
        for rid, results in regions.items():
            labelled = [r for r in results if r.get("type") == "labels"]
            if not labelled:
                self.report(
                    rid, "unlabelled-region", "per-region choices of a region without label"
                )
                continue
            labels = list(_value(labelled[0]).get("labels") or [])
            if not labels:
                self.report(rid, "unlabelled-region", "the region has no label")
                continue
            for extra in labels[1:]:
                self.report(rid, "multiple-labels", f"second label {extra!r} of one region")
            fragment = self.fragment(rid, labelled[0])
            attributes = self.attributes([r for r in results if r.get("type") != "labels"], FLAGS)
            normalizations = tuple(
                (name.removeprefix(NORMALIZATION), str(attributes.pop(name)))
                for name in list(attributes)
                if name.startswith(NORMALIZATION)
            )
            note = "\n".join((labelled[0].get("meta") or {}).get("text") or ()) or None
            event = labelled[0].get("from_name") == EVENTS
            span_attributes = {} if event else attributes
            spans.append(Span(rid, labels[0], (fragment,), span_attributes, normalizations, note))
            if event:
                events[rid] = (Event(rid, labels[0], rid, (), attributes), [])
        return spans, events

    def fragment(self, rid: str, result: dict[str, Any]) -> tuple[int, int]:
        value = _value(result)
        start, end = value.get("start"), value.get("end")
        where = f"result {rid}"
        if not (isinstance(start, int) and isinstance(end, int)) or start > end:
            raise self.error(f"{where}: start/end {start!r}/{end!r} are not offsets")
        try:
            cp_start, cp_end = self.to_code_point(start), self.to_code_point(end)
        except ValueError as exc:
            raise self.error(f"{where}: {exc}") from None
        actual = self.text[cp_start:cp_end]
        if "text" in value and value["text"] != actual:
            raise self.error(
                f"{where}: its text {value['text']!r} differs from the task text at "
                f"{start}–{end} (UTF-16 units), {actual!r}"
            )
        return cp_start, cp_end

    def attributes(self, results: Iterable[dict[str, Any]], flags: str) -> dict[str, Value]:
        attributes: dict[str, Value] = {}
        for result in results:
            name, value = str(result.get("from_name")), _value(result)
            if result.get("type") == "textarea":
                attributes[name] = "\n".join(str(line) for line in value.get("text") or ())
                continue
            choices = [str(choice) for choice in value.get("choices") or ()]
            if name == flags:
                attributes |= dict.fromkeys(choices, True)
            elif len(choices) > 1 or name in self.multiple:
                attributes |= {f"{name}_{choice}": True for choice in choices}
            elif choices:
                attributes[name] = choices[0]
        return attributes

    def relations(
        self,
        relations: list[dict[str, Any]],
        regions: set[str],
        events: dict[str, tuple[Event, list[tuple[str, str]]]],
    ) -> list[Link]:
        links = []
        for relation in relations:
            source, target = str(relation.get("from_id")), str(relation.get("to_id"))
            if relation.get("direction") == "left":
                source, target = target, source
            tool_id = str(relation.get("id") or f"{source}>{target}")
            missing = [rid for rid in (source, target) if rid not in regions]
            if missing:
                self.report(
                    tool_id, "dangling-relation", f"relation to missing region {missing[0]}"
                )
                continue
            labels = [str(label) for label in relation.get("labels") or ()]
            for extra in labels[1:]:
                self.report(tool_id, "multiple-labels", f"second label {extra!r} of one relation")
            label = labels[0] if labels else ""
            if source in events:
                events[source][1].append((label, target))
            else:
                links.append(Link(tool_id, label, source, target))
        return links


def _value(result: dict[str, Any]) -> dict[str, Any]:
    value = result.get("value")
    return value if isinstance(value, dict) else {}


def _annotator(completed_by: Any) -> str | None:
    """The annotator: an email when the export expanded users, else the user's id."""
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    return None if completed_by is None else str(completed_by)
