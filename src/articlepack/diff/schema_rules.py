"""How two versions of a table's schema differ, each change graded by the bump it requires.

The grades follow the Data Package version recipe (summed up in :mod:`articlepack.diff`); a
Hugging Face ``ClassLabel`` adds one rule of its own, since its integer codes follow the order of
the enum's values.

Renames: a field that disappears and a field that appears are one renamed field when they have the
same type and hold the same values in every row the two versions share (joined on the primary
key). When there is no shared row to compare, or the old field holds only nulls, they must also
stand at the same position among the table's fields. Anything else is a removal plus an addition
(both major, so the bump is the same either way).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from articlepack.diff.rows import frame
from articlepack.versions import Bump

if TYPE_CHECKING:
    import polars as pl

    from articlepack.diff.sides import Field, Table

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")
_TIGHT, _LOOSE = "constraint-tightened", "constraint-loosened"

#: How one constraint changed: (kind, detail, bump) items.
_Rules = list[tuple[str, str, Bump]]


@dataclass(frozen=True)
class Change:
    """One schema (or dataset metadata) change and the bump it requires."""

    table: str | None
    field: str | None
    kind: str
    detail: str
    bump: Bump

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def renames(old: Table, new: Table) -> dict[str, str]:
    """Old field name -> new field name for the fields judged renamed (see the module docstring)."""
    import polars as pl

    gone = [f for f in old.fields if new.field(f.name) is None]
    came = [f for f in new.fields if old.field(f.name) is None]
    if not gone or not came:
        return {}
    key = list(old.primary_key)
    shared = None
    if (
        key
        and old.primary_key == new.primary_key
        and all(new.field(k) and old.field(k) for k in key)
    ):
        left = frame(old.data.select([*key, *(f.name for f in gone)]))
        right = frame(new.data.select([*key, *(f.name for f in came)]))
        try:
            shared = left.join(right, on=key, how="inner")
        except pl.exceptions.PolarsError:
            shared = None
    out: dict[str, str] = {}
    for f in gone:
        candidates = [g for g in came if g.name not in out.values() and g.type_name == f.type_name]
        same_place = [g for g in candidates if old.position(f.name) == new.position(g.name)]
        if shared is None or shared.height == 0 or shared[f.name].null_count() == shared.height:
            candidates = same_place
        else:
            candidates = [g for g in candidates if _same(shared[f.name], shared[g.name])]
            candidates = [g for g in candidates if g in same_place] or candidates
        if candidates:
            out[f.name] = candidates[0].name
    return out


def _same(a: pl.Series, b: pl.Series) -> bool:
    import polars as pl

    try:
        return bool(a.eq_missing(b).all())
    except pl.exceptions.PolarsError:
        return False


def compare_table(old: Table, new: Table, renames: dict[str, str]) -> list[Change]:
    """The changes to a table's fields, keys and description (``renames`` from :func:`renames`)."""
    name = new.name
    out = list(_field_changes(old, new, renames))
    kept = [
        renames.get(f.name, f.name) for f in old.fields if new.field(renames.get(f.name, f.name))
    ]
    order = [g.name for g in new.fields if g.name in set(kept)]
    if kept != order:
        out.append(
            Change(
                name,
                None,
                "fields-reordered",
                "fields that both versions have are in a different order: " + ", ".join(order),
                "major",
            )
        )
    if old.primary_key != new.primary_key:
        out.append(
            Change(
                name,
                None,
                "primary-key-changed",
                f"primary key ({', '.join(old.primary_key)}) → ({', '.join(new.primary_key)})",
                "major",
            )
        )
    for fk in sorted(new.foreign_keys - old.foreign_keys):
        out.append(Change(name, None, _TIGHT, f"foreign key added: {_fk(fk)}", "major"))
    for fk in sorted(old.foreign_keys - new.foreign_keys):
        out.append(Change(name, None, _LOOSE, f"foreign key removed: {_fk(fk)}", "minor"))
    if old.description != new.description:
        out.append(
            Change(name, None, "description-changed", "table title or description changed", "patch")
        )
    return out


def _field_changes(old: Table, new: Table, renames: dict[str, str]) -> Iterator[Change]:
    """Fields renamed, removed, changed (in OLD's order), then added (in NEW's)."""
    name = new.name
    for f in old.fields:
        g = new.field(renames.get(f.name, f.name))
        if g is None:
            yield Change(name, f.name, "field-removed", f"{f.type_name} field removed", "major")
            continue
        if f.name in renames:
            detail = f"renamed to `{g.name}` ({f.type_name})"
            yield Change(name, f.name, "field-renamed", detail, "major")
        yield from _compare_field(name, f, g)
    renamed = set(renames.values())
    for g in new.fields:
        if old.field(g.name) is None and g.name not in renamed:
            required = g.constraints.get("required") is True
            yield Change(
                name,
                g.name,
                "field-added",
                f"{'required' if required else 'optional'} {g.type_name} field added",
                "major" if required else "minor",
            )


