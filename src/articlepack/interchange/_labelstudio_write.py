"""Label Studio's side of the conventions: the labeling config and the tasks that
:func:`articlepack.interchange.labelstudio.write` writes (the reader is in ``labelstudio``).

The control names here are the conventions both sides share (see ``labelstudio``'s docstring).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from articlepack.interchange.model import Document, Labels, Span, Value
from articlepack.interchange.offsets import codepoints_to_utf16

SPANS, EVENTS, TEXT = "label", "event", "text"
FLAGS, DOCUMENT_FLAGS, NORMALIZATION = "flags", "document_flags", "norm_"


def write(documents: list[Document], labels: Labels, out: Path) -> list[Path]:
    """``config.xml`` (the labeling config) and ``tasks.json`` (one task per text, one annotation
    per annotator, offsets in UTF-16 units) in ``out``."""
    controls = _Controls.of(documents, labels)
    out.mkdir(parents=True, exist_ok=True)
    config, tasks = out / "config.xml", out / "tasks.json"
    config.write_text(controls.xml(), encoding="utf-8")
    payload = [_task(group, controls) for group in _by_id(documents)]
    tasks.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [config, tasks]


@dataclass(frozen=True)
class _Controls:
    """The labeling config: the control that shows each label, role and attribute."""

    spans: list[str]
    triggers: list[str]
    relations: list[str]
    region: list[str]  # per-region attributes, in first-seen order
    document: list[str]  # task-level attributes
    binary: set[str]  # attributes that are present (True) or not
    values: dict[str, tuple[str, ...]]  # attribute -> its values (a Choices; else a TextArea)
    resources: list[str]  # normalization resources

    @classmethod
    def of(cls, documents: list[Document], labels: Labels) -> _Controls:
        events = [event for document in documents for event in document.events]
        spans = [span for document in documents for span in _plain_spans(document)]
        used = [(name, value) for e in events for name, value in e.attributes.items()]
        used += [(name, value) for s in spans for name, value in s.attributes.items()]
        document = [(name, value) for d in documents for name, value in d.attributes.items()]
        region = _ordered(labels.attribute_labels, (name for name, _ in used))
        return cls(
            spans=_ordered(labels.spans, (span.label for span in spans)),
            triggers=_ordered(labels.events, (event.label for event in events)),
            relations=_ordered(
                labels.links,
                (role for roles in labels.events.values() for role in roles),
                (role for event in events for role, _ in event.arguments),
                (link.label for d in documents for link in d.links),
            ),
            region=region,
            document=_ordered(
                (name for name in labels.attributes if name not in region),
                (name for name, _ in document),
            ),
            binary={name for name, values in labels.attributes.items() if values == ()}
            | {name for name, value in [*used, *document] if isinstance(value, bool)},
            values={name: values for name, values in labels.attributes.items() if values},
            resources=_ordered(
                resource for d in documents for s in d.spans for resource, _ in s.normalizations
            ),
        )

    def xml(self) -> str:
        view = ET.Element("View")
        for name, labels in ((SPANS, self.spans), (EVENTS, self.triggers)):
            if labels:
                control = ET.SubElement(view, "Labels", name=name, toName=TEXT)
                for label in labels:
                    ET.SubElement(control, "Label", value=label)
        ET.SubElement(view, "Text", name=TEXT, value=f"${TEXT}")
        if relations := [label for label in self.relations if label]:
            control = ET.SubElement(view, "Relations")
            for label in relations:
                ET.SubElement(control, "Relation", value=label)
        for names, flags, per_region in (
            (self.region, FLAGS, "true"),
            (self.document, DOCUMENT_FLAGS, "false"),
        ):
            if binary := [name for name in names if name in self.binary]:
                _choices(view, flags, binary, per_region, "multiple")
            for name in (name for name in names if name not in self.binary):
                if name in self.values:
                    _choices(view, name, self.values[name], per_region, "single")
                else:
                    ET.SubElement(view, "TextArea", name=name, toName=TEXT, perRegion=per_region)
        for resource in self.resources:
            name = NORMALIZATION + resource
            ET.SubElement(view, "TextArea", name=name, toName=TEXT, perRegion="true")
        ET.indent(view)
        return ET.tostring(view, encoding="unicode") + "\n"

    def results(self, attributes: dict[str, Value], flags: str) -> Iterator[dict[str, Any]]:
        """The results that hold ``attributes`` (without id, to_name and offsets)."""
        if binary := [name for name, value in attributes.items() if value is True]:
            yield {"from_name": flags, "type": "choices", "value": {"choices": binary}}
        for name, value in attributes.items():
            if isinstance(value, bool):
                continue  # False: a binary attribute that is absent
            if name in self.values:
                yield {"from_name": name, "type": "choices", "value": {"choices": [str(value)]}}
            else:
                yield _textarea(name, str(value))


def _choices(
    view: ET.Element, name: str, values: Iterable[str], per_region: str, choice: str
) -> None:
    control = ET.SubElement(view, "Choices", name=name, toName=TEXT, perRegion=per_region)
    control.set("choice", choice)
    for value in values:
        ET.SubElement(control, "Choice", value=value)


def _ordered(*groups: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for group in groups for value in group))


def _by_id(documents: list[Document]) -> list[list[Document]]:
    """The documents grouped by id, one task each: its annotators must share one text."""
    groups: dict[str, list[Document]] = {}
    for document in documents:
        group = groups.setdefault(document.id, [])
        if group and group[0].text != document.text:
            raise ValueError(
                f"{document.id}: two annotators' texts differ; they cannot be one task"
            )
        group.append(document)
    return list(groups.values())


def _plain_spans(document: Document) -> list[Span]:
    """The spans that are not an event's trigger (a trigger is shown by its event's region)."""
    triggers = {event.trigger for event in document.events}
    return [span for span in document.spans if span.id not in triggers]


def _task(group: list[Document], controls: _Controls) -> dict[str, Any]:
    first = group[0]
    data: dict[str, Value] = {TEXT: first.text, "article_id": first.id, **first.metadata}
    annotations = []
    for document in group:
        annotation: dict[str, Any] = {"result": _results(document, controls)}
        if document.annotator is not None:
            annotation["completed_by"] = {"email": document.annotator}
        annotations.append(annotation)
    return {"data": data, "annotations": annotations}


def _results(document: Document, controls: _Controls) -> list[dict[str, Any]]:
    to_unit = codepoints_to_utf16(document.text)
    spans = {span.id: span for span in document.spans}
    region_of = {span.id: span.id for span in document.spans}
    for event in reversed(document.events):  # a trigger's region is its (first) event's
        region_of[event.trigger] = event.id
    region_of |= {event.id: event.id for event in document.events}

    def region(
        rid: str, control: str, label: str, span: Span, attributes: dict[str, Value]
    ) -> Iterator[dict[str, Any]]:
        fragments = span.fragments if control == SPANS else span.fragments[:1]
        for n, (start, end) in enumerate(fragments):
            fid = rid if n == 0 else f"{rid}~{n + 1}"
            value = {"start": to_unit(start), "end": to_unit(end), "text": document.text[start:end]}
            result: dict[str, Any] = {"id": fid, "from_name": control, "to_name": TEXT}
            result["type"] = "labels"
            result["value"] = value | {"labels": [label]}
            if n == 0 and span.note is not None:
                result["meta"] = {"text": [span.note]}
            yield result
            if n == 0:
                extra = [*controls.results(attributes, FLAGS)]
                extra += [_textarea(NORMALIZATION + r, norm) for r, norm in span.normalizations]
                for item in extra:
                    yield {"id": fid, "to_name": TEXT, **item, "value": value | item["value"]}

    results: list[dict[str, Any]] = []
    for span in _plain_spans(document):
        results += region(span.id, SPANS, span.label, span, span.attributes)
    for event in document.events:
        results += region(event.id, EVENTS, event.label, spans[event.trigger], event.attributes)
    for link in document.links:
        source, target = region_of[link.source], region_of[link.target]
        results.append({"id": link.id, **_relation(source, target, link.label)})
    for event in document.events:
        results += (_relation(event.id, region_of[arg], role) for role, arg in event.arguments)
    for item in controls.results(document.attributes, DOCUMENT_FLAGS):
        results.append({"id": item["from_name"], "to_name": TEXT, **item})
    return results


def _textarea(name: str, text: str) -> dict[str, Any]:
    return {"from_name": name, "type": "textarea", "value": {"text": [text]}}


def _relation(source: str, target: str, label: str) -> dict[str, Any]:
    labels = [label] if label else []
    return {
        "from_id": source,
        "to_id": target,
        "type": "relation",
        "direction": "right",
        "labels": labels,
    }
