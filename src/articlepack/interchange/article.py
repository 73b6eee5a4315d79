"""The article.yaml (and annotator file) an import writes: the article as it stands with the
fields and layers the tool carries put in, or a new article with null wherever the tool is silent.

Nothing the mapping does not carry is touched: provenance (publisher, date basis, rights) stays
as the article has it, and so do a row's fields that no label, role or attribute carries. A new
article gets every key of the scheme, null where nothing is known, so that ``validate`` says
precisely what is missing.
"""

from __future__ import annotations

import copy
from typing import Any

from articlepack.anchor import matches
from articlepack.interchange.mapping import Mapping
from articlepack.interchange.reanchor import span_text
from articlepack.interchange.to_project import Row, Version
from articlepack.schema import TableSchema
from articlepack.shape import Col, Layout, SpanOf


def article(
    mapping: Mapping,
    layout: Layout,
    old: dict[str, Any] | None,
    version: Version,
    raw: str,
    sha256: str,
    annotators: list[str],
) -> dict[str, Any]:
    """The article.yaml document of ``version`` merged into ``old`` (None: a new article)."""
    schema = mapping.schemas[layout.document]
    if old is None:
        doc = skeleton(schema, layout.document_spec)
        doc["id"] = version.article
        if "raw_sha256" in schema.paths:
            _put(doc, schema.paths["raw_sha256"], sha256)
    else:
        doc = copy.deepcopy(old)
    for column, value in version.fields.items():
        path = _span_path(schema, column)
        if column in {s.text for s in schema.spans}:
            value = _span(raw, value, _get(doc, path))
        _put(doc, path, value)
    if annotators and mapping.document.annotators:
        _put(doc, schema.paths[mapping.document.annotators], annotators)
    doc.update(layers(mapping, layout, old or {}, version, raw))
    return doc


def layers(
    mapping: Mapping,
    layout: Layout,
    old: dict[str, Any],
    version: Version,
    raw: str,
    *,
    body: bool = True,
) -> dict[str, Any]:
    """Each mapped layer's list, in article.yaml's form (a row keeps what the tool does not
    carry from the row of ``old`` with its id); the body too, unless not ``body``. A body the
    tool does not carry stays."""
    out: dict[str, Any] = {}
    for table, layer in mapping.layers.items():
        schema = mapping.schemas[table]
        if schema.body and not body:
            continue
        rows = version.rows.get(table, [])
        if schema.body and not rows and isinstance(old.get(layer.key), list):
            out[layer.key] = old[layer.key]
            continue
        olds = {o.get("id"): o for o in old.get(layer.key) or [] if isinstance(o, dict)}
        spec = layout.specs[table]
        lists = {r.column for r in layer.roles.values() if r.kind == "list"}
        out[layer.key] = [
            _row(schema, spec, layer.columns, lists, row, olds.get(row.id), raw) for row in rows
        ]
    return out


def _row(
    schema: TableSchema,
    spec: dict[str, Any],
    carried: frozenset[str],
    lists: set[str],
    row: Row,
    old: dict[str, Any] | None,
    raw: str,
) -> dict[str, Any]:
    out = copy.deepcopy(old) if old is not None else skeleton(schema, spec)
    spans = {s.text for s in schema.spans}
    for column in carried:
        path = _span_path(schema, column) if column in spans else schema.paths.get(column)
        if column in spans:
            place = row.spans.get(column)
            value = None if place is None else _span(raw, place, _get(out, path) if path else out)
            if not path:  # the row is the span itself
                out.update(value or {})
                continue
        elif column in lists:  # a list another table unnests
            out[column] = row.values.get(column, [])
            continue
        elif path is None:  # not a field of this table's rows (no id)
            continue
        else:
            value = row.values.get(column)
        _put(out, path, value)
    return out


def skeleton(schema: TableSchema, spec: dict[str, Any]) -> dict[str, Any]:
    """Every key a row of ``schema`` has (nested as ``spec`` nests them), null (an empty list
    for the lists other tables unnest), in the order of the schema's fields; those lists come
    right after the row's first span, as people write them."""
    order: dict[tuple[str, ...], float] = {}
    for i, f in enumerate(schema.fields):
        path = schema.paths.get(f["name"], ())
        for n in range(1, len(path) + 1):
            order.setdefault(path[:n], i)
    first_span = min(
        (order[(k,)] for k, v in spec.items() if isinstance(v, SpanOf) and (k,) in order),
        default=len(schema.fields),
    )

    def build(node: dict[str, Any], prefix: tuple[str, ...]) -> dict[str, Any]:
        def rank(key: str) -> float:
            value = node[key]
            if isinstance(value, Col) and value.kind == "ids":
                return first_span + 0.5
            return order.get((*prefix, key), len(schema.fields) + 1)

        out: dict[str, Any] = {}
        for key in sorted(node, key=rank):
            value = node[key]
            if isinstance(value, dict):
                out[key] = build(value, (*prefix, key))
            elif value is None or (isinstance(value, Col) and value.kind == "ids"):
                out[key] = []  # a list of rows, or of ids another table unnests
            else:
                out[key] = None
        return out

    return build(spec, ())


def _span(raw: str, place: tuple[int, int], old: Any) -> dict[str, Any]:
    """A span at ``place``; where the article has it already, its ``text`` as written there."""
    start, end = place
    text = span_text(raw, start, end)
    if isinstance(old, dict) and (old.get("start"), old.get("end")) == place:
        written = old.get("text")
        if isinstance(written, str) and matches(raw, start, end, written):
            text = written
    return {"start": start, "end": end, "text": text}


def _span_path(schema: TableSchema, column: str) -> tuple[str, ...]:
    """The YAML path of a span (its mapping), or of any other column."""
    span = next((s for s in schema.spans if s.text == column), None)
    if span is None:
        return schema.paths[column]
    return schema.paths[span.text][:-1]


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _put(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = doc
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
