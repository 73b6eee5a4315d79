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
from articlepack.schema import TableSchema

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

# A spec maps each YAML key to a column (with its Python type) or to a nested spec.
# Kinds: str, int, strs (list of str), ids (list of id strings -> event_arguments), span, list.


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "str"


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


def _span(text: str, prefix: str | None = None) -> SpanOf:
    prefix = text if prefix is None else prefix
    return SpanOf(text, f"{prefix}_raw_start", f"{prefix}_raw_end")


_ARTICLE: dict[str, Any] = {
    "id": Col("id"),
    "source": {
        "record": Col("source_record"),
        "publisher": Col("source_publisher"),
        "publisher_basis": Col("source_publisher_basis"),
        "publisher_evidence": _span("source_publisher_evidence"),
        "url": Col("source_url"),
        "credited": Col("source_credited", "strs"),
    },
    "raw": {"sha256": Col("raw_sha256")},
    "published": {
        "date": Col("published_date", "date"),
        "basis": Col("published_basis"),
        "evidence": _span("published_evidence"),
    },
    "title": _span("title"),
    "language": Col("language"),
    "rights": {"statement": Col("rights_statement"), "distribution": Col("rights_distribution")},
    "tags": Col("tags", "strs"),
    "annotators": Col("annotators", "strs"),
}
_SEGMENT: dict[str, Any] = {
    "start": Col("raw_start", "int"),
    "end": Col("raw_end", "int"),
    "text": Col("text"),
}
_MENTION: dict[str, Any] = {
    "id": Col("id"),
    "start": Col("raw_start", "int"),
    "end": Col("raw_end", "int"),
    "text": Col("text"),
    "entity": Col("entity_id"),
}
_EVENT: dict[str, Any] = {
    "id": Col("id"),
    "type": Col("type"),
    "mode": Col("mode"),
    "realis": Col("realis"),
    "trigger": SpanOf("trigger", "trigger_raw_start", "trigger_raw_end"),
    "actors": Col("actor", "ids"),
    "recipients": Col("recipient", "ids"),
    "location": Col("location"),
    "date": Col("date", "date"),
    "date_evidence": _span("date_evidence"),
    "context": Col("context", "strs"),
}
_QUOTE: dict[str, Any] = {
    "id": Col("id"),
    "speaker": Col("speaker"),
    "kind": Col("kind"),
    "cue": _span("cue"),
    "content": _span("content"),
}
#: article.yaml list key -> (table, item spec)
_LISTS: dict[str, tuple[str, dict[str, Any]]] = {
    "body": ("segments", _SEGMENT),
    "mentions": ("mentions", _MENTION),
    "events": ("events", _EVENT),
    "quotes": ("quotes", _QUOTE),
}
ENTITY: dict[str, Any] = {
    "id": Col("id"),
    "name": Col("name"),
    "type": Col("type"),
    "aliases": Col("aliases", "strs"),
    "country": Col("country"),
    "sector": Col("sector"),
    "wikidata": Col("wikidata"),
}
_TABLE_SPECS: dict[str, dict[str, Any]] = {
    "articles": _ARTICLE,
    "entities": ENTITY,
    **{t: spec for t, spec in _LISTS.values()},
    "event_arguments": {"actors": Col("mention_id")},
}


