"""What drawing one article needs beyond the scheme: the registry, and the article's own rows
indexed by key so that a reference finds its target."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from articlepack.builder.site.markup import esc, page_name
from articlepack.builder.site.model import Layer, Model, Reference, category, label, palette_index
from articlepack.builder.site.rows import Row

_PLAIN = re.compile(r"[A-Za-z0-9_.~-]+")  # what a URL fragment holds unquoted
COLOURS = 12  # site.css colours categories .t0 … .t11 and the spans of layers .s0 … .s5
SPAN_COLOURS = 6


def anchor(layer: str, ident: str) -> str:
    """The HTML id of a row's element on its article's page."""
    return f"{layer}-{ident}"


def href(layer: str, ident: str) -> str:
    """A link to a row's element on the same page."""
    target = anchor(layer, ident)
    return "#" + (target if _PLAIN.fullmatch(target) else quote(target, safe=""))


@dataclass(frozen=True)
class Registry:
    """The registry's rows by key, with the columns that name and classify an entry, and the
    colour of each entry's category."""

    table: str | None
    rows: Mapping[Any, Row]
    label: str | None
    category: str | None
    colours: Mapping[Any, int] = field(default_factory=dict)
    _tips: dict[Any, str] = field(default_factory=dict, compare=False, repr=False)
    _anchors: dict[Any, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, model: Model, rows: list[Row]) -> Registry:
        if model.registry is None:
            return cls(None, {}, None, None)
        schema = model.schemas[model.registry]
        key, kind = schema.primary_key[0], category(schema)
        colours = (
            {r[key]: palette_index(schema, kind, r[kind]) % COLOURS for r in rows} if kind else {}
        )
        return cls(model.registry, {r[key]: r for r in rows}, label(schema), kind, colours)

    def name(self, key: Any) -> str:
        entry = self.rows.get(key)
        return str(entry.get(self.label or "") or key) if entry else str(key)

    def link(self, key: Any) -> str:
        """The entry's page, from a page one folder below the site's root."""
        return f"../{self.table}/{page_name(key)}"

    def anchor(self, key: Any) -> str:
        """A link to the entry ``key``'s page, named by the entry; made once per entry."""
        found = self._anchors.get(key)
        if found is None:
            found = f'<a href="{esc(self.link(key))}">{esc(self.name(key))}</a>'
            self._anchors[key] = found
        return found

    def tip(self, key: Any) -> str:
        """The attributes of a span that refers to the entry ``key``: its name (and category)
        as a tooltip, its page as ``data-href``; the same on every page, so made once."""
        found = self._tips.get(key)
        if found is None:
            kind = f" ({self.rows[key][self.category]})" if self.category else ""
            tip = f"{self.name(key)}{kind}"
            found = f' title="{esc(tip)}" data-href="{esc(self.link(key))}"'
            self._tips[key] = found
        return found


@dataclass
class Scope:
    """One article's rows (layer -> rows) in the frame of its scheme and registry."""

    model: Model
    registry: Registry
    rows: Mapping[str, list[Row]]
    _index: dict[tuple[str, str], dict[Any, Row]] = field(default_factory=dict)
    _children: dict[str, dict[tuple[Any, ...], list[Row]]] = field(default_factory=dict)

    def target(self, ref: Reference, key: Any) -> Row | None:
        """The row of this article that ``key`` names through ``ref``."""
        found = self._index.get((ref.table, ref.key))
        if found is None:
            found = {row[ref.key]: row for row in self.rows.get(ref.table, [])}
            self._index[(ref.table, ref.key)] = found
        return found.get(key)

    def children(self, child: Layer, parent: Row) -> list[Row]:
        """The rows of the layer ``child`` unnested from ``parent``."""
        columns = list(child.link)
        found = self._children.get(child.name)
        if found is None:
            found = {}
            for row in self.rows.get(child.name, []):
                found.setdefault(tuple(row[c] for c in columns), []).append(row)
            self._children[child.name] = found
        return found.get(tuple(parent[child.link[c]] for c in columns), [])

    def colour(self, layer: Layer, row: Row) -> int:
        """The category colour of a row: its registry entry's, else its own."""
        ref = self.model.registry_reference(layer)
        if ref is not None:
            found = self.registry.colours.get(row.get(ref.column))
            if found is not None:
                return found
        if layer.category:
            value = row[layer.category]
            return self.model.palette_index(layer.name, layer.category, value) % COLOURS
        return 0
