"""One article's page: its text with every span drawn, its annotations beside it, its provenance,
and the findings and waivers that concern it.

Markup contract (see ``docs/review-site.md``): every row of every layer of the article is one
element with ``data-layer`` (its table) and ``data-id`` (its primary key within the article,
``/``-joined). A body segment is a ``<p>``; a row that is a span (a mention) is a ``<mark>`` in
the text; any other row is an ``<li>`` beside the text, and an unnested row (an event argument)
an ``<li>`` inside its parent's. The spans of those rows are ``<mark data-for="LAYER/ID"
data-span="COLUMN">``, and a piece of a span split by another carries ``data-for`` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from articlepack.builder.site.marks import body
from articlepack.builder.site.markup import dl, esc, shell
from articlepack.builder.site.model import Model, label, span_columns
from articlepack.builder.site.panel import panels
from articlepack.builder.site.rows import Row
from articlepack.builder.site.scope import COLOURS, Scope
from articlepack.report import Finding


def article_page(
    scope: Scope,
    doc: Row,
    findings: Sequence[Finding],
    waivers: Sequence[Mapping[str, Any]],
) -> str:
    model = scope.model
    schema = model.schemas[model.document]
    ident = doc[schema.primary_key[0]]
    title = doc.get(label(schema) or "") or ident
    text, unplaced = body(scope)
    page = (
        f'<header><h1>{esc(title)}</h1><p class="id">{esc(ident)}</p></header>\n'
        f"{_legend(scope)}"
        f'<div class="cols"><section class="text" id="text"><h2>Text</h2>\n{text}</section>\n'
        f'<aside class="panel">{unplaced}{panels(scope)}</aside></div>\n'
        f"{_provenance(model, doc)}{checks(findings, waivers)}"
    )
    return shell(str(title), page, depth=1, crumbs=[("../index.html", "Review"), ("", str(ident))])


def _legend(scope: Scope) -> str:
    """The registry's categories with their colours, and a switch for each layer in the text."""
    model, registry = scope.model, scope.registry
    out = []
    if registry.table and registry.category:
        field = model.schemas[registry.table].field(registry.category)
        values = field.get("constraints", {}).get("enum") or []
        swatches = "".join(
            f'<span class="m t{i % COLOURS}">{esc(v)}</span> ' for i, v in enumerate(values)
        )
        out.append(f'<p class="legend">{esc(registry.category)}: {swatches}</p>')
    drawn = [
        name
        for name, layer in model.layers.items()
        if name != model.body and (layer.item or any(s.start for s in layer.parts))
    ]
    if drawn:
        switches = "".join(
            f'<label><input type="checkbox" checked data-toggle="{esc(n)}"> {esc(n)}</label> '
            for n in drawn
        )
        out.append(f'<p class="toggles">Show in the text: {switches}</p>')
    return "\n".join(out) + "\n"


def _provenance(model: Model, doc: Row) -> str:
    """Every published column of the article's row, grouped as article.yaml groups them
    (``x-articlepack.objects``: source, published, rights, …)."""
    schema = model.schemas[model.document]
    hidden = set(schema.derived) | set(schema.primary_key)
    hidden |= {c for s in schema.spans for c in span_columns(s) if c != s.text}
    objects = [str(o) for o in schema.extension.get("objects", [])]
    groups: dict[str, list[tuple[str, Any]]] = {}
    for column in schema.columns:
        if column in hidden:
            continue
        group = next((o for o in objects if column.startswith(f"{o}_")), "")
        name = column[len(group) + 1 :] if group else column
        groups.setdefault(group or model.document, []).append((name, doc.get(column)))
    parts = "".join(
        f'<div class="group"><h3>{esc(g)}</h3>{dl(pairs)}</div>' for g, pairs in groups.items()
    )
    return (
        f'<section id="provenance"><h2>Provenance</h2><div class="groups">{parts}</div></section>\n'
    )


def checks(
    findings: Sequence[Finding], waivers: Sequence[Mapping[str, Any]], lead: str = ""
) -> str:
    """The validation findings and the reviewed waivers, as lists, after ``lead``."""
    found = "".join(
        f'<li class="finding {f.severity}" data-code="{esc(f.code)}"><b>{f.severity}</b> '
        f"<code>{esc(f.code)}</code> {_where(f.file, f.line, f.id)}: {esc(f.message)}</li>"
        for f in findings
    )
    waived = "".join(
        f'<li class="waiver" data-code="{esc(w.get("code"))}"><code>{esc(w.get("code"))}</code> '
        f"{_where(w.get('file'), None, w.get('id'))}: {esc(w.get('reason'))}</li>"
        for w in waivers
    )
    return (
        f'<section id="checks"><h2>Validation</h2>{lead}'
        f'<h3>Findings <span class="n">{len(findings)}</span></h3>'
        f"{f'<ul>{found}</ul>' if found else '<p>None.</p>'}"
        f'<h3>Waivers <span class="n">{len(waivers)}</span></h3>'
        f"{f'<ul>{waived}</ul>' if waived else '<p>None.</p>'}</section>\n"
    )


def _where(file: object, line: int | None, ident: object) -> str:
    """``file:line (id)``, escaped."""
    at = f"{file}:{line}" if line else str(file)
    return esc(f"{at} ({ident})" if ident else at)
