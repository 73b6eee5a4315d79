"""The review site's front page: the articles with their counts per layer, the validation
summary with every remaining finding and every waiver, and the way to the registry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from articlepack.builder.site.article_page import checks
from articlepack.builder.site.markup import dl, esc, page_name, shell, table
from articlepack.builder.site.model import Model
from articlepack.report import Finding


def index_page(
    model: Model,
    dataset: Mapping[str, Any],
    articles: Sequence[tuple[str, str, list[Any], dict[str, int]]],
    summary: Mapping[str, Any],
    findings: Sequence[Finding],
    waivers: Sequence[Mapping[str, Any]],
) -> str:
    """``articles``: ``(id, title, dates, rows per layer)`` of each article, in table order."""
    schema = model.schemas[model.document]
    dates = [c for c in schema.dates if c in schema.columns]
    layers = list(model.layers)
    header = ["article", *dates, *layers]
    rows = [
        [
            f'<a href="{esc(model.document)}/{esc(page_name(ident))}">{esc(title)}</a>'
            f"<br><code>{esc(ident)}</code>",
            *(esc(d if d is not None else "—") for d in when),
            *(str(counts.get(name, 0)) for name in layers),
        ]
        for ident, title, when, counts in articles
    ]
    totals = ["<b>all</b>", *("" for _ in dates)]
    totals += [f"<b>{sum(a[3].get(name, 0) for a in articles)}</b>" for name in layers]
    registry = ""
    if model.registry:
        registry = (
            f'<p class="registry">The registry: <a href="{esc(model.registry)}.html">'
            f"{esc(model.registry)}</a>, every entry with every row that refers to it.</p>\n"
        )
    title = str(dataset.get("title") or dataset.get("name"))
    body = (
        f"<header><h1>{esc(title)}</h1>"
        f'<p class="id">{esc(dataset.get("name"))} {esc(dataset.get("version"))}: '
        f"a review of every annotation in this release</p></header>\n{registry}"
        f'<section id="articles"><h2>{esc(model.document)} <span class="n">{len(rows)}</span></h2>'
        f"{table(header, [*rows, totals])}</section>\n"
        f"{checks(findings, waivers, dl(list(summary.items())))}"
    )
    return shell(title, body, depth=0, crumbs=[("", "Review")])
