"""The shape of an article.yaml, and flattening parsed documents into table rows.

Two ways to flatten, one result. :func:`arrow_frames` hands whole chunks of articles to Arrow,
which infers their types in C++; its result is used only when every value has the type the
spec expects. Anything else goes through :func:`flatten_article`, which walks the values in
Python and words a finding for each unknown key and wrongly typed value.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from articlepack.report import Finding
from articlepack.schema import TableSchema, article_tables

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

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


_KINDS: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "date": (str,),
    "num": (int, float),
    "bool": (bool,),
}
_KIND_NAMES = {
    "str": "a string",
    "int": "an integer",
    "date": "a date string",
    "num": "a number",
    "bool": "true or false",
    "strs": "a list of strings",
    "ints": "a list of integers",
    "nums": "a list of numbers",
    "bools": "a list of true/false values",
    "ids": "a list of ids",
}


@dataclass
class Rows:
    """Rows (one dict each) per table, plus the findings met while reading them."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def table(self, name: str) -> list[dict[str, Any]]:
        return self.tables.setdefault(name, [])


def frames(
    rows: Rows, schemas: dict[str, TableSchema], names: tuple[str, ...]
) -> dict[str, pl.DataFrame]:
    """Rows as typed polars tables (columns the build derives are left out)."""
    import polars as pl

    out = {}
    for name in names:
        schema = schemas[name]
        found = rows.tables.get(name, [])
        dtypes = _dtypes(schema)
        data = {
            c: pl.Series(c, [r.get(c) for r in found], dtype=dtypes[c], strict=False)
            for c in dtypes
        }
        out[name] = pl.DataFrame(data)
    return out


def _dtypes(schema: TableSchema) -> dict[str, pl.DataType]:
    """The columns the reader gives a table, in order, with their polars types."""
    import polars as pl

    types = schema.polars()
    return {
        **{c: types[c] for c in schema.columns if c not in schema.derived},
        "_file": pl.String(),
        "_path": pl.String(),
    }


def flatten_list(
    doc: Mapping[Any, Any],
    key: str,
    table: str,
    layout: Layout,
    file: str,
    rows: Rows,
    context: dict[str, Any],
) -> None:
    """The items of the list ``key`` of ``doc`` as rows of ``table``, and the rows of the tables
    that unnest their lists."""
    items = doc.get(key)
    if items is None:
        return
    if not isinstance(items, list):
        rows.findings.append(
            Finding("wrong-type", file, f"`{key}` must be a list, not {_kind(items)}", path=(key,))
        )
        return
    out = rows.table(table)
    index = layout.schemas[table].source.index
    spec = layout.specs[table]
    for i, item in enumerate(items):
        item_path = (key, i)
        if not isinstance(item, dict):
            rows.findings.append(
                Finding(
                    "wrong-type",
                    file,
                    f"`{key}[{i}]` must be a mapping, not {_kind(item)}",
                    path=item_path,
                )
            )
            continue
        row: dict[str, Any] = {**context, "_file": file, "_path": encode_path(item_path)}
        if index:
            row[index] = i
        lists = _flatten(item, spec, row, file, item_path, rows)
        out.append(row)
        for col, values in lists.items():
            source = layout.schemas[col.table or ""].source
            parent = {c: row.get(p) for c, p in source.parent.items()}
            yaml_key = next(k for k, role in source.lists.items() if role == col.name)
            for j, value in enumerate(values):
                rows.table(col.table or "").append(
                    {
                        **context,
                        **parent,
                        source.role or "": col.name,
                        source.value or "": value,
                        "_file": file,
                        "_path": encode_path((*item_path, yaml_key, j)),
                    }
                )


_INT64 = (-(2**63), 2**63 - 1)


_FAST = {"str": str, "date": str, "int": int, "num": float, "bool": bool}  # by exact type


