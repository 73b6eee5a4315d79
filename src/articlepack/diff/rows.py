"""Rows added, removed and changed between two versions of a table, matched on its primary key.

Tables can hold millions of rows, so the comparison is a few polars joins rather than a loop:
each side is reduced to its key and a 64-bit hash of its other columns, and only the rows whose
hashes differ are compared column by column (a hash collision could hide a change: odds of about
1 in 2**64 per changed row). A row is *changed* when a column that both versions have with the
same type differs (null-aware). Dropped, added and retyped columns are schema changes
(:mod:`articlepack.diff.schema_rules`), not changed rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from articlepack.versions import Bump, largest

if TYPE_CHECKING:
    import polars as pl
    import pyarrow

    from articlepack.diff.sides import Table

_SUFFIX = "__articlepack_new"
_HASH = "__articlepack_hash"


@dataclass(frozen=True)
class TableChanges:
    """Rows added, removed and changed in one table, by primary key (``a/b`` when composite)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    #: column -> how many rows changed their value in it
    changed_columns: dict[str, int] = field(default_factory=dict)
    #: another table's foreign key (or, for articles, the corpus itself) refers to these rows
    referenced: bool = False
    #: span offset column -> how many rows no longer publish a value there (text withheld)
    withdrawn: dict[str, int] = field(default_factory=dict)

    @property
    def bump(self) -> Bump:
        """Removed rows: major if referenced, else patch; added: minor; changed: patch; span
        offsets no longer published: major (a reader's slices of the text stop working)."""
        bumps: list[Bump] = []
        if self.removed:
            bumps.append("major" if self.referenced else "patch")
        if self.withdrawn:
            bumps.append("major")
        if self.added:
            bumps.append("minor")
        if self.changed:
            bumps.append("patch")
        return largest(bumps)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "changed_columns": self.changed_columns,
            "withdrawn": self.withdrawn,
        }


def compare_rows(
    old: Table, new: Table, renames: dict[str, str], *, referenced: bool
) -> TableChanges:
    """Rows added, removed and changed, by joins on the primary key (renamed fields under their
    new name)."""
    import polars as pl

    before = frame(old.data).rename(
        {k: v for k, v in renames.items() if k in old.data.column_names}
    )
    after = frame(new.data)
    comparable = _comparable(old, new, renames, before.columns, after.columns)
    simple = [c for c in comparable if not isinstance(after.schema[c], pl.List)]
    key = _join_key(old, new, renames, simple)
    if not key:
        return TableChanges(removed=ids(old), added=ids(new), referenced=referenced)
    values = [c for c in comparable if c not in key]
    digest = pl.struct(values).hash(seed=0) if values else pl.lit(0, pl.UInt64)
    left = before.lazy().select(*key, digest.alias(_HASH))
    right = after.lazy().select(*key, digest.alias(_HASH))
    ident = _id_expr(key).alias("id")
    added, removed, differ = pl.collect_all(
        [
            right.join(left, on=key, how="anti").select(ident).sort("id"),
            left.join(right, on=key, how="anti").select(ident).sort("id"),
            left.join(right, on=key, how="inner", suffix=_SUFFIX)
            .filter(pl.col(_HASH) != pl.col(_HASH + _SUFFIX))
            .select(key),
        ]
    )
    changed: list[str] = []
    counts: dict[str, int] = {}
    withdrawn: dict[str, int] = {}
    if differ.height:
        changed, counts, withdrawn = _changed_cells(before, after, differ, key, values, new.offsets)
    return TableChanges(
        added=added["id"].to_list(),
        removed=removed["id"].to_list(),
        changed=changed,
        changed_columns=counts,
        referenced=referenced,
        withdrawn=withdrawn,
    )


def _comparable(
    old: Table, new: Table, renames: dict[str, str], before: list[str], after: list[str]
) -> list[str]:
    """NEW's columns that OLD also has (maybe under its old name) with the same type."""
    old_name = {v: k for k, v in renames.items()}
    out = []
    for g in new.fields:
        f = old.field(old_name.get(g.name, g.name))
        if f is not None and f.type_name == g.type_name and g.name in before and g.name in after:
            out.append(g.name)
    return out


def _join_key(old: Table, new: Table, renames: dict[str, str], simple: list[str]) -> list[str]:
    """NEW's primary key, else OLD's, else every comparable non-list column; the first whose
    columns are all comparable, non-list columns ([] when none is)."""
    for candidate in (list(new.primary_key), [renames.get(k, k) for k in old.primary_key], simple):
        if candidate and all(c in simple for c in candidate):
            return candidate
    return []


def _changed_cells(
    before: pl.DataFrame,
    after: pl.DataFrame,
    differ: pl.DataFrame,
    key: list[str],
    values: list[str],
    offsets: tuple[str, ...],
) -> tuple[list[str], dict[str, int], dict[str, int]]:
    """Exact, column by column, on the few rows whose hashes differ: the ids of the changed rows,
    how many changed in each column, and how many no longer publish each span offset."""
    import polars as pl

    pair = (
        before.join(differ, on=key, how="semi")
        .select(*key, *values)
        .join(
            after.join(differ, on=key, how="semi").select(*key, *values),
            on=key,
            how="inner",
            suffix=_SUFFIX,
        )
    )
    cells = pair.select(
        _id_expr(key).alias("id"),
        *[pl.col(c).ne_missing(pl.col(c + _SUFFIX)).alias(c) for c in values],
    )
    changed = cells.filter(pl.any_horizontal(values))["id"].sort().to_list()
    counts = {
        c: int(n) for c, n in cells.select(pl.col(values).sum()).row(0, named=True).items() if n
    }
    published = [c for c in offsets if c in values]
    lost = pair.select(
        (pl.col(c).is_not_null() & pl.col(c + _SUFFIX).is_null()).sum() for c in published
    )
    withdrawn = {c: int(n) for c, n in lost.row(0, named=True).items() if n} if published else {}
    return changed, counts, withdrawn


def frame(table: pyarrow.Table) -> pl.DataFrame:
    """A pyarrow table as a polars DataFrame."""
    import polars as pl

    result = pl.from_arrow(table)
    assert isinstance(result, pl.DataFrame)
    return result


def ids(table: Table) -> list[str]:
    """Every row's id (its primary key, ``a/b`` when composite; its position when it has none)."""
    data = frame(table.data)
    key = [k for k in table.primary_key if k in data.columns]
    if not key:
        return [str(i) for i in range(data.height)]
    return sorted(data.select(_id_expr(key).alias("id"))["id"].to_list())


def _id_expr(key: list[str]) -> pl.Expr:
    import polars as pl

    return pl.concat_str(
        [pl.col(k).cast(pl.String) for k in key], separator="/", ignore_nulls=False
    )
