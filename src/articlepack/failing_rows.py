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
    *,
    id_column: str | None = None,
) -> list[Finding]:
    """A finding for each row of ``frame``, at its value of ``column``."""
    return [
        finding(r, code, message(r), schema, column, id_column=id_column)
        for r in frame.iter_rows(named=True)
    ]


def finding(
    r: dict[str, Any],
    code: str,
    message: str,
    schema: TableSchema,
    column: str,
    *,
    parent: bool = False,
    id_column: str | None = None,
) -> Finding:
    """The finding for row ``r`` at its value of ``column`` (with ``parent``, at the mapping
    that holds it: a span's ``{start, end, text}``)."""
    path = (*decode_path(r["_path"]), *column_path(schema, column))
    if parent and path:
        path = path[:-1] if len(column_path(schema, column)) > 0 else path
    ident = r.get(id_column) if id_column else None
    return Finding(
        code, r["_file"], f"{dotted(path) or '(document)'}: {message}", path=path, id=ident
    )
