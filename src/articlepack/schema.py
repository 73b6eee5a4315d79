"""The one schema source of truth: Frictionless Table Schemas in ``schemas/<table>.schema.yaml``.

Every ``*.schema.yaml`` of a project is a table; the schemas say what article.yaml and
entities.yaml may hold. Everything else derives from them: where each column is read from, the
Data Package resource schema, and each table's types in Arrow (the Parquet files), polars,
Hugging Face ``Features`` and Croissant (through the one type map, :mod:`articlepack.typemap`)
and its pandera validator (:mod:`articlepack.check_columns`). articlepack's own keys live under
``x-articlepack``:

- ``rows``: where the table's rows come from. ``document``: one row per article.yaml;
  ``{list: KEY, index: COLUMN}``: one row per item of the list KEY of article.yaml (the
  default, with KEY the table's name), its position in COLUMN if given; ``{registry: KEY}``:
  one row per item of the list KEY of corpus/entities.yaml; ``{unnest: TABLE, lists: {KEY:
  ROLE}, role: COLUMN, value: COLUMN, parent: {COLUMN: COLUMN}}``: one row per value of the
  lists KEY of each item of TABLE, with its ROLE (event arguments from actors and recipients).
- ``objects``: keys of article.yaml that hold a mapping; their keys become ``<object>_<key>``
  columns (``source: {record: ..}`` is ``source_record``). ``keys``: a column read from a key
  of another name (``entity_id: entity``).
- ``spans``: groups of columns that form one text span (``text``, ``raw_start``, ``raw_end`` and,
  for spans inside the body, the published ``start``/``end``); ``within`` is ``body`` or ``raw``.
  A span whose columns are plain ``text``/``raw_start``/``raw_end`` is the item itself
  (``{start, end, text}``); any other is read from the key its ``text`` column names.
- ``body: true``: the table of each article's own content (spans ``within: body`` lie inside
  it, and the published ``text`` of the document table joins it). ``derived``: columns the
  build computes rather than reads.
- ``dates``: ISO 8601 string columns (day, month or year precision) whose calendar is checked.
- ``not_after``: ``{column: C, document: D, when: {COLUMN: VALUE}}``: a date C later than its
  article's D is worth a warning (an event that "happened" after the article reporting it).
- ``array_items``: the item type (and optional ``enum``) of ``array`` columns; an item of type
  ``object`` has ``fields`` (and ``array_items``) of its own, a table nested in each cell
  (only a release's derived ``documents`` table has such columns).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import _yaml, typemap
from articlepack.errors import SchemaError

if TYPE_CHECKING:
    import polars as pl
    import pyarrow

_NAME = re.compile(r"[a-z][a-z0-9_]*")
#: How deep lists of objects may nest (the ``documents`` table: events, then their arguments).
MAX_NESTING = 8


@dataclass(frozen=True)
class Span:
    """Columns that together describe one text span."""

    text: str
    raw_start: str
    raw_end: str
    within: str  # "body" or "raw"
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Source:
    """Where a table's rows come from (``x-articlepack.rows``)."""

    kind: str  # document | list | registry | unnest
    key: str | None = None  # the YAML list (list, registry) or the parent table (unnest)
    index: str | None = None  # list: the column given each item's position
    lists: Mapping[str, str] = field(default_factory=dict)  # unnest: YAML key -> role
    role: str | None = None  # unnest: the column that holds the role
    value: str | None = None  # unnest: the column that holds the list's value
    parent: Mapping[str, str] = field(default_factory=dict)  # unnest: column <- parent column

    @property
    def in_articles(self) -> bool:
        """Whether the rows are read from article.yaml files (not from entities.yaml)."""
        return self.kind != "registry"


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """A parsed Table Schema with articlepack's extensions."""

    name: str
    descriptor: Mapping[str, Any] = field(repr=False)
    depth: int = 0  # how deep in another table's lists of objects these rows are

    @cached_property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.descriptor["fields"])

    @cached_property
    def columns(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def field(self, name: str) -> dict[str, Any]:
        return next(f for f in self.fields if f["name"] == name)

    @cached_property
    def primary_key(self) -> tuple[str, ...]:
        key = self.descriptor.get("primaryKey", [])
        return (key,) if isinstance(key, str) else tuple(key)

    @cached_property
    def foreign_keys(self) -> list[ForeignKey]:
        out = []
        for fk in self.descriptor.get("foreignKeys", []):
            fields = fk["fields"]
            ref = fk["reference"]["fields"]
            out.append(
                ForeignKey(
                    tuple([fields] if isinstance(fields, str) else fields),
                    fk["reference"].get("resource", "") or self.name,
                    tuple([ref] if isinstance(ref, str) else ref),
                )
            )
        return out

    @cached_property
    def extension(self) -> dict[str, Any]:
        return dict(self.descriptor.get("x-articlepack", {}))

    @cached_property
    def spans(self) -> list[Span]:
        return [Span(**s) for s in self.extension.get("spans", [])]

    @cached_property
    def dates(self) -> list[str]:
        return list(self.extension.get("dates", []))

    def item(self, column: str) -> dict[str, Any]:
        return dict(self.extension.get("array_items", {}).get(column, {"type": "string"}))

    def nested(self, column: str) -> TableSchema:
        """The Table Schema of the objects that the list column ``column`` holds: its item's
        ``fields``, with their own ``array_items``. ValueError past :data:`MAX_NESTING`."""
        item = self.item(column)
        if item.get("type") != typemap.OBJECT:
            raise ValueError(f"{self.name}.{column} is not a list of objects")
        if self.depth >= MAX_NESTING:
            raise ValueError(f"{self.name}.{column} nests deeper than {MAX_NESTING} lists")
        extension = {"array_items": item.get("array_items", {})}
        descriptor = {"fields": item["fields"], "x-articlepack": extension}
        return TableSchema(f"{self.name}.{column}", descriptor, self.depth + 1)

    def holds_objects(self, column: str) -> bool:
        """Whether ``column`` is a list of objects (a nested table)."""
        f = self.field(column)
        return f.get("type") == "array" and self.item(column).get("type") == typemap.OBJECT

    @cached_property
    def derived(self) -> frozenset[str]:
        """Columns computed at build time (published offsets and text), not read from YAML."""
        names = {c for s in self.spans for c in (s.start, s.end) if c}
        return frozenset(names | set(self.extension.get("derived", [])))

    @cached_property
    def source(self) -> Source:
        rows = self.extension.get("rows", {"list": self.name})
        if rows == "document":
            return Source("document")
        if not isinstance(rows, dict) or len({"list", "registry", "unnest"} & set(rows)) != 1:
            raise ValueError(
                "x-articlepack.rows is `document`, {list: ..}, {registry: ..} or {unnest: ..}"
            )
        if "unnest" in rows:
            return Source(
                "unnest",
                str(rows["unnest"]),
                lists=dict(rows["lists"]),
                role=str(rows["role"]),
                value=str(rows["value"]),
                parent=dict(rows.get("parent", {})),
            )
        kind = "list" if "list" in rows else "registry"
        return Source(kind, str(rows[kind]), index=rows.get("index"))

    @property
    def body(self) -> bool:
        """Whether this is the table of each article's own content."""
        return self.extension.get("body") is True

    @cached_property
    def context(self) -> frozenset[str]:
        """Columns the reader fills from a row's place, not from a key of its own."""
        source = self.source
        if source.kind == "unnest":
            return frozenset({"article_id", source.role or "", source.value or "", *source.parent})
        if source.kind == "list":
            return frozenset({"article_id", *([source.index] if source.index else [])})
        return frozenset()

    @cached_property
    def paths(self) -> dict[str, tuple[str, ...]]:
        """Column -> the YAML keys below its row that hold it, for every column read from YAML."""
        objects = [str(o) for o in self.extension.get("objects", [])]
        keys = {str(c): tuple(str(k).split(".")) for c, k in self.extension.get("keys", {}).items()}

        def plain(column: str) -> tuple[str, ...]:
            if column in keys:
                return keys[column]
            for name in objects:
                if column.startswith(f"{name}_"):
                    return (name, column[len(name) + 1 :])
            return (column,)

        out: dict[str, tuple[str, ...]] = {}
        for span in self.spans:
            item = (span.text, span.raw_start, span.raw_end) == ("text", "raw_start", "raw_end")
            base = () if item else plain(span.text)
            for column, key in (
                (span.text, "text"),
                (span.raw_start, "start"),
                (span.raw_end, "end"),
            ):
                out[column] = (*base, key)
        for column in self.columns:
            if column not in out and column not in self.derived | self.context:
                out[column] = plain(column)
        return out

    @cached_property
    def not_after(self) -> dict[str, Any] | None:
        rule = self.extension.get("not_after")
        if rule is None:
            return None
        if not isinstance(rule, dict) or not {"column", "document"} <= set(rule):
            raise ValueError("x-articlepack.not_after is {column, document, when}")
        return dict(rule)

    def frictionless(self, *, parquet: bool = False) -> dict[str, Any]:
        """The standard Table Schema descriptor (without articlepack's extension keys).

        With ``parquet``, the descriptor is adapted to how frictionless 5.21 reads Parquet (through
        pandas): a list cell arrives as a NumPy array, so ``array`` fields become ``any`` (the item
        type stays in the description); a null in an integer column arrives as NaN, so optional
        integer fields count ``nan`` as missing; and a foreign key with an optional field fails
        when only that field is null, so such keys are left to articlepack's own validator.
        """
        descriptor = {k: v for k, v in self.descriptor.items() if not k.startswith("x-")}
        descriptor.setdefault("$schema", "https://datapackage.org/profiles/2.0/tableschema.json")
        if parquet:
            descriptor["fields"] = [self._parquet_field(f) for f in self.fields]
            required = {f["name"] for f in self.fields if f.get("constraints", {}).get("required")}
            keys = [
                fk
                for fk in descriptor.get("foreignKeys", [])
                if set([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
                <= required
            ]
            descriptor["foreignKeys"] = keys
            if not keys:
                del descriptor["foreignKeys"]
        return descriptor

    def _parquet_field(self, f: dict[str, Any]) -> dict[str, Any]:
        if f.get("type") == "integer" and not f.get("constraints", {}).get("required"):
            return {**f, "missingValues": ["", "nan"]}
        if f.get("type") != "array":
            return f
        item = self.item(f["name"])["type"]
        note = (
            "A list of objects (Parquet list<struct>) whose fields x-articlepack.array_items gives."
            if item == typemap.OBJECT
            else f"A list of {item} values (Parquet list<{typemap.ARROW[item]}>)."
        )
        return {**f, "type": "any", "description": f"{f.get('description', '')} {note}".strip()}

    # -- the table in other type systems (see :mod:`articlepack.typemap`) ---------------------

    def _types(self, f: Mapping[str, Any]) -> tuple[str, str]:
        """A field's Table Schema type and, for an ``array``, its items' type."""
        return f.get("type", "string"), self.item(f["name"])["type"]

    def _arrow_type(self, f: Mapping[str, Any]) -> pyarrow.DataType:
        members = list(self.nested(f["name"]).arrow()) if self.holds_objects(f["name"]) else ()
        return typemap.arrow_type(*self._types(f), members)

    def arrow(self) -> pyarrow.Schema:
        """The explicit Arrow schema of the published Parquet files."""
        import pyarrow as pa

        return pa.schema(
            pa.field(
                f["name"],
                self._arrow_type(f),
                nullable=not f.get("constraints", {}).get("required", False),
                metadata={"description": f["description"]} if f.get("description") else None,
            )
            for f in self.fields
        )

    def polars(self) -> dict[str, pl.DataType]:
        """Column name -> polars dtype (those of :meth:`arrow`)."""
        out = {}
        for f in self.fields:
            nested = self.nested(f["name"]).polars() if self.holds_objects(f["name"]) else None
            out[f["name"]] = typemap.polars_type(*self._types(f), nested)
        return out

    def features(self) -> Any:
        """The Hugging Face ``datasets.Features`` of the published table: a required string enum
        is a ``ClassLabel``."""
        labels = {
            f["name"]: f["constraints"]["enum"]
            for f in self.fields
            if f.get("type", "string") == "string"
            and f.get("constraints", {}).get("enum")
            and f["constraints"].get("required")
        }
        return typemap.features(self.arrow(), labels)

    def croissant_type(self, column: str) -> str:
        return typemap.croissant_type(self._arrow_type(self.field(column)))


def load_schemas(directory: Path) -> dict[str, TableSchema]:
    """Every ``<table>.schema.yaml`` in ``directory``, in dependency order (a table's foreign keys
    point only to tables before it); raise :class:`SchemaError` on problems."""
    schemas = {}
    for path in sorted(directory.glob("*.schema.yaml")):
        name = path.name.removesuffix(".schema.yaml")
        if not _NAME.fullmatch(name):
            raise SchemaError(f"{path}: a table's name is lowercase letters, digits and _")
        try:
            descriptor = _yaml.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SchemaError(f"{path}: cannot read the table schema ({exc.strerror})") from None
        except _yaml.YAMLProblem as exc:
            raise SchemaError(f"{path}:{exc.line or 1}: {exc.message}") from None
        if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
            raise SchemaError(f"{path}: a Table Schema needs a list of `fields`")
        schemas[name] = TableSchema(name, descriptor)
    return {name: schemas[name] for name in _in_order(schemas)}


def _in_order(schemas: dict[str, TableSchema]) -> list[str]:
    """Tables in dependency order; among those ready, the document, body and registry first."""

    def rank(name: str) -> tuple[int, str]:
        schema = schemas[name]
        rows = schema.extension.get("rows")
        registry = isinstance(rows, dict) and "registry" in rows
        return (0 if rows == "document" else 1 if schema.body else 2 if registry else 3, name)

    needs = {
        name: {
            str(fk.get("reference", {}).get("resource") or name)
            for fk in schema.descriptor.get("foreignKeys", [])
            if isinstance(fk, dict) and isinstance(fk.get("reference"), dict)
        }
        - {name}
        for name, schema in schemas.items()
    }
    for name, wanted in needs.items():
        if wanted - set(schemas):
            missing = ", ".join(sorted(wanted - set(schemas)))
            raise SchemaError(
                f"schemas/{name}.schema.yaml: a foreign key refers to {missing}, which has no "
                "schema in schemas/"
            )
    order: list[str] = []
    while len(order) < len(schemas):
        ready = [n for n in schemas if n not in order and needs[n] <= set(order)]
        if not ready:
            loop = ", ".join(sorted(set(schemas) - set(order)))
            raise SchemaError(f"the foreign keys of {loop} refer to each other in a circle")
        order.append(min(ready, key=rank))
    return order


def article_tables(schemas: Mapping[str, TableSchema]) -> tuple[str, ...]:
    """The tables whose rows are read from article.yaml files, in order."""
    return tuple(name for name, schema in schemas.items() if schema.source.in_articles)


def table_of(schemas: Mapping[str, TableSchema], role: str) -> str | None:
    """The table that plays ``role`` in the corpus format, if any: ``document`` (one row per
    article.yaml), ``body`` (each article's own content), ``registry`` (corpus/entities.yaml)."""
    for name, schema in schemas.items():
        rows = schema.extension.get("rows")
        if (
            (role == "document" and rows == "document")
            or (role == "body" and schema.body)
            or (role == "registry" and isinstance(rows, dict) and "registry" in rows)
        ):
            return name
    return None
