"""A release's Parquet file, checked against the record's Table Schema before any row is used.

The footer is checked first: the Arrow schema that reading the file would give (column names,
types, nullability) must be the one the record declares, derived by :meth:`TableSchema.arrow`
(the one type map); its row count must be the record's; its pages must not unpack to more than
:func:`budget` allows. A file of another schema is refused even when its hash was recomputed
into the record.

That footer does not bound what rows decode to: a long value repeated by dictionary and
run-length encoding costs a few bytes per thousand rows (a 554 KB file of 20 million such rows
decodes to 5 GB). So rows are read in batches with string columns kept dictionary-encoded, the
size they would take decoded is counted from the dictionary's value lengths, and the file is
refused once that passes the budget, before any batch is decoded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from articlepack.errors import IntegrityError
from articlepack.record import Resource
from articlepack.release_folder import ReleaseFolder
from articlepack.schema import TableSchema

if TYPE_CHECKING:
    import pyarrow
    import pyarrow.parquet

#: Decoded bytes allowed per byte of Parquet file. Real releases stay below 30 (event_arguments,
#: short ids repeated row after row: 3.9 bundled, 24.9 at 1,000 synthetic articles, 27.7 at
#: 10,000); a hostile file reaches 10,000 and more.
MAX_EXPANSION = 256
#: A small file may always decode to this much.
MIN_BUDGET = 64 << 20
BATCH_ROWS = 65_536


def budget(size: int) -> int:
    """The most that a Parquet file of ``size`` bytes may take once decoded."""
    return max(MAX_EXPANSION * size, MIN_BUDGET)


def table_schema(resource: Resource) -> TableSchema:
    """The Table Schema the record declares for ``resource``, with its list columns restored.

    A release declares list columns ``any`` (frictionless reads Parquet lists as nothing else)
    and records their item type under the resource's ``x-articlepack.array_items``.
    """
    fields = [
        {**f, "type": "array"} if f.get("type") == "any" else f for f in resource.schema["fields"]
    ]
    extension = {"array_items": resource.array_items}
    return TableSchema(resource.name, {"fields": fields, "x-articlepack": extension})


def declared(folder: ReleaseFolder, resource: Resource) -> pyarrow.Schema:
    """The Arrow schema the record declares for ``resource``."""
    try:
        return table_schema(resource).arrow()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise unreadable(folder, resource, exc) from None


def unreadable(folder: ReleaseFolder, resource: Resource, exc: Exception) -> IntegrityError:
    return folder.refuse(
        f"the record declares a schema for {resource.name} that articlepack never writes "
        f"({type(exc).__name__}: {exc})"
    )


def open_checked(
    folder: ReleaseFolder, resource: Resource, handle: BinaryIO | pyarrow.NativeFile, size: int
) -> pyarrow.parquet.ParquetFile:
    """The Parquet file in ``handle`` once its footer matches the record; strings as dictionaries.

    Raises :class:`~articlepack.errors.IntegrityError` naming the file and what differs.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = resource.path
    expected = declared(folder, resource)
    try:
        plain = pq.ParquetFile(handle)
        meta = plain.metadata
        actual = plain.schema_arrow
        strings = [c.path for c in plain.schema if c.physical_type == "BYTE_ARRAY"]
        file = pq.ParquetFile(handle, metadata=meta, read_dictionary=strings)
        groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
        unpacked = [
            g.column(j).total_uncompressed_size for g in groups for j in range(g.num_columns)
        ]
    except (OSError, pa.ArrowException) as exc:
        raise folder.refuse(f"{path} is not a readable Parquet file ({exc})") from None
    mismatch = _mismatch(actual, expected)
    if mismatch:
        raise folder.refuse(f"{path} is not of the schema the record declares: {mismatch}")
    if meta.num_rows != resource.rows or sum(g.num_rows for g in groups) != meta.num_rows:
        raise folder.refuse(
            f"{path} holds {meta.num_rows:,} rows; the record declares {resource.rows:,}"
        )
    if any(n < 0 for n in unpacked) or sum(unpacked) > budget(size):
        raise folder.refuse(
            f"{path} unpacks to {sum(unpacked):,} bytes, more than the {budget(size):,} allowed "
            f"for its {size:,}: refused as a decompression bomb before any row was read"
        )
    return file


