"""The spans of one article drawn over its body: each body segment a paragraph, each row that is
a span (a mention) a ``<mark>`` that names it, each span of another row (a trigger, a cue) a
``<mark data-for>`` that points at the row listed beside the text."""

from __future__ import annotations

from articlepack.builder.site.markup import esc, value
from articlepack.builder.site.rows import Row
from articlepack.builder.site.scope import SPAN_COLOURS, Scope, anchor
from articlepack.builder.site.text import Mark, render


def body(scope: Scope) -> tuple[str, str]:
    """The article's text as paragraphs, and the list of the rows that are spans but have no
    place in it (every row of a stand-off article, whose text is withheld)."""
    model = scope.model
    layer = model.layers[model.body] if model.body else None
    if layer is None or not layer.schema.spans:
        return "<p>This scheme declares no body text.</p>", _unplaced(scope, _items(scope), set())
    span = layer.schema.spans[0]
    items = _items(scope)
    marks = _marks(scope, items)
    opened: set[int] = set()
    out = []
    for row in scope.rows[layer.name]:
        start, text = row.get(span.start or ""), row.get(span.text)
        attrs = f'data-layer="{esc(layer.name)}" data-id="{esc(layer.ident(row))}"'
        if start is None or text is None:
            out.append(f'<p class="seg withheld" {attrs}>[not published in this release]</p>')
        else:
            out.append(f'<p class="seg" {attrs}>{render(text, start, marks, opened)}</p>')
    return "\n".join(out), _unplaced(scope, items, opened)


def item_attrs(scope: Scope, name: str, row: Row, ident: str | None = None) -> str:
    """The attributes of a row that is a span: its identity, a tooltip and, for a row that
    refers to the registry, the entry's page (``data-href``, followed by site.js on a click).
    ``ident``: the row's, where the caller has it already."""
    layer = scope.model.layers[name]
    ident = layer.ident(row) if ident is None else ident
    attrs = f'data-layer="{esc(name)}" data-id="{esc(ident)}" id="{esc(anchor(name, ident))}"'
    ref = scope.model.registry_reference(layer)
    if ref is None or row.get(ref.column) not in scope.registry.rows:
        return attrs
    return attrs + scope.registry.tip(row[ref.column])


def _items(scope: Scope) -> list[tuple[str, int, Row]]:
    """The rows that are spans, each with its key among the marks (0, 1, …)."""
    model = scope.model
    names = [n for n, layer in model.layers.items() if layer.item and n != model.body]
    rows = [(name, row) for name in names for row in scope.rows[name]]
    return [(name, key, row) for key, (name, row) in enumerate(rows)]


def _marks(scope: Scope, items: list[tuple[str, int, Row]]) -> list[Mark]:
    model = scope.model
    order = {name: position for position, name in enumerate(model.layers)}
    marks = []
    for name, key, row in items:
        layer = model.layers[name]
        assert layer.item is not None
        start, end = row.get(layer.item.start or ""), row.get(layer.item.end or "")
        if start is None or end is None:
            continue
        ident = layer.ident(row)
        colour = f"m t{scope.colour(layer, row)}"
        marks.append(
            Mark(
                key,
                start,
                end,
                (order[name], ident),
                f'<mark class="{colour}" {item_attrs(scope, name, row, ident)}>',
                f'<mark class="{colour} cont" data-for="{esc(name)}/{esc(ident)}">',
            )
        )
    key = len(items)
    for name, layer in model.layers.items():
        if name == model.body:
            continue
        for row in scope.rows[name]:
            ident = layer.ident(row)
            for span in layer.parts:
                start, end = row.get(span.start or ""), row.get(span.end or "")
                if start is None or end is None:
                    continue
                common = (
                    f'class="p s{order[name] % SPAN_COLOURS}" data-for="{esc(name)}/{esc(ident)}" '
                    f'data-span="{esc(span.text)}"'
                )
                first = f'<mark {common} id="{esc(anchor(name, ident))}-{esc(span.text)}">'
                marks.append(Mark(key, start, end, (order[name], ident), first, f"<mark {common}>"))
                key += 1
    return marks


def _unplaced(scope: Scope, items: list[tuple[str, int, Row]], opened: set[int]) -> str:
    out = []
    by_layer: dict[str, list[Row]] = {}
    for name, key, row in items:
        if key not in opened:
            by_layer.setdefault(name, []).append(row)
    for name, rows in by_layer.items():
        span = scope.model.layers[name].item
        assert span is not None
        listed = "".join(
            f"<li {item_attrs(scope, name, row)}>{esc(value(row.get(span.text)))}</li>"
            for row in rows
        )
        out.append(
            f'<section class="layer"><h2>{esc(name)} not drawn in the text</h2>'
            f"<ul>{listed}</ul></section>"
        )
    return "".join(out)