def _paths(spec: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, target in spec.items():
        if isinstance(target, dict):
            out.update(_paths(target, (*prefix, key)))
        elif isinstance(target, SpanOf):
            out.update(
                {
                    target.raw_start: (*prefix, key, "start"),
                    target.raw_end: (*prefix, key, "end"),
                    target.text: (*prefix, key, "text"),
                }
            )
        elif isinstance(target, Col):
            out[target.name] = (*prefix, key)
    return out


COLUMN_PATHS = {table: _paths(spec) for table, spec in _TABLE_SPECS.items()}
#: table -> the columns the reader fills, which the project's Table Schemas must declare
_IDS = {
    c.name
    for spec in _TABLE_SPECS.values()
    for c in spec.values()
    if isinstance(c, Col) and c.kind == "ids"
}
NEEDED: dict[str, set[str]] = {
    **{table: set(paths) - _IDS for table, paths in COLUMN_PATHS.items()},
    **{table: {*COLUMN_PATHS[table], "article_id"} - _IDS for table, _ in _LISTS.values()},
    "segments": {*COLUMN_PATHS["segments"], "article_id", "seq"},
    "event_arguments": {"article_id", "event_id", "role", "mention_id"},
}


def column_path(table: str, column: str) -> tuple[str, ...]:
    """The YAML keys below a row's own path that hold ``column`` (empty when not read from YAML)."""
    if table == "event_arguments":
        return ()
    return COLUMN_PATHS.get(table, {}).get(column, ())


_KINDS: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "date": (str,)}
_KIND_NAMES = {
    "str": "a string",
    "int": "an integer",
    "date": "a date string",
    "strs": "a list of strings",
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
    spec: dict[str, Any],
    file: str,
    path: tuple[Any, ...],
    rows: Rows,
    context: dict[str, Any],
    *,
    table: str | None = None,
) -> None:
    table = table or key
    items = doc.get(key)
    if items is None:
        return
    if not isinstance(items, list):
        rows.findings.append(
            Finding(
                "wrong-type", file, f"`{key}` must be a list, not {_kind(items)}", path=(*path, key)
            )
        )
        return
    out = rows.table(table)
    for i, item in enumerate(items):
        item_path = (*path, key, i)
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
        if table == "segments":
            row["seq"] = i
        ids = _flatten(item, spec, row, file, item_path, rows)
        out.append(row)
        for role, values in ids.items():
            for j, mention in enumerate(values):
                rows.table("event_arguments").append(
                    {
                        "article_id": context.get("article_id"),
                        "event_id": row.get("id"),
                        "role": role,
                        "mention_id": mention,
                        "_file": file,
                        "_path": encode_path((*item_path, f"{role}s", j)),
                    }
                )


_INT64 = (-(2**63), 2**63 - 1)


_FAST = {"str": str, "date": str, "int": int}  # kinds whose values are checked by exact type


def _flatten(
    doc: Mapping[Any, Any],
    spec: dict[str, Any],
    row: dict[str, Any],
    file: str,
    path: tuple[Any, ...],
    rows: Rows,
) -> dict[str, list[Any]]:
    """Copy ``doc``'s values into ``row`` by ``spec``; report unknown keys and wrong types."""
    ids: dict[str, list[Any]] = {}
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
    ids: dict[str, list[Any]],
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
    elif target.kind == "int" and not _INT64[0] <= value <= _INT64[1]:
        rows.findings.append(
            Finding(
                "out-of-range",
                file,
                f"`{dotted(where)}`: {value} does not fit in 64 bits",
                path=where,
            )
        )
    elif target.kind == "ids":
        ids[target.name] = value
    else:
        row[target.name] = value


_UNKNOWN = object()


def _typed(value: Any, kind: str) -> bool:
    if kind in ("strs", "ids"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, _KINDS[kind]) and not isinstance(value, bool)


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


def flatten_article(doc: Mapping[Any, Any], article_id: str, file: str, rows: Rows) -> None:
    """An article.yaml document as rows, with a finding for each value out of shape."""
    row: dict[str, Any] = {}
    _flatten(doc, {**_ARTICLE, **dict.fromkeys(_LISTS)}, row, file, (), rows)
    rows.table("articles").append({**row, "_file": file, "_path": ""})
    for key, (table, spec) in _LISTS.items():
        flatten_list(doc, key, spec, file, (), rows, {"article_id": article_id}, table=table)


# -- the Arrow path -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """A parsed article.yaml: its file, the id its rows are keyed by, and its document."""

    file: str
    id: str
    doc: dict[Any, Any]


class _Unfit(Exception):
    """A value that Arrow's inferred types show is not of the type its key expects."""


