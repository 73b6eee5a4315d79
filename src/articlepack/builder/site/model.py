"""What the review site shows, read from the schemas alone.

Nothing here knows mentions, events or quotes. The schemas say which table holds one row per
article (``rows: document``), its body (``body: true``) and the registry (``rows: {registry}``);
every other table read from article.yaml is a *layer* of an article. Of a layer's columns:

- a span whose columns are the row's own ``text``/``raw_start``/``raw_end`` is the row itself
  (a mention: it is drawn in the text); any other span is a part of the row (a trigger, a cue);
- a column of a foreign key is a *reference* to a row of another table (to a registry entry, or
  to a row of a layer of the same article);
- an ``unnest`` table's rows are *children* of the row they were unnested from (the arguments
  of an event);
- the *category* a row is coloured by is its first required enum column, or, for a row that
  references the registry, the registry entry's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from articlepack.layers import ARTICLE
from articlepack.layers import Layer as Nesting
from articlepack.layers import layers as nesting
from articlepack.schema import Span, TableSchema, table_of


@dataclass(frozen=True)
class Reference:
    """A column whose value is the key of a row of ``table`` (in its column ``key``)."""

    column: str
    table: str
    key: str


@dataclass(frozen=True)
class Layer:
    """One table of an article's annotations, as the site draws it."""

    name: str
    schema: TableSchema
    key: tuple[str, ...]  # the primary key without the article: a row's data-id
    item: Span | None  # the span that is the row itself, when it is drawn in the text
    parts: tuple[Span, ...]  # the other spans of a row
    references: tuple[Reference, ...]
    category: str | None
    parent: str | None  # an unnest table's parent layer
    link: Mapping[str, str]  # child column -> parent column
    role: str | None  # an unnest table's role column
    attributes: tuple[str, ...]  # the remaining columns, shown as name: value

    def ident(self, row: Mapping[str, Any]) -> str:
        """The row's ``data-id``: its primary key within its article."""
        if len(self.key) == 1:
            return str(row[self.key[0]])
        return "/".join(str(row[c]) for c in self.key)


@dataclass(frozen=True)
class Model:
    """The tables of a scheme in the roles the site gives them.

    What a page asks of it for every row (a layer's children, its reference to the registry, a
    value's colour) is worked out once and kept: a site asks it millions of times."""

    schemas: Mapping[str, TableSchema]
    document: str
    body: str | None
    registry: str | None
    layers: Mapping[str, Layer]  # every table read from article.yaml but the document
    _known: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def children(self, parent: str) -> list[Layer]:
        found = self._known.get(("children", parent))
        if found is None:
            found = [layer for layer in self.layers.values() if layer.parent == parent]
            self._known[("children", parent)] = found
        return list(found)

    def palette_index(self, table: str, column: str, value: object) -> int:
        """:func:`palette_index` of a column of ``table``."""
        found = self._known.get(("palette", table, column))
        if found is None:
            values = list(
                self.schemas[table].field(column).get("constraints", {}).get("enum") or []
            )
            found = ({v: i for i, v in reversed(list(enumerate(values)))}, len(values))
            self._known[("palette", table, column)] = found
        try:
            return int(found[0].get(value, found[1]))
        except TypeError:  # a value that is no key (a list) is in no enum of keys
            return palette_index(self.schemas[table], column, value)

    def panels(self) -> list[Layer]:
        """The layers listed beside the text: neither the body, nor drawn in it, nor children."""
        return [
            layer
            for layer in self.layers.values()
            if layer.name != self.body and layer.item is None and layer.parent is None
        ]

    def registry_reference(self, layer: Layer) -> Reference | None:
        key = ("reference", layer.name)
        if key not in self._known:
            self._known[key] = next((r for r in layer.references if r.table == self.registry), None)
        found: Reference | None = self._known[key]
        return found


def model(schemas: Mapping[str, TableSchema]) -> Model:
    document = table_of(schemas, "document") or "articles"
    layers = {
        name: _layer(name, schemas[name], nest, document) for name, nest in nesting(schemas).items()
    }
    return Model(
        schemas, document, table_of(schemas, "body"), table_of(schemas, "registry"), layers
    )


def category(schema: TableSchema) -> str | None:
    """The column a row is coloured and counted by: its first required enum (else first enum)."""
    enums = [f for f in schema.fields if f.get("constraints", {}).get("enum")]
    required = [f for f in enums if f["constraints"].get("required")]
    return str((required or enums)[0]["name"]) if enums else None


def palette_index(schema: TableSchema, column: str, value: object) -> int:
    """A value's place in its column's enum: the colour it gets, the same on every page."""
    values = list(schema.field(column).get("constraints", {}).get("enum") or [])
    return values.index(value) if value in values else len(values)


def label(schema: TableSchema) -> str | None:
    """The column that names a row (a title, a name): its first required free-text string."""
    for f in schema.fields:
        constraints = f.get("constraints", {})
        if (
            f.get("type", "string") == "string"
            and f["name"] not in schema.primary_key
            and constraints.get("required")
            and not constraints.get("enum")
            and not constraints.get("pattern")
            and not any(f["name"] in (s.raw_start, s.raw_end) for s in schema.spans)
        ):
            return str(f["name"])
    return None


def item_span(schema: TableSchema) -> Span | None:
    """The span that is the row itself (as :attr:`TableSchema.paths` reads it), if placed."""
    for span in schema.spans:
        if (span.text, span.raw_start, span.raw_end) == ("text", "raw_start", "raw_end"):
            return span if span.start and span.end else None
    return None


def reading_order(layer: Layer, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in the order a reader meets them: by where their first span starts in the text
    (rows not in the text last), else in table order."""
    span = layer.item or (layer.parts[0] if layer.parts else None)
    if span is None or span.start is None:
        return rows
    column = span.start
    return sorted(rows, key=lambda r: (r.get(column) is None, r.get(column) or 0))


def span_columns(span: Span) -> tuple[str, ...]:
    return tuple(c for c in (span.text, span.raw_start, span.raw_end, span.start, span.end) if c)


def _layer(name: str, schema: TableSchema, nest: Nesting, document: str) -> Layer:
    parent = nest.parent if nest.parent != document else None
    link = dict(nest.keys) if parent else {}
    references = []
    for fk in schema.foreign_keys:
        own = [(c, r) for c, r in zip(fk.fields, fk.reference, strict=True) if c != ARTICLE]
        if fk.resource not in (document, parent) and len(own) == 1:
            references.append(Reference(own[0][0], fk.resource, own[0][1]))
    item = item_span(schema)
    parts = tuple(s for s in schema.spans if s is not item)
    kind = category(schema)
    taken = {ARTICLE, *schema.primary_key, *link, *(r.column for r in references)}
    taken |= {c for s in schema.spans for c in span_columns(s)}
    taken |= {kind} if kind else set()
    return Layer(
        name,
        schema,
        tuple(c for c in schema.primary_key if c != ARTICLE),
        item,
        parts,
        tuple(references),
        kind,
        parent,
        link,
        schema.source.role if parent else None,
        tuple(c for c in schema.columns if c not in taken),
    )