def _flatten(
    doc: Mapping[Any, Any],
    spec: dict[str, Any],
    row: dict[str, Any],
    file: str,
    path: tuple[Any, ...],
    rows: Rows,
) -> dict[Col, list[Any]]:
    """Copy ``doc``'s values into ``row`` by ``spec``; report unknown keys and wrong types.

    Returns the lists that other tables unnest, by their column."""
    ids: dict[Col, list[Any]] = {}
    for key, value in doc.items():
        target: Any = spec.get(key, _UNKNOWN) if type(key) is str else _UNKNOWN
        # The common case, checked with as little work as possible: a well-typed scalar or span.
        if type(target) is Col and type(value) is _FAST.get(target.kind):
            if type(value) is str or _INT64[0] <= cast(int, value) <= _INT64[1]:
                row[target.name] = value
                continue
        elif type(target) is SpanOf and type(value) is dict:
            _flatten(value, target.spec, row, file, (*path, key), rows)
            continue
        _flatten_value(key, value, spec, ids, row, file, path, rows)
    return ids


def _flatten_value(
    key: Any,
    value: Any,
    spec: dict[str, Any],
    ids: dict[Col, list[Any]],
    row: dict[str, Any],
    file: str,
    path: tuple[Any, ...],
    rows: Rows,
) -> None:
    """Everything but the common case: nesting, lists, nulls and every kind of mistake."""
    where = (*path, key)
    target: Any = spec.get(key, _UNKNOWN) if isinstance(key, str) else _UNKNOWN
    if not isinstance(key, str):
        rows.findings.append(
            Finding(
                "wrong-type",
                file,
                f"key {quote_key(key)} in `{dotted(path) or '(document)'}` is "
                f"{_kind(key)}; keys are strings",
                path=where,
            )
        )
    elif target is _UNKNOWN:
        allowed = ", ".join(sorted(spec))
        rows.findings.append(
            Finding(
                "unknown-key",
                file,
                f"unknown key `{dotted(where)}` (allowed here: {allowed})",
                path=where,
            )
        )
    elif target is None or value is None:
        return
    elif isinstance(target, dict):
        if isinstance(value, dict):
            ids.update(_flatten(value, target, row, file, where, rows))
        else:
            rows.findings.append(
                Finding(
                    "wrong-type",
                    file,
                    f"`{dotted(where)}` must be a mapping, not {_kind(value)}",
                    path=where,
                )
            )
    elif isinstance(target, SpanOf):
        rows.findings.append(
            Finding(
                "wrong-type",
                file,
                f"`{dotted(where)}` must be a span {{start, end, text}}, not {_kind(value)}",
                path=where,
            )
        )
    elif not _typed(value, target.kind):
        rows.findings.append(
            Finding(
                "wrong-type",
                file,
                f"`{dotted(where)}` must be {_KIND_NAMES[target.kind]}, not {_kind(value)}",
                path=where,
            )
        )
    elif (
        target.kind in ("int", "num") and type(value) is int and not _INT64[0] <= value <= _INT64[1]
    ):
        rows.findings.append(
            Finding(
                "out-of-range",
                file,
                f"`{dotted(where)}`: {value} does not fit in 64 bits",
                path=where,
            )
        )
    elif target.kind == "ids":
        ids[target] = value
    else:
        row[target.name] = value


_UNKNOWN = object()


def _typed(value: Any, kind: str) -> bool:
    if kind in _ITEMS:
        return isinstance(value, list) and all(_typed(v, _ITEMS[kind]) for v in value)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, _KINDS[kind]) and not isinstance(value, bool)


_ITEMS = {"strs": "str", "ids": "str", "ints": "int", "nums": "num", "bools": "bool"}


_GLIMPSE = reprlib.Repr()
_GLIMPSE.maxlevel, _GLIMPSE.maxstring, _GLIMPSE.maxother, _GLIMPSE.maxlong = 2, 40, 40, 40


def _kind(value: Any) -> str:
    """``int 5``, ``list [1, 2]``: a value's type and a short glimpse of it, for messages."""
    return f"{type(value).__name__} {_GLIMPSE.repr(value)}"


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


