"""The ``documents`` table: one row per article, its layers nested as lists of their rows.

A reader who wants one article with its mentions, events and quotes should not have to join
seven tables (BigBIO's KB schema and Hugging Face ``datasets`` users ask for exactly this view).
So every release also holds ``documents``: the document table's columns (metadata and ``text``),
then one column per layer of the article (:func:`articlepack.layers.layers`: every table whose
rows belong to an article, custom ones included), each a list of that table's rows without the
columns that only repeat the article's key, and in turn holding the layers nested in them (an
event's arguments). Offsets are those of the flat tables, so they index ``text``.

It is derived from the published flat tables in the build, never read separately, so the two
views cannot disagree; :mod:`articlepack.diff` leaves it out, its changes being those of its
sources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import layers, typemap
from articlepack.builder import parquet
from articlepack.layers import DOCUMENTS as DOCUMENTS  # re-exported: the builder names it here
from articlepack.schema import TableSchema, table_of

if TYPE_CHECKING:
    import polars as pl
    import pyarrow


def schema(schemas: Mapping[str, TableSchema]) -> TableSchema:
    """The Table Schema of ``documents``: the document table's fields, then its layers."""
    document = table_of(schemas, "document") or ""
    own = schemas[document]
    fields, items = _layers(schemas, document)
    descriptor = {
        "title": "Documents",
        "description": (
            f"One row per article: the columns of {document}, then each layer of the article "
            "as a list of its rows (without the columns that repeat the article's key), with "
            "the layers nested in them. Derived from the other tables by the build; offsets "
            "index `text`."
        ),
        "fields": [*own.fields, *fields],
        "primaryKey": list(own.primary_key),
        "x-articlepack": {"array_items": {**own.extension.get("array_items", {}), **items}},
    }
    return TableSchema(DOCUMENTS, descriptor)


def _layers(
    schemas: Mapping[str, TableSchema], parent: str
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The list fields of the layers nested in ``parent``'s rows, and their item types."""
    fields, items = [], {}
    found = layers.layers(schemas)
    for name in layers.children(schemas, parent):
        table = schemas[name]
        title = table.descriptor.get("title", name)
        fields.append(
            {
                "name": name,
                "type": "array",
                "description": f"The rows of {name} ({title}) in this row, in key order.",
                "constraints": {"required": True},
            }
        )
        nested, nested_items = _layers(schemas, name)
        items[name] = {
            "type": typemap.OBJECT,
            "fields": [f for f in table.fields if f["name"] not in found[name].columns] + nested,
            "array_items": {**table.extension.get("array_items", {}), **nested_items},
        }
    return fields, items


def write(
    root: Path,
    parts: Callable[[str], Iterator[pyarrow.Table]],
    schemas: Mapping[str, TableSchema],
) -> parquet.DataFile:
    """Write ``documents`` from the published tables' ``parts`` (each table cut at the same
    articles, in article order), a part at a time."""
    names = [table_of(schemas, "document") or "", *layers.layers(schemas)]
    chunks = zip(*(parts(name) for name in names), strict=True)
    made = (table(dict(zip(names, chunk, strict=True)), schemas) for chunk in chunks)
    return parquet.write_table(root, DOCUMENTS, made, parquet.ARTICLE_GROUP_ROWS)


def table(
    published: Mapping[str, pyarrow.Table], schemas: Mapping[str, TableSchema]
) -> pyarrow.Table:
    """The ``documents`` table made from the published flat tables (or from the same articles'
    part of each), in the document table's row order."""
    import polars as pl

    document = table_of(schemas, "document") or ""
    target = schema(schemas)
    found = layers.layers(schemas)

    def nest(name: str) -> pl.DataFrame:
        frame = pl.DataFrame(published[name])
        for child in layers.children(schemas, name):
            keys = found[child].keys
            rows = nest(child)
            own = [c for c in rows.columns if c not in found[child].columns]
            grouped = rows.group_by([c for c, _ in keys], maintain_order=True).agg(
                pl.struct(own).alias(child)
            )
            frame = frame.join(
                grouped,
                left_on=[p for _, p in keys],
                right_on=[c for c, _ in keys],
                how="left",
                maintain_order="left",
            )
            empty = pl.lit([], dtype=frame.schema[child])
            frame = frame.with_columns(pl.col(child).fill_null(empty))
        return frame

    return nest(document).select(target.columns).to_arrow().cast(target.arrow())


def copies(schemas: Mapping[str, TableSchema]) -> dict[str, str]:
    """Each column of ``documents`` (a nested one as ``layer.column``) -> the ``table.column``
    it copies: what holds page text there is what holds it in its source."""
    document = table_of(schemas, "document") or ""
    out = {f"{DOCUMENTS}.{c}": f"{document}.{c}" for c in schemas[document].columns}
    found = layers.layers(schemas)
    paths = {document: DOCUMENTS}
    for name, layer in found.items():
        paths[name] = f"{paths[layer.parent]}.{name}"
        out |= {
            f"{paths[name]}.{c}": f"{name}.{c}"
            for c in schemas[name].columns
            if c not in layer.columns
        }
    return out