def batches(
    folder: ReleaseFolder, resource: Resource, handle: BinaryIO | pyarrow.NativeFile, size: int
) -> Iterator[pyarrow.RecordBatch]:
    """The file's rows in batches (strings still dictionary-encoded), within :func:`budget`."""
    import pyarrow as pa

    file = open_checked(folder, resource, handle, size)
    limit, total = budget(size), 0
    # One row group at a time: each has its own dictionaries, and a batch that spans two cannot
    # hold a list of strings ("Nested data conversions not implemented for chunked array
    # outputs", pyarrow 26): the events of 10,000 articles, in two row groups, were refused.
    groups = range(file.metadata.num_row_groups)
    try:
        for batch in (
            batch
            for group in groups
            for batch in file.iter_batches(BATCH_ROWS, row_groups=[group], use_threads=False)
        ):
            total += sum(_decoded(column) for column in batch.columns)
            if total > limit:
                raise folder.refuse(
                    f"{resource.path} decodes to more than the {limit:,} bytes allowed for its "
                    f"{size:,}: refused as a decompression bomb before its rows were decoded"
                )
            yield batch
    except (OSError, pa.ArrowException) as exc:
        raise folder.refuse(f"{resource.path} is not a readable Parquet file ({exc})") from None


def read(
    folder: ReleaseFolder, resource: Resource, handle: BinaryIO | pyarrow.NativeFile, size: int
) -> pyarrow.Table:
    """The file's rows as an Arrow table of exactly the declared schema."""
    import pyarrow as pa

    expected = declared(folder, resource)
    parts = list(batches(folder, resource, handle, size))
    return pa.Table.from_batches(parts).cast(expected) if parts else expected.empty_table()


def _mismatch(actual: pyarrow.Schema, expected: pyarrow.Schema) -> str:
    """How ``actual`` differs from ``expected`` (names, order, types, nullability), or ""."""
    if actual.names != expected.names:
        missing = [n for n in expected.names if n not in actual.names]
        extra = [n for n in actual.names if n not in expected.names]
        return (
            f"columns missing: {missing}, unexpected: {extra}"
            if missing or extra
            else f"columns in another order: {actual.names}"
        )
    for found, wanted in zip(actual, expected, strict=True):
        if not _same_type(found.type, wanted.type) or found.nullable != wanted.nullable:
            return (
                f"column {found.name} is {found.type}{'' if found.nullable else ' not null'}, "
                f"declared {wanted.type}{'' if wanted.nullable else ' not null'}"
            )
    return ""


def _same_type(found: pyarrow.DataType, wanted: pyarrow.DataType) -> bool:
    """Equal types; a list's item field may be named ``item`` or ``element``, at any depth."""
    import pyarrow as pa

    if pa.types.is_list(found) and pa.types.is_list(wanted):
        return _same_type(found.value_type, wanted.value_type)
    if pa.types.is_struct(found) and pa.types.is_struct(wanted):
        return found.num_fields == wanted.num_fields and all(
            a.name == b.name and a.nullable == b.nullable and _same_type(a.type, b.type)
            for a, b in zip(found, wanted, strict=True)
        )
    return bool(found.equals(wanted))


def _decoded(array: pyarrow.Array) -> int:
    """Bytes ``array`` takes once decoded, counted without decoding it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(array.type):
        lengths = pc.take(pc.binary_length(array.dictionary), array.indices)
        return 4 * len(array) + int(pc.sum(lengths).as_py() or 0)
    if pa.types.is_list(array.type):
        return 4 * len(array) + _decoded(array.flatten())
    if pa.types.is_struct(array.type):  # a layer of the documents table: its strings as above
        return sum(_decoded(member) for member in array.flatten())
    return int(array.nbytes)
