"""The one schema source of truth: Frictionless Table Schemas in ``schemas/<table>.schema.yaml``.

Every ``*.schema.yaml`` of a project is a table; the schemas say what article.yaml and
entities.yaml may hold. Everything else is derived here: where each column is read from, the
pandera (polars) validator, the Arrow schema of the Parquet files, the Hugging Face
``Features``, the Croissant fields and the Data Package resource schema. articlepack's own keys
live under ``x-articlepack``:

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
- ``array_items``: the item type (and optional ``enum``) of ``array`` columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import _yaml
from articlepack.errors import SchemaError

if TYPE_CHECKING:
    import pandera.polars as pa
    import polars as pl
    import pyarrow

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ARROW = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}
_POLARS = {"string": "String", "integer": "Int64", "number": "Float64", "boolean": "Boolean"}
_HF = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}
_CROISSANT = {
    "string": "sc:Text",
    "integer": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
}


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
        note = f"A list of {item} values (Parquet list<{_ARROW[item]}>)."
        return {**f, "type": "any", "description": f"{f.get('description', '')} {note}".strip()}

    # -- derived representations -------------------------------------------------------------

    def arrow(self) -> pyarrow.Schema:
        """The explicit Arrow schema of the published Parquet files."""
        import pyarrow as pa

        def arrow_type(kind: str) -> pyarrow.DataType:
            return pa.type_for_alias(_ARROW[kind])

        out = []
        for f in self.fields:
            kind = f.get("type", "string")
            typ = (
                pa.list_(arrow_type(self.item(f["name"])["type"]))
                if kind == "array"
                else arrow_type(kind)
            )
            required = f.get("constraints", {}).get("required", False)
            meta = {"description": f["description"]} if f.get("description") else None
            out.append(pa.field(f["name"], typ, nullable=not required, metadata=meta))
        return pa.schema(out)

    def polars(self) -> dict[str, pl.DataType]:
        """Column name -> polars dtype (those of :meth:`arrow`)."""
        import polars as pl

        def polars_type(kind: str) -> pl.DataType:
            return getattr(pl, _POLARS[kind])()  # type: ignore[no-any-return]

        return {
            f["name"]: pl.List(polars_type(self.item(f["name"])["type"]))
            if f.get("type", "string") == "array"
            else polars_type(f.get("type", "string"))
            for f in self.fields
        }

    def features(self) -> Any:
        """The Hugging Face ``datasets.Features`` of the published table."""
        import datasets

        out: dict[str, Any] = {}
        for f in self.fields:
            kind = f.get("type", "string")
            c = f.get("constraints", {})
            if kind == "array":
                out[f["name"]] = datasets.List(datasets.Value(_HF[self.item(f["name"])["type"]]))
            elif c.get("enum") and kind == "string" and c.get("required"):
                out[f["name"]] = datasets.ClassLabel(names=list(c["enum"]))
            else:
                out[f["name"]] = datasets.Value(_HF[kind])
        return datasets.Features(out)

    def croissant_type(self, column: str) -> str:
        kind = self.field(column).get("type", "string")
        return _CROISSANT[self.item(column)["type"] if kind == "array" else kind]

    def pandera(self) -> pa.DataFrameSchema:
        """The pandera (polars backend) validator of the table's YAML-read columns."""
        import pandera.polars as pandera
        import polars as pl

        dtypes = self.polars()
        columns = {}
        for f in self.fields:
            name = f["name"]
            if name in self.derived:
                continue
            c = f.get("constraints", {})
            checks = []
            if "enum" in c:
                checks.append(pandera.Check.isin(c["enum"], name="enum"))
            if "pattern" in c:
                checks.append(pandera.Check.str_matches(_anchored(c["pattern"]), name="pattern"))
            if "minimum" in c:
                checks.append(pandera.Check.ge(c["minimum"], name="minimum"))
            if "maximum" in c:
                checks.append(pandera.Check.le(c["maximum"], name="maximum"))
            if "maxLength" in c:
                checks.append(pandera.Check.str_length(max_value=c["maxLength"], name="maxLength"))
            item_enum = self.item(name).get("enum") if f.get("type") == "array" else None
            if item_enum:
                # a set difference reads the same in every polars 1.x and 2.x, where `is_in`
                # on a list literal inside `list.eval` changed meaning between versions
                allowed = pl.lit(pl.Series([list(item_enum)]))
                checks.append(
                    pandera.Check(
                        lambda data, col=name, allowed=allowed: data.lazyframe.select(
                            (pl.col(col).list.set_difference(allowed).list.len() == 0).fill_null(
                                True
                            )
                        ),
                        name="enum",
                    )
                )
            columns[name] = pandera.Column(
                dtypes[name],
                checks=checks,
                nullable=not c.get("required", False),
                unique=bool(c.get("unique")) and len(self.primary_key) <= 1,
                required=True,
            )
        unique = list(self.primary_key) if len(self.primary_key) > 1 else None
        validator: pa.DataFrameSchema = pandera.DataFrameSchema(
            columns, unique=unique, name=self.name, strict=False
        )
        return validator


def _anchored(pattern: str) -> str:
    """Frictionless patterns match the whole value."""
    return pattern if pattern.startswith("^") and pattern.endswith("$") else f"^(?:{pattern})$"


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
