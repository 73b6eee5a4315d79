"""Parsed documents flattened into tables by Arrow: the reader's fast path.

Arrow infers the types of a whole chunk of documents at once, in C++, rather than value by value
in Python. It cannot say what is wrong, so a chunk with any value not of the type the spec expects
is flattened by :mod:`articlepack.flatten` instead, which words a finding for each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from articlepack.schema import TableSchema
from articlepack.shape import ITEMS, Article, Col, Layout, SpanOf, dtypes

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa


class _Unfit(Exception):
    """A value that Arrow's inferred types show is not of the type its key expects."""


def arrow_frames(articles: list[Article], layout: Layout) -> dict[str, pl.DataFrame] | None:
    """The article tables of well-formed articles, flattened by Arrow; None if any is not.

    Arrow infers each table's types from the values, in C++. The result is used only when the
    inferred types fit the spec: no unknown or non-string key, no value of another type, no
    null list item. Then every value is what :func:`~articlepack.flatten.flatten_article` would
    have copied, and it would have found nothing to report.
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
    kinds.update({many: pa.list_(scalars[one]) for many, one in ITEMS.items()})
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
    """A table from its leaf arrays and its rows' context columns, typed as :func:`~articlepack.flatten.frames`."""
    import polars as pl

    columns = []
    for column, dtype in dtypes(schema).items():
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
    """One row per value of the lists ``table`` unnests, as :func:`~articlepack.flatten.flatten_list` makes them."""
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
    types = dtypes(schema)
    if not parts:
        return pl.DataFrame(schema=types)
    found = pl.concat(parts)
    return found.select(
        pl.col(c).cast(t, strict=False) if c in found.columns else pl.lit(None, t).alias(c)
        for c, t in types.items()
    )
