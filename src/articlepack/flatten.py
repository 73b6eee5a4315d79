"""Parsed documents flattened into rows in Python, with a finding for each value out of shape.

This is the reader's careful path: it walks every value, copies those of the type their column
expects and words a finding (``unknown-key``, ``wrong-type``, ``out-of-range``) for the rest.
The reader takes it for a chunk of articles that :mod:`articlepack.arrow_flatten` finds out of
shape, and for corpus/entities.yaml. :func:`frames` makes typed tables of the rows.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from articlepack.failing_rows import where
from articlepack.report import Finding, did_you_mean
from articlepack.schema import TableSchema
from articlepack.shape import ITEMS, Col, Layout, SpanOf, dtypes, encode_path, quote_key

if TYPE_CHECKING:
    import polars as pl

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
        types = dtypes(schema)
        data = {
            c: pl.Series(c, [r.get(c) for r in found], dtype=types[c], strict=False) for c in types
        }
        out[name] = pl.DataFrame(data)
    return out


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
        ident = item.get("id") if isinstance(item.get("id"), str) else None
        lists = _flatten(item, spec, row, file, item_path, rows, ident)
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
    ident: str | None,
) -> dict[Col, list[Any]]:
    """Copy ``doc``'s values into ``row`` by ``spec``; report unknown keys and wrong types,
    naming the item by ``ident``, its id.

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
            _flatten(value, target.spec, row, file, (*path, key), rows, ident)
            continue
        _flatten_value(key, value, spec, ids, row, file, path, rows, ident)
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
    ident: str | None,
) -> None:
    """Everything but the common case: nesting, lists, nulls and every kind of mistake."""
    at = (*path, key)
    target: Any = spec.get(key, _UNKNOWN) if isinstance(key, str) else _UNKNOWN

    def report(code: str, message: str) -> None:
        rows.findings.append(Finding(code, file, message, path=at, id=ident))

    if not isinstance(key, str):
        report(
            "wrong-type",
            f"key {quote_key(key)} in `{where(path, ident)}` is {_kind(key)}; keys are strings",
        )
    elif target is _UNKNOWN:
        allowed = ", ".join(sorted(spec))
        hint = did_you_mean(key, spec)
        report("unknown-key", f"unknown key `{where(at, ident)}`{hint} (allowed here: {allowed})")
    elif target is None or value is None:
        return
    elif isinstance(target, dict):
        if isinstance(value, dict):
            ids.update(_flatten(value, target, row, file, at, rows, ident))
        else:
            report("wrong-type", f"`{where(at, ident)}` must be a mapping, not {_kind(value)}")
    elif isinstance(target, SpanOf):
        report(
            "wrong-type",
            f"`{where(at, ident)}` must be a span {{start, end, text}}, not {_kind(value)}",
        )
    elif not _typed(value, target.kind):
        report(
            "wrong-type",
            f"`{where(at, ident)}` must be {_KIND_NAMES[target.kind]}, not {_kind(value)}",
        )
    elif (
        target.kind in ("int", "num") and type(value) is int and not _INT64[0] <= value <= _INT64[1]
    ):
        report("out-of-range", f"`{where(at, ident)}`: {value} does not fit in 64 bits")
    elif target.kind == "ids":
        ids[target] = value
    else:
        row[target.name] = value


_UNKNOWN = object()


def _typed(value: Any, kind: str) -> bool:
    if kind in ITEMS:
        return isinstance(value, list) and all(_typed(v, ITEMS[kind]) for v in value)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, _KINDS[kind]) and not isinstance(value, bool)


_GLIMPSE = reprlib.Repr()
_GLIMPSE.maxlevel, _GLIMPSE.maxstring, _GLIMPSE.maxother, _GLIMPSE.maxlong = 2, 40, 40, 40


def _kind(value: Any) -> str:
    """``int 5``, ``list [1, 2]``: a value's type and a short glimpse of it, for messages."""
    return f"{type(value).__name__} {_GLIMPSE.repr(value)}"


def flatten_article(
    doc: Mapping[Any, Any], article_id: str, file: str, rows: Rows, layout: Layout
) -> None:
    """An article.yaml document as rows, with a finding for each value out of shape."""
    row: dict[str, Any] = {}
    _flatten(doc, layout.document_spec, row, file, (), rows, article_id)
    rows.table(layout.document).append({**row, "_file": file, "_path": ""})
    for key, table in layout.lists.items():
        flatten_list(doc, key, table, layout, file, rows, {"article_id": article_id})