def flatten_article(
    doc: Mapping[Any, Any], article_id: str, file: str, rows: Rows, layout: Layout
) -> None:
    """An article.yaml document as rows, with a finding for each value out of shape."""
    row: dict[str, Any] = {}
    _flatten(doc, layout.document_spec, row, file, (), rows)
    rows.table(layout.document).append({**row, "_file": file, "_path": ""})
    for key, table in layout.lists.items():
        flatten_list(doc, key, table, layout, file, rows, {"article_id": article_id})


# -- the Arrow path -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """A parsed article.yaml: its file, the id its rows are keyed by, and its document."""

    file: str
    id: str
    doc: dict[Any, Any]


class _Unfit(Exception):
    """A value that Arrow's inferred types show is not of the type its key expects."""


def arrow_frames(articles: list[Article], layout: Layout) -> dict[str, pl.DataFrame] | None:
    """The article tables of well-formed articles, flattened by Arrow; None if any is not.

    Arrow infers each table's types from the values, in C++. The result is used only when the
    inferred types fit the spec: no unknown or non-string key, no value of another type, no
    null list item. Then every value is what :func:`flatten_article` would have copied, and
    it would have found nothing to report.
    """
    import polars as pl

    heads: list[dict[Any, Any]] = []
    items: dict[str, list[Any]] = {key: [] for key in layout.lists}
    counts: dict[str, list[int]] = {key: [] for key in layout.lists}
    for article in articles:
        heads.append({k: v for k, v in article.doc.items() if k not in layout.lists})
        for key in layout.lists:
            value = article.doc.get(key)
            if value is not None and type(value) is not list:
                return None
            items[key] += value or ()
            counts[key].append(len(value or ()))
    owners = pl.DataFrame(
        {"article_id": [a.id for a in articles], "_file": [a.file for a in articles]},
        schema={"article_id": pl.String, "_file": pl.String},
    )
    document = layout.document
    try:
        leaves = _leaves(heads, layout.specs[document])
        out = {
            document: _frame(
                leaves, layout.schemas[document], owners.with_columns(_path=pl.lit(""))
            )
        }
        for key, table in layout.lists.items():
            schema = layout.schemas[table]
            context = _owners(owners, counts[key], key, schema.source.index)
            leaves = _leaves(items[key], layout.specs[table])
            out[table] = _frame(leaves, schema, context)
            for col in layout.specs[table].values():
                if isinstance(col, Col) and col.kind == "ids" and col.table not in out:
                    out[col.table or ""] = _unnested(out[table], leaves, layout, col.table or "")
    except _Unfit:
        return None
    return out


def _leaves(items: list[Any], spec: dict[str, Any]) -> dict[tuple[str, ...], pa.Array]:
    """Arrow arrays of ``items``' values by YAML path; raises :class:`_Unfit` on a misfit."""
    import pyarrow as pa

    if not items:
        return {}
    try:
        array = pa.array(items)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        raise _Unfit from None
    if array.null_count or not _fits(array.type, _arrow_type(spec)):
        raise _Unfit
    out: dict[tuple[str, ...], pa.Array] = {}

    def walk(struct: pa.StructArray, prefix: tuple[str, ...]) -> None:
        for column, child in zip(struct.type, struct.flatten(), strict=True):
            path = (*prefix, column.name)
            if pa.types.is_struct(child.type):
                walk(child, path)
            elif pa.types.is_list(child.type) and child.flatten().null_count:
                raise _Unfit
            else:
                out[path] = child

    walk(array, ())
    return out


def _arrow_type(spec: dict[str, Any]) -> pa.DataType:
    """The Arrow type a spec's well-formed mapping has."""
    import pyarrow as pa

    scalars = {"str": pa.string(), "int": pa.int64(), "num": pa.float64(), "bool": pa.bool_()}
    kinds = {**scalars, "date": pa.string()}
    kinds.update({many: pa.list_(scalars[one]) for many, one in _ITEMS.items()})
    fields = []
    for key, target in spec.items():
        if isinstance(target, dict):
            fields.append((key, _arrow_type(target)))
        elif isinstance(target, SpanOf):
            fields.append((key, _arrow_type(target.spec)))
        elif isinstance(target, Col):
            fields.append((key, kinds[target.kind]))
    return pa.struct(fields)