def _fk(fk: tuple[tuple[str, ...], str, tuple[str, ...]]) -> str:
    return f"({', '.join(fk[0])}) → {fk[1]}({', '.join(fk[2])})"


def _compare_field(table: str, old: Field, new: Field) -> Iterator[Change]:
    name = new.name
    if old.type_name != new.type_name:
        detail = f"type {old.type_name} → {new.type_name}"
        yield Change(table, name, "field-retyped", detail, "major")
    if old.format != new.format:
        detail = f"format {old.format or 'none'} → {new.format or 'none'}"
        yield Change(table, name, "field-retyped", detail, "major")
    if old.class_label and not new.class_label and old.type_name == new.type_name:
        detail = (
            "no longer a required enum, so its Hugging Face ClassLabel (integer codes) "
            "becomes a string"
        )
        yield Change(table, name, "field-retyped", detail, "major")
    for key in sorted(old.constraints.keys() | new.constraints.keys()):
        before, after = old.constraints.get(key), new.constraints.get(key)
        if before != after:
            for kind, detail, bump in _constraint(key, before, after, class_label=new.class_label):
                yield Change(table, name, kind, detail, bump)
    if old.item_enum != new.item_enum:
        for kind, detail, bump in _enum(old.item_enum, new.item_enum, class_label=False):
            yield Change(table, name, kind, f"items: {detail}", bump)
    if old.description != new.description:
        detail = "field title or description changed"
        yield Change(table, name, "description-changed", detail, "patch")


def _constraint(key: str, old: Any, new: Any, *, class_label: bool) -> _Rules:
    """How one constraint changed."""
    if key in ("required", "unique"):
        return [(_TIGHT, f"{key} added", "major")] if new else [(_LOOSE, f"{key} removed", "minor")]
    if key == "enum":
        return _enum(old, new, class_label=class_label)
    if key == "pattern":
        if old is None:
            return [(_TIGHT, f"pattern added: {new}", "major")]
        if new is None:
            return [(_LOOSE, f"pattern removed: {old}", "minor")]
        return [
            (
                "constraint-changed",
                f"pattern {old} → {new} (treated as tightened: a pattern cannot be proven looser)",
                "major",
            )
        ]
    if key in _LOWER_BOUNDS or key in _UPPER_BOUNDS:
        return _bound(key, old, new)
    return [("constraint-changed", f"{key} {old!r} → {new!r}", "major")]


def _enum(old: Any, new: Any, *, class_label: bool) -> _Rules:
    """Values removed tighten, values added loosen; a ``ClassLabel`` must keep its old values
    first and in order (their integer codes)."""
    if old is None:
        return [(_TIGHT, f"enum added: {_values(new)}", "major")]
    if new is None:
        return [(_LOOSE, "enum removed", "minor")]
    removed = [v for v in old if v not in new]
    added = [v for v in new if v not in old]
    out: _Rules = []
    if removed:
        out.append((_TIGHT, f"enum values removed: {_values(removed)}", "major"))
    if added:
        out.append((_LOOSE, f"enum values added: {_values(added)}", "minor"))
    if not removed and class_label and list(new[: len(old)]) != list(old):
        out.append(
            (
                "enum-reordered",
                "existing enum values moved, so the integer codes of the Hugging Face "
                "ClassLabel change",
                "major",
            )
        )
    return out


def _bound(key: str, old: Any, new: Any) -> _Rules:
    """A higher lower bound or a lower upper bound tightens; bounds that do not compare are a
    change (major)."""
    if old is None:
        return [(_TIGHT, f"{key} {new} added", "major")]
    if new is None:
        return [(_LOOSE, f"{key} {old} removed", "minor")]
    try:
        higher = new > old
    except TypeError:
        return [("constraint-changed", f"{key} {old} → {new}", "major")]
    tighter = higher if key in _LOWER_BOUNDS else not higher
    return (
        [(_TIGHT, f"{key} {old} → {new}", "major")]
        if tighter
        else [(_LOOSE, f"{key} {old} → {new}", "minor")]
    )


def _values(values: Any) -> str:
    return ", ".join(map(str, values))
