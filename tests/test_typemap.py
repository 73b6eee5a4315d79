"""The one type map: each Table Schema type's polars dtype is polars' reading of its Arrow type."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest

from articlepack import typemap

TYPES = [(kind, "string") for kind in typemap.ARROW] + [("array", item) for item in typemap.ARROW]


# Regression guard: polars' names of the Arrow types are written apart from the Arrow map, so that
# validation need not import pyarrow; this keeps the two in step for every type, bundled or not.
@pytest.mark.parametrize(
    ("kind", "item"), TYPES, ids=[k if k != "array" else f"array-of-{i}" for k, i in TYPES]
)
def test_the_polars_dtype_is_polars_reading_of_the_arrow_type(kind: str, item: str) -> None:
    arrow = pa.schema([("value", typemap.arrow_type(kind, item))])
    frame = pl.from_arrow(arrow.empty_table())
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["value"] == typemap.polars_type(kind, item)