def arrow_frames(
    articles: list[Article], schemas: dict[str, TableSchema]
) -> dict[str, pl.DataFrame] | None:
    """The article tables of well-formed articles, flattened by Arrow; None if any is not.

    Arrow infers each table's types from the values, in C++. The result is used only when the
    inferred types fit the spec: no unknown or non-string key, no value of another type, no
    null list item. Then every value is what :func:`flatten_article` would have copied, and
    it would have found nothing to report.
    """
    import polars as pl

    heads: list[dict[Any, Any]] = []
    items: dict[str, list[Any]] = {key: [] for key in _LISTS}
    counts: dict[str, list[int]] = {key: [] for key in _LISTS}
    for article in articles:
        heads.append({k: v for k, v in article.doc.items() if k not in _LISTS})
        for key in _LISTS:
            value = article.doc.get(key)
            if value is not None and type(value) is not list:
                return None
            items[key] += value or ()
            counts[key].append(len(value or ()))
    owners = pl.DataFrame(
        {"article_id": [a.id for a in articles], "_file": [a.file for a in articles]},
        schema={"article_id": pl.String, "_file": pl.String},
    )
    try:
        out = {
            "articles": _frame(
                _leaves(heads, _ARTICLE), "articles", schemas, owners.with_columns(_path=pl.lit(""))
            )
        }
        for key, (table, spec) in _LISTS.items():
            context = _owners(owners, counts[key], key)
            leaves = _leaves(items[key], spec)
            out[table] = _frame(leaves, table, schemas, context)
            if table == "events":
                out["event_arguments"] = _arguments(out[table], leaves, schemas["event_arguments"])
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

    kinds = {"str": pa.string(), "date": pa.string(), "int": pa.int64()}
    fields = []
    for key, target in spec.items():
        if isinstance(target, dict):
            fields.append((key, _arrow_type(target)))
        elif isinstance(target, SpanOf):
            fields.append((key, _arrow_type(target.spec)))
        elif isinstance(target, Col):
            fields.append((key, kinds.get(target.kind) or pa.list_(pa.string())))
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


def _owners(owners: pl.DataFrame, counts: list[int], key: str) -> pl.DataFrame:
    """``article_id``, ``_file``, ``seq`` and ``_path`` of each item of the list ``key``.

    The owners' strings are gathered, not repeated: each item's row points at its article's
    one copy of them (16 bytes a row instead of a 100-byte copy; a mention has ~40 siblings).
    """
    import polars as pl

    return (
        owners.with_columns(_n=pl.Series(counts, dtype=pl.Int64))
        .filter(pl.col("_n") > 0)
        .select(
            pl.col("article_id", "_file").gather(pl.int_range(pl.len()).repeat_by("_n").explode()),
            seq=pl.int_ranges("_n").explode(),
        )
        .with_columns(_path=pl.format(f"{key}/{{}}", "seq"))
    )


def _frame(
    leaves: dict[tuple[str, ...], pa.Array],
    table: str,
    schemas: dict[str, TableSchema],
    context: pl.DataFrame,
) -> pl.DataFrame:
    """A table from its leaf arrays and its rows' context columns, typed as :func:`frames`."""
    import polars as pl

    paths = COLUMN_PATHS[table]
    columns = []
    for column, dtype in _dtypes(schemas[table]).items():
        path = paths.get(column) if column not in _IDS else None
        if column in context.columns:
            series = context[column]
        elif path in leaves:
            series = cast("pl.Series", pl.from_arrow(leaves[path]))
        else:
            series = pl.repeat(None, context.height, dtype=dtype, eager=True)
        columns.append(series.cast(dtype, strict=False).alias(column))
    return pl.DataFrame(columns)


def _arguments(
    events: pl.DataFrame, leaves: dict[tuple[str, ...], pa.Array], schema: TableSchema
) -> pl.DataFrame:
    """One row per id in each event's actors and recipients, as :func:`flatten_list` makes."""
    import polars as pl

    parts = []
    for key, target in _EVENT.items():
        if not (isinstance(target, Col) and target.kind == "ids") or (key,) not in leaves:
            continue
        ids = cast("pl.Series", pl.from_arrow(leaves[(key,)])).alias("mention_id")
        ids = ids.cast(pl.List(pl.String))
        parts.append(
            events.select("article_id", "_file", "_path", event_id="id")
            .with_columns(ids, role=pl.lit(target.name))
            .filter(pl.col("mention_id").list.len() > 0)
            .with_columns(_j=pl.int_ranges(pl.col("mention_id").list.len()))
            .explode("mention_id", "_j")
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
