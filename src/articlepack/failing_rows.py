"""Findings for the rows a check found failing: each points at its value in its YAML file.

Every row the reader makes carries ``_file`` and ``_path`` (its item's YAML path); a column adds
the keys below the item that hold it, so a finding can name ``mentions[3].start`` and, later,
its line (:func:`articlepack.checks.locate`).
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from articlepack.report import Finding
from articlepack.shape import column_path, decode_path, dotted

if TYPE_CHECKING:
    import polars as pl

    from articlepack.schema import TableSchema

_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlevel = 60, 60, 2


def short(value: Any) -> str:
    """A value's repr, cut short for a message."""
    return _SHORT.repr(value)


def says(template: str, column: str, *, quote: bool = False) -> Callable[[dict[str, Any]], str]:
    """A message maker: ``template`` with the row's ``column`` value in its ``{}``."""
    return lambda r: template.format(short(r[column]) if quote else r[column])


def findings(
    frame: pl.DataFrame,
    code: str,
    message: Callable[[dict[str, Any]], str],
    schema: TableSchema,
    column: str,
) -> list[Finding]:
    """A finding for each row of ``frame``, at its value of ``column``."""
    return [finding(r, code, message(r), schema, column) for r in frame.iter_rows(named=True)]


def finding(
    r: dict[str, Any],
    code: str,
    message: str,
    schema: TableSchema,
    column: str,
    *,
    parent: bool = False,
) -> Finding:
    """The finding for row ``r`` at its value of ``column`` (with ``parent``, at the mapping
    that holds it: a span's ``{start, end, text}``), naming the row by its id (``_id`` when the
    frame carries it under that name, else :func:`id_column`)."""
    path = (*decode_path(r["_path"]), *column_path(schema, column))
    if parent and path:
        path = path[:-1] if len(column_path(schema, column)) > 0 else path
    named = id_column(schema)
    ident = r["_id"] if "_id" in r else r.get(named) if named else None
    ident = ident if isinstance(ident, str) else None
    return Finding(code, r["_file"], f"{where(path, ident)}: {message}", path=path, id=ident)


def id_column(schema: TableSchema) -> str | None:
    """The column that holds the id of the item a row comes from: its own ``id``, or, for a row
    unnested from another table's item (an event's argument), the column its parent's id fills."""
    source = schema.source
    if source.kind == "unnest":
        return next((c for c, p in source.parent.items() if p == "id"), None)
    return "id" if "id" in schema.columns else None


def where(path: tuple[str | int, ...], ident: str | None = None) -> str:
    """A YAML path for a message, naming a list item by its id rather than its position:
    ``mentions[id=m4].entity``, not ``mentions[3].entity``."""
    if ident is not None and len(path) > 1 and isinstance(path[1], int):
        path = (f"{path[0]}[id={ident}]", *path[2:])
    return dotted(path) or "(document)"
