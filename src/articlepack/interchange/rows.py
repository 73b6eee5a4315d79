"""Settling a version's rows: what the scheme refuses is left out (and reported), references
become ids, and every row gets its id.

A row is left out when it overlaps another in a layer that forbids overlaps (the body), when a
span of it lies outside the article's body, when it lacks a field the scheme requires, or when a
reference it requires leads to a row that is not imported. A row that matches one of the article
as it stands (the same place in the text, the same label, the same references) keeps that row's
id, so that re-importing an article changes the ids of nothing that did not change; other rows
are numbered after the highest id the article has used, in text order.
"""

from __future__ import annotations

import re
from typing import Any

from articlepack.interchange.mapping import Layer, Mapping
from articlepack.interchange.model import Unmapped
from articlepack.interchange.to_project import Row, Version
from articlepack.schema import TableSchema


def settle(
    version: Version,
    mapping: Mapping,
    existing: dict[str, list[Any]],
    body: list[tuple[int, int]],
) -> None:
    """Settle ``version``'s rows in place; ``existing`` holds the article's current list of each
    layer (by its key) and ``body`` its current body segments (raw offsets)."""
    _Settle(version, mapping).run(existing, body)


class _Settle:
    def __init__(self, version: Version, mapping: Mapping) -> None:
        self.version, self.mapping = version, mapping
        self.tables = [t for t in mapping.schemas if t in mapping.layers]

    def lose(self, row: Row | str, kind: str, reason: str) -> None:
        tool_id = row.tool_id if isinstance(row, Row) else row
        self.version.unmapped.append(Unmapped(self.version.source, tool_id, kind, reason))

    def run(self, existing: dict[str, list[Any]], body: list[tuple[int, int]]) -> None:
        rows = self.version.rows
        for table in self.tables:
            if not self.mapping.layers[table].overlaps:
                rows[table] = self.without_overlaps(rows.get(table, []))
        body_table = next((t for t in self.tables if self.mapping.schemas[t].body), None)
        if body_table and rows.get(body_table):
            body = sorted(r.place for r in rows[body_table])
        if body:
            for table in self.tables:
                rows[table] = [r for r in rows.get(table, []) if self.in_body(r, body)]
        self.references()
        for table in self.tables:
            self.number(table, existing.get(self.mapping.layers[table].key) or [])

    def without_overlaps(self, rows: list[Row]) -> list[Row]:
        kept: list[Row] = []
        for row in sorted(rows, key=lambda r: (r.place, r.order)):
            if kept and row.place[0] < kept[-1].place[1]:
                last = kept[-1]
                self.lose(
                    row,
                    "forbidden-overlap",
                    f"{row.table} may not overlap, and {row.place[0]}:{row.place[1]} overlaps "
                    f"{last.tool_id} ({last.place[0]}:{last.place[1]}); the first is kept",
                )
            else:
                kept.append(row)
        return kept

    def in_body(self, row: Row, body: list[tuple[int, int]]) -> bool:
        schema = self.mapping.schemas[row.table]
        for span in schema.spans:
            place = row.spans.get(span.text)
            if span.within != "body" or schema.body or place is None:
                continue
            if not any(s <= place[0] and place[1] <= e for s, e in body):
                self.lose(
                    row,
                    "outside-body",
                    f"its {span.text} {place[0]}:{place[1]} lies outside the article's body "
                    "segments, where the scheme keeps annotations",
                )
                return False
        return True

    # -- references and required fields -------------------------------------------------------

    def references(self) -> None:
        """Drop references to rows not imported, and rows that lack what they require, until
        nothing changes (a row left out can leave another without a reference it requires)."""
        rows = self.version.rows
        changed = True
        while changed:
            changed = False
            alive = {r.tool_id: r for t in self.tables for r in rows.get(t, [])}
            for table in self.tables:
                layer = self.mapping.layers[table]
                kept = []
                for row in rows.get(table, []):
                    self.prune(row, layer, alive)
                    missing = self.missing(row, layer)
                    if missing:
                        self.lose(
                            row,
                            "incomplete",
                            f"{table} requires {', '.join(missing)}, which it lacks; "
                            "the row is left out",
                        )
                        changed = True
                    else:
                        kept.append(row)
                rows[table] = kept

    def prune(self, row: Row, layer: Layer, alive: dict[str, Row]) -> None:
        for column, target in list(row.refs.items()):
            if not self.fits(row, column, target, layer, alive):
                del row.refs[column]
        for key, targets in row.lists.items():
            row.lists[key] = [t for t in targets if self.fits(row, key, t, layer, alive)]

    def fits(self, row: Row, column: str, target: str, layer: Layer, alive: dict[str, Row]) -> bool:
        found = alive.get(target)
        wanted = layer.targets.get(column)
        if found is not None and found.table == wanted:
            return True
        what = "is not imported" if found is None else f"is a row of {found.table}, not {wanted}"
        self.lose(
            f"{row.tool_id} {column}:{target}",
            "dangling-relation",
            f"{column} of {row.tool_id} refers to {target}, which {what}",
        )
        return False

    def missing(self, row: Row, layer: Layer) -> list[str]:
        """The required fields the tool carries that ``row`` lacks."""
        schema = self.mapping.schemas[row.table]
        spans = {c: s.text for s in schema.spans for c in (s.text, s.raw_start, s.raw_end)}
        out = []
        for f in schema.fields:
            column = spans.get(f["name"], f["name"])
            if not f.get("constraints", {}).get("required") or column == "id":
                continue
            if column in layer.columns and column not in out and not self.has(row, column):
                out.append(column)
        return out

    @staticmethod
    def has(row: Row, column: str) -> bool:
        return (
            column in row.spans
            or column in row.refs
            or column in row.lists
            or row.values.get(column) is not None
        )

    # -- ids -------------------------------------------------------------------------------------

    def number(self, table: str, existing: list[Any]) -> None:
        """Give each row of ``table`` its id, then its references their ids."""
        layer = self.mapping.layers[table]
        schema = self.mapping.schemas[table]
        rows = sorted(self.version.rows.get(table, []), key=lambda r: (r.place, r.order))
        self.version.rows[table] = rows
        ids = {r.tool_id: r.id for t in self.tables for r in self.version.rows.get(t, [])}
        for row in rows:
            row.values.update({c: ids.get(t) for c, t in row.refs.items()})
            row.values.update({k: [ids.get(t) for t in ts] for k, ts in row.lists.items()})
        if layer.prefix is None:
            return
        olds = [o for o in existing if isinstance(o, dict)]
        taken: set[int] = set()
        for row in rows:
            match = next(
                (
                    i
                    for i, old in enumerate(olds)
                    if i not in taken and _same(schema, row, old, layer.prefix)
                ),
                None,
            )
            if match is not None:
                taken.add(match)
                row.id = str(olds[match]["id"])
        pattern = re.compile(rf"{re.escape(layer.prefix)}(\d+)")
        used = [
            int(m.group(1))
            for old in olds
            if isinstance(old.get("id"), str) and (m := pattern.fullmatch(old["id"]))
        ]
        used += [int(m.group(1)) for r in rows if r.id and (m := pattern.fullmatch(r.id))]
        number = max(used, default=0)
        for row in rows:
            if row.id is None:
                number += 1
                row.id = f"{layer.prefix}{number}"
            row.values["id"] = row.id


def _same(schema: TableSchema, row: Row, old: dict[str, Any], prefix: str) -> bool:
    """Whether an article's row ``old`` is the row ``row`` re-imported: the same place (its
    anchor span), the same label and the same references."""
    if not isinstance(old.get("id"), str) or not old["id"].startswith(prefix):
        return False
    if row.anchor is not None:
        base = schema.paths[row.anchor][:-1]
        span = _get(old, base)
        if not isinstance(span, dict) or (span.get("start"), span.get("end")) != row.place:
            return False
    for column in (*row.label, *([] if row.anchor else row.refs)):
        if _get(old, schema.paths.get(column, (column,))) != row.values.get(column):
            return False
    return True


def _get(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node
