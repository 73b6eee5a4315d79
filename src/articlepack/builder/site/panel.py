"""The annotations listed beside an article's text: one ``<li>`` per row of each layer that is
not itself a span, its parts in a chain.

The chain of a row reads like its annotation: its first span (a trigger, a cue), then its
unnested rows (actors, recipients), then its references (a location, a speaker), then its other
spans (a date's evidence, a quote's content). So an event reads trigger → actors → recipients →
location, a quote cue → speaker → content, and a custom layer in the same way, with no name of
a layer or column known here.
"""

from __future__ import annotations

from typing import Any

from articlepack.builder.site.markup import dl, esc
from articlepack.builder.site.model import Layer, Reference, reading_order
from articlepack.builder.site.rows import Row
from articlepack.builder.site.scope import COLOURS, Scope, anchor, href
from articlepack.schema import Span

LONG = 160  # characters of a span shown whole beside the text; a longer one is abbreviated


def panels(scope: Scope) -> str:
    out = []
    for layer in scope.model.panels():
        rows = reading_order(layer, scope.rows[layer.name])
        items = "\n".join(_row(scope, layer, row) for row in rows)
        out.append(
            f'<section class="layer" data-table="{esc(layer.name)}">'
            f'<h2>{esc(layer.name)} <span class="n">{len(rows)}</span></h2>'
            f'<ol class="rows">{items}</ol></section>\n'
        )
    return "".join(out)


def _row(scope: Scope, layer: Layer, row: Row) -> str:
    ident = layer.ident(row)
    first, later = layer.parts[:1], layer.parts[1:]
    chain = [_span(layer, row, span) for span in first]
    for child in scope.model.children(layer.name):
        chain += [_child(scope, child, c) for c in scope.children(child, row)]
    chain += [
        f"<li><i>{esc(r.column)}</i> {reference(scope, r, row.get(r.column))}</li>"
        for r in layer.references
    ]
    chain += [_span(layer, row, span) for span in later]
    return (
        f'<li class="ann" data-layer="{esc(layer.name)}" data-id="{esc(ident)}" '
        f'id="{esc(anchor(layer.name, ident))}">'
        f'<div class="head"><b>{esc(ident)}</b>{_badge(scope, layer, row)}</div>'
        f'<ol class="chain">{"".join(chain)}</ol>{_attributes(layer, row)}</li>'
    )


def _child(scope: Scope, layer: Layer, row: Row) -> str:
    """An unnested row: its role, then what it refers to."""
    role = row.get(layer.role or "") if layer.role else layer.name
    refs = " ".join(reference(scope, r, row.get(r.column)) for r in layer.references)
    return (
        f'<li data-layer="{esc(layer.name)}" data-id="{esc(layer.ident(row))}">'
        f"<i>{esc(role)}</i> {refs}{_attributes(layer, row)}</li>"
    )


def reference(scope: Scope, ref: Reference, key: Any) -> str:
    """A link to the row ``key`` names: a registry entry's page, or a row of this article."""
    if key is None:
        return '<span class="none">—</span>'
    registry = scope.registry
    if ref.table == registry.table:
        return registry.anchor(key)
    layer = scope.model.layers.get(ref.table)
    target = scope.target(ref, key)
    if layer is None or target is None:
        return esc(key)
    ident = layer.ident(target)
    shown = target.get(layer.item.text) if layer.item else None
    return f'<a href="{esc(href(ref.table, ident))}">{esc(shown or ident)}</a>'


def _span(layer: Layer, row: Row, span: Span) -> str:
    """A part of a row that is a span: its words (a long span's first and last), linked to its
    place in the text."""
    text = row.get(span.text)
    if text is not None and len(text) > LONG:
        text = f"{text[: LONG // 2]} … {text[-LONG // 4 :]}"
    shown = "—" if text is None else f"“{text}”"
    if row.get(span.start or "") is not None:
        ident = layer.ident(row)
        link = href(layer.name, f"{ident}-{span.text}")
        shown = f'<a href="{esc(link)}">{esc(shown)}</a>'
    else:
        shown = esc(shown)
    return f"<li><i>{esc(span.text)}</i> {shown}</li>"


def _badge(scope: Scope, layer: Layer, row: Row) -> str:
    if not layer.category or row.get(layer.category) is None:
        return ""
    colour = scope.colour(layer, row) % COLOURS
    return f' <span class="cat t{colour}">{esc(row[layer.category])}</span>'


def _attributes(layer: Layer, row: Row) -> str:
    return dl([(c, row[c]) for c in layer.attributes if row.get(c) not in (None, [])])
