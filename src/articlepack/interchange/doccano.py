"""doccano's JSONL export (import only: doccano's own export keeps no relations of older
projects, doccano#1418, and articlepack does not write its files).

One JSON object per line: ``text``, and either ``entities`` (``{id, label, start_offset,
end_offset}``) with ``relations`` (``{id, from_id, to_id, type}``), or ``label`` as
``[[start, end, label], ...]``. A ``label`` list of strings (a text classification) becomes
binary document attributes ``label_<category>``. Offsets count UTF-16 code units, as doccano's
browser does (doccano#2290). The article id is the object's ``article_id`` (or ``meta.article_id``),
else ``doccano-<id>``. In a folder of files, each ``<user>.jsonl`` is that annotator's (doccano
exports one per user; ``all.jsonl`` is everyone's).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from articlepack.interchange.model import Document, Link, Span, ToolFileError, Unmapped, Value
from articlepack.interchange.offsets import utf16_to_codepoints

CARRIES = frozenset({"links", "document_attributes", "metadata"})
Fail = Callable[[str], ToolFileError]
_KNOWN = {"id", "text", "entities", "relations", "label", "cats", "Comments", "meta", "article_id"}


def read(source: Path) -> tuple[list[Document], list[Unmapped]]:
    """Every document of ``source``: one ``.jsonl`` file, or a folder of them."""
    source = Path(source)
    if source.is_dir():
        files = sorted(source.glob("*.jsonl"))
        named = [(f, None if f.stem == "all" else f.stem) for f in files]
    elif source.is_file():
        named = [(source, None)]
    else:
        raise ToolFileError(str(source), "no such file or folder")
    if not named:
        raise ToolFileError(str(source), "holds no doccano .jsonl files")
    documents: list[Document] = []
    unmapped: list[Unmapped] = []
    for path, annotator in named:
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ToolFileError(str(path), f"cannot read it as UTF-8 ({exc})") from None
        for number, line in enumerate(content.splitlines(), 1):
            if line.strip():
                documents.append(_document(str(path), number, line, annotator, unmapped))
    return documents, unmapped


def _document(
    file: str, number: int, line: str, annotator: str | None, unmapped: list[Unmapped]
) -> Document:
    where = f"{file}:{number}"

    def fail(message: str) -> ToolFileError:
        return ToolFileError(file, message, number)

    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise fail(f"not a JSON object ({exc})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise fail("a doccano line is a JSON object with a `text`")
    text: str = obj["text"]
    meta: dict[str, Any] = obj["meta"] if isinstance(obj.get("meta"), dict) else {}
    article = obj.get("article_id") or meta.get("article_id") or f"doccano-{obj.get('id', number)}"
    convert = utf16_to_codepoints(text)
    spans = [_span(item, convert, fail) for item in _entities(obj, fail)]
    ids = {s.id for s in spans}
    links = []
    for relation in obj.get("relations") or []:
        if not isinstance(relation, dict) or not {"from_id", "to_id", "type"} <= set(relation):
            raise fail(f"a relation is {{id, from_id, to_id, type}}, not {relation!r:.80}")
        source, target = f"T{relation['from_id']}", f"T{relation['to_id']}"
        if source not in ids or target not in ids:
            raise fail(f"relation {relation.get('id')} joins entities the line does not have")
        links.append(Link(f"R{relation.get('id')}", str(relation["type"]), source, target))
    for comment in obj.get("Comments") or []:
        unmapped.append(
            Unmapped(where, "comment", "unmapped-note", f"the comment {comment!r:.80} (doccano)")
        )
    attributes: dict[str, Value] = {}
    for key in ("label", "cats"):
        labels = obj.get(key)
        if isinstance(labels, list) and all(isinstance(c, str) for c in labels):
            attributes.update({f"{key}_{c}": True for c in labels})
    metadata: dict[str, Value] = {
        k: v
        for k, v in {**meta, **obj}.items()
        if k not in _KNOWN and isinstance(v, str | bool | int | float)
    }
    return Document(
        str(article),
        text,
        where,
        annotator,
        tuple(spans),
        tuple(links),
        attributes=attributes,
        metadata=metadata,
    )


def _entities(obj: dict[str, Any], fail: Fail) -> list[dict[str, Any]]:
    """The spans of a line in one form: ``entities`` objects, or ``label`` triples."""
    if isinstance(obj.get("entities"), list):
        return list(obj["entities"])
    labels = obj.get("label")
    if isinstance(labels, list) and labels and not all(isinstance(c, str) for c in labels):
        out = []
        for n, item in enumerate(labels, 1):
            if not isinstance(item, list) or len(item) != 3:
                raise fail(f"a label is [start, end, label], not {item!r:.80}")
            out.append({"id": f"L{n}", "start_offset": item[0], "end_offset": item[1],
                        "label": item[2]})  # fmt: skip
        return out
    return []


def _span(item: Any, convert: Callable[[int], int], fail: Fail) -> Span:
    keys = {"label", "start_offset", "end_offset"}
    if not isinstance(item, dict) or not keys <= set(item):
        raise fail(f"an entity is {{id, label, start_offset, end_offset}}, not {item!r:.80}")
    start, end = item["start_offset"], item["end_offset"]
    if not isinstance(start, int) or not isinstance(end, int) or start >= end:
        raise fail(f"entity {item.get('id')} has offsets {start!r}:{end!r}")
    try:
        fragment = (convert(start), convert(end))
    except ValueError as exc:
        raise fail(f"entity {item.get('id')}: {exc} (doccano counts UTF-16 code units)") from None
    return Span(f"T{item.get('id')}", str(item["label"]), (fragment,))