def _fits(inferred: pa.DataType, expected: pa.DataType) -> bool:
    """Whether values Arrow inferred as ``inferred`` are all of type ``expected`` (or null)."""
    import pyarrow as pa

    if pa.types.is_null(inferred):
        return True
    if pa.types.is_struct(inferred):
        if not pa.types.is_struct(expected):
            return False
        names = {f.name: f.type for f in expected}
        return all(f.name in names and _fits(f.type, names[f.name]) for f in inferred)
    if pa.types.is_list(inferred):
        return pa.types.is_list(expected) and _fits(inferred.value_type, expected.value_type)
    return bool(inferred == expected)


def _owners(owners: pl.DataFrame, counts: list[int], key: str, index: str | None) -> pl.DataFrame:
    """``article_id``, ``_file``, ``_path`` (and the ``index`` column) of each item of ``key``.

    The owners' strings are gathered, not repeated: each item's row points at its article's
    one copy of them (16 bytes a row instead of a 100-byte copy; a mention has ~40 siblings).
    """
    import polars as pl

    rows = (
        owners.with_columns(_n=pl.Series(counts, dtype=pl.Int64))
        .filter(pl.col("_n") > 0)
        .select(
            pl.col("article_id", "_file").gather(pl.int_range(pl.len()).repeat_by("_n").explode()),
            _seq=pl.int_ranges("_n").explode(),
        )
        .with_columns(_path=pl.format(f"{key}/{{}}", "_seq"))
    )
    return rows.rename({"_seq": index}) if index else rows.drop("_seq")


def _frame(
    leaves: dict[tuple[str, ...], pa.Array], schema: TableSchema, context: pl.DataFrame
) -> pl.DataFrame:
    """A table from its leaf arrays and its rows' context columns, typed as :func:`frames`."""
    import polars as pl

    columns = []
    for column, dtype in _dtypes(schema).items():
        path = schema.paths.get(column)
        if column in context.columns:
            series = context[column]
        elif path in leaves:
            series = cast("pl.Series", pl.from_arrow(leaves[path]))
        else:
            series = pl.repeat(None, context.height, dtype=dtype, eager=True)
        columns.append(series.cast(dtype, strict=False).alias(column))
    return pl.DataFrame(columns)


def _unnested(
    parents: pl.DataFrame, leaves: dict[tuple[str, ...], pa.Array], layout: Layout, table: str
) -> pl.DataFrame:
    """One row per value of the lists ``table`` unnests, as :func:`flatten_list` makes them."""
    import polars as pl

    schema = layout.schemas[table]
    source = schema.source
    parts = []
    for key, role in source.lists.items():
        if (key,) not in leaves:
            continue
        values = cast("pl.Series", pl.from_arrow(leaves[(key,)])).alias("_values")
        parts.append(
            parents.select(
                "article_id",
                "_file",
                "_path",
                *(pl.col(p).alias(c) for c, p in source.parent.items()),
            )
            .with_columns(values.cast(pl.List(pl.String)), pl.lit(role).alias(source.role or ""))
            .filter(pl.col("_values").list.len() > 0)
            .with_columns(_j=pl.int_ranges(pl.col("_values").list.len()))
            .explode("_values", "_j")
            .rename({"_values": source.value or ""})
            .with_columns(_path=pl.format(f"{{}}/{key}/{{}}", "_path", "_j"))
        )
    dtypes = _dtypes(schema)
    if not parts:
        return pl.DataFrame(schema=dtypes)
    found = pl.concat(parts)
    return found.select(
        pl.col(c).cast(t, strict=False) if c in found.columns else pl.lit(None, t).alias(c)
        for c, t in dtypes.items()
    )
