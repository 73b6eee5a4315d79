"""The :class:`Diff` of two sides: each table's schema and rows, and the dataset metadata.

This is where the parts meet: tables present on one side only, the schema rules and the row
comparison for tables on both, and which tables are *referenced* (a foreign key points at them, so
removing their rows breaks readers: major, where elsewhere it is a correction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articlepack.diff.rows import TableChanges, compare_rows, ids
from articlepack.diff.schema_rules import Change, compare_table, renames
from articlepack.diff.sides import Side, Snapshot, load
from articlepack.versions import Bump, is_valid, largest, required_version


@dataclass(frozen=True)
class Diff:
    """What changed from ``old`` to ``new``, and the SemVer bump it requires."""

    old: Side
    new: Side
    schema_changes: list[Change]
    data_changes: dict[str, TableChanges]
    metadata_changes: list[Change] = field(default_factory=list)

    @property
    def required_bump(self) -> Bump:
        return largest(
            [
                *(c.bump for c in (*self.schema_changes, *self.metadata_changes)),
                *(t.bump for t in self.data_changes.values()),
            ]
        )

    @property
    def required_version(self) -> str | None:
        """The lowest version NEW may carry, or None when OLD has no SemVer version."""
        if not is_valid(self.old.version):
            return None
        return required_version(self.old.version, self.required_bump)

    @property
    def articles(self) -> TableChanges:
        return self.data_changes.get("articles", TableChanges())

    def to_dict(self) -> dict[str, Any]:
        return {
            "required_bump": self.required_bump,
            "required_version": self.required_version,
            "old": self.old.as_dict(),
            "new": self.new.as_dict(),
            "schema_changes": [c.as_dict() for c in self.schema_changes],
            "metadata_changes": [c.as_dict() for c in self.metadata_changes],
            "data_changes": {name: t.as_dict() for name, t in self.data_changes.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def diff(
    old: str | Path | Snapshot, new: str | Path | Snapshot, project: Path | str = Path(".")
) -> Diff:
    """Compare two releases, projects or git revisions (revisions of ``project``).

    Raises :class:`DiffError` when a side is unusable (not found, unreadable, or an invalid corpus).
    """
    return compare(load(old, project), load(new, project))


def compare(old: Snapshot, new: Snapshot) -> Diff:
    """The diff of two snapshots already in memory."""
    schema: list[Change] = []
    data: dict[str, TableChanges] = {}
    # Against a release, a project is seen as its release would describe it.
    as_released = "release" in (old.side.kind, new.side.kind)
    olds, news = old.view(as_released=as_released), new.view(as_released=as_released)
    referenced = {"articles"} | {
        fk[1] for s in (old, new) for t in s.tables.values() for fk in t.foreign_keys
    }
    for name in [*olds, *(n for n in news if n not in olds)]:
        before, after = olds.get(name), news.get(name)
        if before is None and after is not None:
            detail = f"new table ({after.data.num_rows} rows)"
            schema.append(Change(name, None, "table-added", detail, "minor"))
            data[name] = TableChanges(added=ids(after), referenced=name in referenced)
        elif after is None and before is not None:
            detail = f"table removed ({before.data.num_rows} rows)"
            schema.append(Change(name, None, "table-removed", detail, "major"))
            data[name] = TableChanges(removed=ids(before), referenced=name in referenced)
        elif before is not None and after is not None:
            renamed = renames(before, after)
            schema += compare_table(before, after, renamed)
            data[name] = compare_rows(before, after, renamed, referenced=name in referenced)
    return Diff(old.side, new.side, schema, data, _compare_metadata(old.metadata, new.metadata))


def _compare_metadata(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """A renamed dataset is major (its readers load it by name); other metadata is patch."""
    out = []
    for key in old.keys() | new.keys():
        if old.get(key) != new.get(key):
            renamed = key == "name"
            detail = (
                f"{old.get(key)!r} → {new.get(key)!r}"
                if key in ("name", "license")
                else f"{key} changed"
            )
            kind = "dataset-renamed" if renamed else "metadata-changed"
            out.append(Change(None, key, kind, detail, "major" if renamed else "patch"))
    return sorted(out, key=lambda c: str(c.field))
