"""The shape of an article.yaml, as the Table Schemas declare it: which key feeds which column.

:func:`layout` reads the schemas into a :class:`Layout`: the table of each list of article.yaml
(and of corpus/entities.yaml), and for each table a *spec*, its rows' YAML keys mapped onto its
columns. Both ways of flattening documents into rows follow it (:mod:`articlepack.flatten`,
:mod:`articlepack.arrow_flatten`), as do the messages that name a YAML path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from articlepack.schema import TableSchema, article_tables

if TYPE_CHECKING:
    import polars as pl

# A spec maps each YAML key to a column (with its kind of value) or to a nested spec. Kinds:
# str, date, int, num, bool; strs, ints, nums, bools (lists of them); ids (a list whose values
# become the rows of a table that unnests it).


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "str"
    table: str | None = None  # kind ids: the table whose rows the list's values become


@dataclass(frozen=True)
class SpanOf:
    """A ``{start, end, text}`` mapping stored in three columns."""

    text: str
    raw_start: str
    raw_end: str

    @cached_property
    def spec(self) -> dict[str, Col]:
        return {
            "start": Col(self.raw_start, "int"),
            "end": Col(self.raw_end, "int"),
            "text": Col(self.text),
        }


_SCALAR = {"string": "str", "integer": "int", "number": "num", "boolean": "bool"}
_LIST = {"string": "strs", "integer": "ints", "number": "nums", "boolean": "bools"}
ITEMS = {"strs": "str", "ids": "str", "ints": "int", "nums": "num", "bools": "bool"}  # of a list


@dataclass(frozen=True)
class Layout:
    """How the corpus files map onto the tables, as the schemas declare it.

    ``document`` is the table with one row per article.yaml, ``lists`` maps each list key of
    article.yaml to its table, ``registry`` is the (key, table) of corpus/entities.yaml, and
    ``specs`` gives each table's row shape.
    """

    schemas: Mapping[str, TableSchema]
    document: str
    lists: dict[str, str]
    registry: tuple[str, str] | None
    specs: dict[str, dict[str, Any]]

    @property
    def in_articles(self) -> tuple[str, ...]:
        """The tables whose rows come from article.yaml files."""
        return article_tables(self.schemas)

    @property
    def in_registry(self) -> tuple[str, ...]:
        """The table whose rows come from corpus/entities.yaml, if the schemas declare one."""
        return (self.registry[1],) if self.registry else ()

    @cached_property
    def document_spec(self) -> dict[str, Any]:
        """The whole article.yaml: the document table's keys and one key per list."""
        return {**self.specs[self.document], **dict.fromkeys(self.lists)}


def layout(schemas: Mapping[str, TableSchema]) -> Layout:
    """The corpus layout the schemas declare; :class:`ValueError` when it cannot be read."""
    documents = [n for n, s in schemas.items() if s.source.kind == "document"]
    if len(documents) != 1:
        raise ValueError(
            f"exactly one table has `rows: document` (one row per article.yaml), not {len(documents)}"
        )
    lists: dict[str, str] = {}
    registry = None
    for name, schema in schemas.items():
        source = schema.source
        if source.kind == "list":
            if source.key in lists:
                raise ValueError(f"{name} and {lists[source.key or '']} both read `{source.key}:`")
            lists[source.key or name] = name
        elif source.kind == "registry":
            if registry is not None:
                raise ValueError("only one table can be read from corpus/entities.yaml")
            registry = (source.key or name, name)
        elif source.kind == "unnest" and schemas.get(source.key or "") is None:
            raise ValueError(f"{name} unnests the lists of {source.key}, which has no schema")
    for name, schema in schemas.items():
        if schema.body and not (
            schema.source.kind == "list"
            and schema.source.index
            and schema.spans
            and schema.spans[0].start
            and schema.spans[0].end
        ):
            raise ValueError(
                f"{name}, the body, is a list with an `index` whose first span has start and end"
            )
    if "id" not in schemas[documents[0]].columns:
        raise ValueError(f"{documents[0]}, one row per article.yaml, has no `id` field")
    specs = {name: _spec(schema, schemas) for name, schema in schemas.items()}
    clash = set(lists) & set(specs[documents[0]])
    if clash:
        raise ValueError(f"article.yaml's `{sorted(clash)[0]}` is both a list and a field")
    return Layout(schemas, documents[0], lists, registry, specs)


def _spec(schema: TableSchema, schemas: Mapping[str, TableSchema]) -> dict[str, Any]:
    """One row's YAML shape: its columns at their paths, its spans, the lists others unnest."""
    spec: dict[str, Any] = {}

    def place(path: tuple[str, ...], target: Any) -> None:
        node = spec
        for key in path[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ValueError(f"{schema.name}: `{'.'.join(path)}` is both a value and a mapping")
        if path[-1] in node:
            raise ValueError(f"{schema.name}: two columns are read from `{'.'.join(path)}`")
        node[path[-1]] = target

    spans = {s.text: s for s in schema.spans}
    named = {c for s in spans.values() for c in (s.raw_start, s.raw_end)}
    for column, path in schema.paths.items():
        span = spans.get(column)
        if span is not None and path[-1] == "text" and len(path) > 1:
            place(path[:-1], SpanOf(span.text, span.raw_start, span.raw_end))
        elif column not in named or len(path) == 1:
            place(path, Col(column, _value_kind(schema, column)))
    for name, other in schemas.items():
        source = other.source
        if source.kind == "unnest" and source.key == schema.name:
            for key, role in source.lists.items():
                place((key,), Col(role, "ids", name))
    return spec


def _value_kind(schema: TableSchema, column: str) -> str:
    kind = schema.field(column).get("type", "string")
    if kind == "array":
        return _LIST[schema.item(column)["type"]]
    if column in schema.dates:
        return "date"
    return _SCALAR[kind]


def column_path(schema: TableSchema, column: str) -> tuple[str, ...]:
    """The YAML keys below a row's own path that hold ``column`` (empty when not read from YAML)."""
    return schema.paths.get(column, ())


def dtypes(schema: TableSchema) -> dict[str, pl.DataType]:
    """The columns the reader gives a table, in order, with their polars types."""
    import polars as pl

    types = schema.polars()
    return {
        **{c: types[c] for c in schema.columns if c not in schema.derived},
        "_file": pl.String(),
        "_path": pl.String(),
    }


@dataclass(frozen=True)
class Article:
    """A parsed article.yaml: its file, the id its rows are keyed by, and its document."""

    file: str
    id: str
    doc: dict[Any, Any]


def quote_key(key: Any) -> str:
    return f"`{key}`" if isinstance(key, str) else repr(key)


def encode_path(path: tuple[str | int, ...]) -> str:
    """A YAML path as a string column value: ``mentions/3/start``."""
    return "/".join(map(str, path))


def decode_path(text: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in text.split("/") if p)


def dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
