"""The registry's pages: one listing every entry, and one per entry with every row of every
layer that refers to it (every mention, across all articles), each linked to its place in its
article's text."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from articlepack.builder.site.markup import dl, esc, page_name, shell, table
from articlepack.builder.site.model import Layer, Model, reading_order
from articlepack.builder.site.rows import Row, by_value
from articlepack.builder.site.scope import Registry
from articlepack.layers import ARTICLE


def referring(model: Model) -> list[Layer]:
    """The layers with a reference to the registry."""
    return [layer for layer in model.layers.values() if model.registry_reference(layer)]


def entity_pages(
    model: Model,
    registry: Registry,
    files: Mapping[str, Path],
    titles: Mapping[str, str],
) -> Iterator[tuple[Any, str, str, dict[str, tuple[int, int]]]]:
    """``(key, file name, page, counts)`` per registry entry, in registry order; counts are each
    referring layer's rows and articles. Of each layer's file, only the columns a page shows
    are read, a bucket of entries at a time (:func:`.rows.by_value`)."""
    layers = referring(model)
    keys = list(registry.rows)
    streams = [
        by_value(files[layer.name], _column(model, layer), keys, _shown_columns(model, layer))
        for layer in layers
    ]
    for key, *found in zip(keys, *streams, strict=True):
        sections, counts = [], {}
        for layer, (_, rows) in zip(layers, found, strict=True):
            sections.append(_section(model, layer, rows, titles))
            counts[layer.name] = (len(rows), len({r[ARTICLE] for r in rows}))
        entry = registry.rows[key]
        name = registry.name(key)
        kind = f" ({entry[registry.category]})" if registry.category else ""
        body = (
            f'<header><h1>{esc(name)}{esc(kind)}</h1><p class="id">{esc(key)}</p></header>\n'
            f"{dl([(c, v) for c, v in entry.items() if v not in (None, [])])}\n" + "".join(sections)
        )
        crumbs = [("../index.html", "Review"), (f"../{registry.table}.html", str(registry.table))]
        yield key, page_name(key), shell(name, body, depth=1, crumbs=[*crumbs, ("", name)]), counts


def registry_page(
    model: Model, registry: Registry, counts: Mapping[object, Mapping[str, tuple[int, int]]]
) -> str:
    """Every entry of the registry with its category and how often each layer refers to it."""
    layers = referring(model)
    schema = model.schemas[str(registry.table)]
    header = ["entry", "id"] + ([registry.category] if registry.category else [])
    header += [f"{layer.name} (articles)" for layer in layers]
    rows = []
    for key, entry in registry.rows.items():
        cells = [
            f'<a href="{esc(registry.table)}/{esc(page_name(key))}">{esc(registry.name(key))}</a>'
        ]
        cells.append(f"<code>{esc(key)}</code>")
        if registry.category:
            colour = registry.colours[key]
            cells.append(f'<span class="m t{colour}">{esc(entry[registry.category])}</span>')
        for layer in layers:
            n, articles = counts.get(key, {}).get(layer.name, (0, 0))
            cells.append(f"{n} ({articles})")
        rows.append(cells)
    body = (
        f"<header><h1>{esc(schema.descriptor.get('title') or registry.table)}</h1>"
        f'<p class="id">{len(rows)} entries</p></header>\n{table(header, rows)}\n'
    )
    crumbs = [("index.html", "Review"), ("", str(registry.table))]
    return shell(str(registry.table), body, depth=0, crumbs=crumbs)


def _shown_columns(model: Model, layer: Layer) -> list[str]:
    """The columns of ``layer`` that an entry's page reads: the article, the row's key, its
    text and where it starts (:func:`_section`), and the reference to the entry."""
    span = layer.item or (layer.parts[0] if layer.parts else None)
    shown = [ARTICLE, *layer.key, _column(model, layer)]
    shown += [c for c in (layer.item.text if layer.item else None, span and span.start) if c]
    return [c for c in layer.schema.columns if c in shown]


def _column(model: Model, layer: Layer) -> str:
    ref = model.registry_reference(layer)
    assert ref is not None
    return ref.column


def _section(model: Model, layer: Layer, rows: list[Row], titles: Mapping[str, str]) -> str:
    """The rows of one layer that refer to the entry, grouped by article."""
    by_article: dict[str, list[Row]] = {}
    for row in rows:
        by_article.setdefault(row[ARTICLE], []).append(row)
    items = []
    for article, found in by_article.items():
        page = f"../{model.document}/{page_name(article)}"
        # each row leads to its place in the article (site.js adds the page's ``#LAYER-ID``): a
        # link apiece would repeat the article's file name once per mention
        listed = "".join(
            f'<li data-layer="{esc(layer.name)}" data-id="{esc(layer.ident(r))}">'
            f"{esc(_shown(layer, r))}</li>"
            for r in reading_order(layer, found)
        )
        title = titles.get(article, article)
        items.append(
            f'<li data-page="{esc(page)}"><a href="{esc(page)}">{esc(title)}</a>'
            f'<ul class="hits">{listed}</ul></li>'
        )
    return (
        f'<section class="layer"><h2>{esc(layer.name)} <span class="n">{len(rows)}</span> '
        f'in {len(by_article)} articles</h2><ul class="articles">{"".join(items)}</ul></section>\n'
    )


def _shown(layer: Layer, row: Row) -> str:
    text = row.get(layer.item.text) if layer.item else None
    return f"“{text}”" if text is not None else layer.ident(row)
