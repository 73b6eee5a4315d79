"""Resolving a span's references to the registry (corpus/entities.yaml) from its normalizations.

A normalization to the mapping's ``resource`` names a registry id; one to a ``lookup`` resource
(Wikidata) is looked up in the registry field that holds such ids. Without either, a mapping may
ask for the span's text to be looked up in the registry's names (``match``: a tool without
normalizations, such as doccano); only a single entry of that name is taken. An id or a name
found nowhere adds an entry, but only when the mapping says how (``create``) and every required
field of the registry is then known from the tool: its text, its label and the looked-up id.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from articlepack.interchange.mapping import Mapping, Reference
from articlepack.schema import TableSchema


@dataclass(frozen=True)
class Resolution:
    """The registry id a span refers to, or why there is none; and a label that disagrees."""

    id: str | None
    reason: str = ""
    conflict: str = ""


class Registry:
    """The registry's entries (by id) and those an import adds to it."""

    def __init__(self, mapping: Mapping, entries: list[Any]) -> None:
        self.schema: TableSchema | None = mapping.schemas.get(mapping.registry or "")
        self.entries = {
            e["id"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)
        }
        self.added: list[dict[str, Any]] = []

    def value(self, entry: dict[str, Any], column: str) -> Any:
        node: Any = entry
        for key in self.schema.paths.get(column, (column,)) if self.schema else (column,):
            node = node.get(key) if isinstance(node, dict) else None
        return node

    def resolve(
        self,
        reference: Reference,
        normalizations: tuple[tuple[str, str], ...],
        text: str,
        implied: dict[str, Any],
    ) -> Resolution:
        """The entry ``normalizations`` name; ``implied`` holds the fields the span's label
        gives (its entity's type), which a new entry takes and an existing one should have."""
        for resource, ident in normalizations:
            if resource == reference.resource:
                if ident in self.entries:
                    return self._checked(ident, implied)
                return Resolution(None, f"{resource}:{ident} is not an entry of the registry")
        for resource, ident in normalizations:
            column = reference.lookup.get(resource)
            if column is None:
                continue
            found = [k for k, e in self.entries.items() if self.value(e, column) == ident]
            if found:
                return self._checked(found[0], implied)
            return self._create(reference, column, ident, text, implied)
        if reference.match:
            return self._match(reference, text, implied)
        wanted = [reference.resource or "", *reference.lookup]
        return Resolution(
            None,
            "no normalization names its entry in the registry (give one to "
            + " or ".join(w for w in wanted if w)
            + ")",
        )

    def _match(self, reference: Reference, text: str, implied: dict[str, Any]) -> Resolution:
        """The one entry whose names (the mapping's ``match`` fields) include ``text``."""
        found = [
            k
            for k, e in self.entries.items()
            if any(
                text == v or (isinstance(v, list) and text in v)
                for v in (self.value(e, c) for c in reference.match)
            )
        ]
        if len(found) == 1:
            return self._checked(found[0], implied)
        if found:
            return Resolution(None, f"{text!r} names {len(found)} entries: {', '.join(found)}")
        return self._create(reference, None, text, text, implied)

    def _checked(self, ident: str, implied: dict[str, Any]) -> Resolution:
        entry = self.entries[ident]
        for column, value in implied.items():
            if self.value(entry, column) != value:
                return Resolution(
                    ident,
                    conflict=f"its label says {column} {value!r}, but the registry's "
                    f"{ident!r} has {self.value(entry, column)!r}; the registry is kept",
                )
        return Resolution(ident)

    def _create(
        self,
        reference: Reference,
        column: str | None,
        ident: str,
        text: str,
        implied: dict[str, Any],
    ) -> Resolution:
        """A new entry, when the mapping says how and the tool gives every required field."""
        where = f"{column} {ident!r}" if column else f"the name {ident!r}"
        if not reference.create or self.schema is None:
            return Resolution(None, f"no entry of the registry has {where}")
        known = {**implied, **dict.fromkeys(reference.create, text)}
        if column:
            known[column] = ident
        entry_id = self._new_id(text or ident)
        known["id"] = entry_id
        required = [
            f["name"] for f in self.schema.fields if f.get("constraints", {}).get("required")
        ]
        missing = [c for c in required if known.get(c) in (None, "")]
        if missing:
            return Resolution(
                None,
                f"no entry of the registry has {where}, and a new one would lack "
                + ", ".join(missing),
            )
        entry: dict[str, Any] = {}
        for name in self.schema.columns:
            path = self.schema.paths.get(name, (name,))
            if len(path) == 1:
                entry[path[0]] = known.get(name)
        self.entries[entry_id] = entry
        self.added.append(entry)
        return Resolution(entry_id)

    def _new_id(self, text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "entity"
        ident, n = base, 1
        while ident in self.entries:
            n += 1
            ident = f"{base}-{n}"
        return ident
