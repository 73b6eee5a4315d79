"""What a build keeps of each published table that it streams to its file: a *view* of it, which
the card's facts (:func:`.facts.compute`) and pictures (:mod:`.pictures`) read as they would the
table, with neither its texts nor its offsets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from articlepack.builder.facts import PEOPLE, document_of
from articlepack.layers import ARTICLE
from articlepack.schema import table_of

if TYPE_CHECKING:
    import pyarrow

    from articlepack.schema import TableSchema


def view(name: str, table: pyarrow.Table, schemas: Mapping[str, TableSchema]) -> pyarrow.Table:
    """What :func:`compute` and the card's pictures read of a published table, or of a part of
    one: the registry whole, the document table but its body text; of the others, the columns
    they read values of, and of every other column only which rows are null (as booleans). A
    build keeps this much of each table that it streams to its file, not the texts and offsets."""
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = schemas[name]
    rows = schema.extension.get("rows")
    read = set(table.column_names)
    if name == document_of(schemas):
        offsets = {c for span in schema.spans for c in (span.start, span.end)}
        read -= set(schema.derived) - offsets  # the body text: of it, only which rows are null
    elif not (isinstance(rows, dict) and "registry" in rows):
        spec = schema.extension.get("timeline")
        read = {"id", "article_id", *PEOPLE.get(name, ())}
        if isinstance(spec, dict):
            read |= {str(spec["date"]), str(spec["label"])}
        if name == table_of(schemas, "body") and schema.spans:
            read |= {schema.spans[0].raw_start, schema.spans[0].raw_end}  # the body's length
    present, absent = pa.scalar(True), pa.scalar(None, pa.bool_())
    view = pa.table(
        {
            c: _kept(table.column(c), c, name == document_of(schemas))
            if c in read
            else pc.if_else(pc.is_valid(table.column(c)), present, absent)
            for c in table.column_names
        }
    )
    # A copy: the part's columns may be slices of one buffer (as a cluster sends them), which
    # any column kept would keep whole.
    return view.take(pa.array(range(view.num_rows), pa.int64()))


def _kept(column: pyarrow.ChunkedArray, name: str, document: bool) -> pyarrow.ChunkedArray:
    """A column a view keeps: a layer's article id as an index into the part's articles (its
    rows repeat each of a few ids; as strings they were most of a view's bytes)."""
    import pyarrow.compute as pc

    return pc.dictionary_encode(column) if name == ARTICLE and not document else column


def unify(view: pyarrow.Table) -> pyarrow.Table:
    """A table's view made of its parts' views: one dictionary of articles for all of them, as
    grouping by the article needs."""
    return view.unify_dictionaries()
