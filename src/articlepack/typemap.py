"""The one type map: the Arrow type of each Table Schema type, and what derives from it.

The Parquet files are written in the Arrow types; the Hugging Face ``Features`` are what
``datasets`` reads from that Arrow schema, and the Croissant ``dataType`` names the Arrow type's
kind. The polars dtypes, which the reader and the pandera validator use, are polars' names for
the same Arrow types: polars could read them from the Arrow schema itself, but that would import
pyarrow (and, through it, pandas) where validation needs neither (a warm cache reads with polars
alone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl
    import pyarrow

#: Table Schema type -> its Arrow type, by the alias ``pyarrow.type_for_alias`` knows.
ARROW = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}
#: The item type of a list of objects (the ``documents`` table's layers): an Arrow struct whose
#: members the item's own fields give.
OBJECT = "object"
#: Arrow type alias -> the polars dtype of that Arrow type, as ``pl.from_arrow`` reads it.
_POLARS = {"string": "String", "int64": "Int64", "float64": "Float64", "bool": "Boolean"}


def arrow_type(kind: str, item: str, members: Sequence[pyarrow.Field] = ()) -> pyarrow.DataType:
    """The Arrow type of a field of Table Schema type ``kind`` (an ``array``: of ``item``s; of
    structs of ``members`` where ``item`` is :data:`OBJECT`)."""
    import pyarrow as pa

    if kind == "array":
        return pa.list_(pa.struct(members) if item == OBJECT else pa.type_for_alias(ARROW[item]))
    return pa.type_for_alias(ARROW[kind])


def polars_type(
    kind: str, item: str, members: Mapping[str, pl.DataType] | None = None
) -> pl.DataType:
    """The polars dtype of the same field: that of its Arrow type (:func:`arrow_type`)."""
    import polars as pl

    def scalar(name: str) -> pl.DataType:
        return getattr(pl, _POLARS[ARROW[name]])()  # type: ignore[no-any-return]

    if kind == "array" and item == OBJECT:
        return pl.List(pl.Struct(dict(members or {})))
    return pl.List(scalar(item)) if kind == "array" else scalar(kind)


def features(schema: pyarrow.Schema, labels: Mapping[str, Sequence[str]]) -> Any:
    """The Hugging Face ``Features`` that ``datasets`` reads from ``schema``, with a ``ClassLabel``
    for each column of ``labels`` (column -> its label names)."""
    import datasets

    out = datasets.Features.from_arrow_schema(schema)
    for column, names in labels.items():
        out[column] = datasets.ClassLabel(names=list(names))
    return out


def croissant_type(arrow: pyarrow.DataType) -> str:
    """The Croissant ``dataType`` of values of an Arrow type (of its items, for a list)."""
    import pyarrow as pa

    value = arrow.value_type if pa.types.is_list(arrow) else arrow
    kinds = (
        (pa.types.is_string, "sc:Text"),
        (pa.types.is_integer, "sc:Integer"),
        (pa.types.is_floating, "sc:Float"),
        (pa.types.is_boolean, "sc:Boolean"),
    )
    return next(name for is_kind, name in kinds if is_kind(value))
