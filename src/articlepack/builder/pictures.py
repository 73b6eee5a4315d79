"""Pictures for the card: what people would rather look at than read, as deterministic SVG.

Each picture is hand-written SVG text (no plotting library, so no timestamp and no version
drift): the same corpus gives the same bytes. Each is drawn from the facts the card already
states (:func:`articlepack.builder.facts.compute`) or, for the density of annotation, from the
published tables, and each carries its alt text and the table it is drawn from, which the card
shows with it. A scheme without what a picture shows (no timeline, no registry types, no
publication-date basis, no layers) has no such picture.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

from articlepack.builder.parquet import DataFile, describe
from articlepack.layers import ARTICLE
from articlepack.layers import layers as nesting
from articlepack.schema import TableSchema, table_of

if TYPE_CHECKING:
    import pyarrow

FOLDER = "pictures"
WIDTH = 760
SERIES = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f")
HEAT = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
PER_ARTICLE = 40  # up to this many articles, one bar each; beyond, a histogram
BINS = 20
HEADING = 24  # the height of a picture's title
CHAR = 8  # the width a label's character is given, in pixels (12 px sans-serif, capitals)


@dataclass(frozen=True)
class Picture:
    """One SVG of the card, with the words and the table that say the same."""

    path: str  # relative to the release
    title: str
    alt: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    svg: str


def draw(
    facts: Mapping[str, Any],
    tables: Mapping[str, pyarrow.Table],
    schemas: Mapping[str, TableSchema],
) -> list[Picture]:
    """Every picture the scheme has the facts for, in the card's order."""
    found = [
        events_by_month(facts),
        entity_types(facts, table_of(schemas, "registry")),
        density(tables, schemas),
        date_basis(facts),
    ]
    return [p for p in found if p is not None]


# -- the pictures -------------------------------------------------------------------------------


def events_by_month(facts: Mapping[str, Any]) -> Picture | None:
    """The timeline's rows (``x-articlepack.timeline``) by label and month, as a heat map."""
    timeline = facts.get("timeline")
    if not timeline:
        return None
    table, kind = timeline["table"], timeline["label"]
    monthly, coarse = _by_month(timeline["rows"])
    if not monthly:
        return None
    types = sorted({t for t, _ in monthly})
    months = _months(min(m for _, m in monthly), max(m for _, m in monthly))
    peak = max(monthly.values())
    left = 12 + CHAR * min(max(len(t) for t in types), 24)
    cell = max(4.0, min(28.0, (WIDTH - left - 20) / len(months)))
    width = math.ceil(left + cell * len(months) + 20)
    axis = 10 + 20 * len(types) + 16
    height = axis + 34
    body = []
    for row, name in enumerate(types):
        y = 10 + 20 * row
        body.append(_text(left - 8, y + 14, name, anchor="end"))
        body.append(
            f'<rect x="{left}" y="{y}" width="{cell * len(months) - 1:.1f}" height="19" '
            'fill="#f4f4f4"/>'
        )
        for col, month in enumerate(months):
            n = monthly.get((name, month), 0)
            if n:
                fill = HEAT[min(len(HEAT) - 1, (n * len(HEAT) - 1) // peak)]
                body.append(
                    f'<rect x="{left + col * cell:.1f}" y="{y}" width="{cell - 1:.1f}" height="19" '
                    f'fill="{fill}"><title>{escape(f"{name} {month}: {n}")}</title></rect>'
                )
    last = -100.0
    for col, month in enumerate(months):
        x = left + col * cell
        if (col == 0 or month.endswith("-01")) and x - last >= 40:
            body.append(_text(x, axis, month if col == 0 else month[:4]))
            last = x
    scale = [_text(left, axis + 24, f"1 {table}")]
    for step, fill in enumerate(HEAT):
        scale.append(
            f'<rect x="{left + 70 + 14 * step}" y="{axis + 13}" width="13" height="13" fill="{fill}"/>'
        )
    scale.append(_text(left + 70 + 14 * len(HEAT) + 4, axis + 24, f"{peak} in a month"))
    body += scale
    total = sum(monthly.values())
    title = f"{table} by {kind} and month"
    by_type: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    for (name, month), n in monthly.items():
        by_type[name] += n
        by_month[month] += n
    top = min(by_type.items(), key=lambda kv: (-kv[1], kv[0]))
    busiest = min(by_month.items(), key=lambda kv: (-kv[1], kv[0]))
    alt = (
        f"Heat map of the {total:,} {table} dated to the month, by {kind} (rows) and month "
        f"(columns) from {months[0]} to {months[-1]}; darker is more. The busiest month is "
        f"{busiest[0]} ({busiest[1]:,}), the most frequent {kind} {top[0]} ({top[1]:,})."
    )
    if coarse:
        alt += (
            f" Not drawn: {table} "
            + ", ".join(f"{k} ({n:,})" for k, n in sorted(coarse.items()))
            + "."
        )
    rows = [
        (t, m, str(n)) for (t, m), n in sorted(monthly.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    rows += [("all", k, str(n)) for k, n in sorted(coarse.items())]
    return Picture(
        f"{FOLDER}/{table}-by-month.svg",
        title,
        alt,
        (kind, "month", table),
        tuple(rows),
        _svg(width, height, title, alt, body),
    )


def entity_types(facts: Mapping[str, Any], registry: str | None) -> Picture | None:
    """The registry's entries by type (the counts the card's annotation block states)."""
    counts: dict[str, int] = dict(facts.get("entity_types") or {})
    if not counts or registry is None:
        return None
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    title = f"{registry} by type"
    alt = (
        f"Bar chart of the {sum(counts.values()):,} {registry} of the registry by type: "
        + ", ".join(f"{t} {n:,}" for t, n in ordered)
        + "."
    )
    bars = [(t, [float(n)], str(n)) for t, n in ordered]
    return Picture(
        f"{FOLDER}/{registry}-by-type.svg",
        title,
        alt,
        ("type", registry),
        tuple((t, str(n)) for t, n in ordered),
        _bars(title, alt, bars, [registry]),
    )


def date_basis(facts: Mapping[str, Any]) -> Picture | None:
    """How the publication dates were established (stated, inferred, from outside the text),
    for the articles and for the timeline's rows dated in them."""
    bases: dict[str, dict[str, Any]] = dict(facts.get("date_bases") or {})
    if not bases:
        return None
    timeline = facts.get("timeline")
    rows_name = f"dated {timeline['table']}" if timeline else None
    names = list(bases)
    articles = [float(bases[b]["articles"]) for b in names]
    groups = [("articles", articles)]
    if rows_name:
        groups.append((rows_name, [float(bases[b]["events"]) for b in names]))
    bars = []
    for label, values in groups:
        total = sum(values) or 1.0
        bars.append((label, [v / total for v in values], f"{int(sum(values))}"))
    title = "the basis of the publication dates"
    parts = [
        f"of the {int(sum(values)):,} {label}, "
        + ", ".join(f"{int(v):,} {b}" for b, v in zip(names, values, strict=True))
        for label, values in groups
    ]
    alt = "Stacked bars, each the whole: " + "; ".join(parts) + "."
    header = ("basis", "articles", *([rows_name] if rows_name else []))
    rows = tuple(
        (b, str(bases[b]["articles"]), *([str(bases[b]["events"])] if rows_name else []))
        for b in names
    )
    return Picture(
        f"{FOLDER}/date-basis.svg",
        title,
        alt,
        header,
        rows,
        _bars(title, alt, bars, names, share=True),
    )


def density(
    tables: Mapping[str, pyarrow.Table], schemas: Mapping[str, TableSchema]
) -> Picture | None:
    """Rows of annotation per article (stacked by layer) and per 1,000 characters of its body;
    a histogram of that density when the articles are too many for a bar each."""
    document, body = table_of(schemas, "document"), table_of(schemas, "body")
    layers = [n for n in nesting(schemas) if n != body]
    if document is None or not layers:
        return None
    ids = [str(i) for i in tables[document].column(schemas[document].primary_key[0]).to_pylist()]
    counts = {name: _per_article(tables[name]) for name in layers}
    length = _body_length(tables[body], schemas[body]) if body else {}
    per = [(a, [counts[n].get(a, 0) for n in layers]) for a in ids]

    def rate(article: str, values: list[int]) -> float | None:
        chars = length.get(article)
        return 1000 * sum(values) / chars if chars else None

    rates = {a: rate(a, v) for a, v in per}
    known = sorted(r for r in rates.values() if r is not None)
    title = "annotation per article"
    summary = (
        f" Per 1,000 characters of body text: median {median(known):.1f}, from {known[0]:.1f} "
        f"to {known[-1]:.1f}."
        if known
        else ""
    )
    if len(ids) <= PER_ARTICLE:
        bars = [
            (
                a,
                [float(v) for v in values],
                f"{sum(values)}" + (f" · {rates[a]:.1f}/1k" if rates[a] is not None else ""),
            )
            for a, values in per
        ]
        alt = (
            f"Stacked bars, one per article, of its rows in each layer ({', '.join(layers)})."
            + summary
        )
        header = ("article", *layers, "all", "per 1,000 characters")
        rows = tuple(
            (a, *map(str, v), str(sum(v)), "—" if rates[a] is None else f"{rates[a]:.1f}")
            for a, v in per
        )
        return Picture(
            f"{FOLDER}/density.svg", title, alt, header, rows, _bars(title, alt, bars, layers)
        )
    values = known or sorted(float(sum(v)) for _, v in per)
    unit = "per 1,000 characters" if known else "rows per article"
    top = values[-1] or 1.0
    step = top / BINS
    hist = Counter(min(BINS - 1, int(v / step)) for v in values)
    labels = [f"{i * step:.1f}–{(i + 1) * step:.1f}" for i in range(BINS)]
    bars = [(labels[i], [float(hist.get(i, 0))], str(hist.get(i, 0))) for i in range(BINS)]
    alt = (
        f"Histogram of the {len(ids):,} articles by annotation rows {unit} (all layers)." + summary
    )
    rows = tuple((labels[i], str(hist.get(i, 0))) for i in range(BINS))
    return Picture(
        f"{FOLDER}/density.svg",
        title,
        alt,
        (unit, "articles"),
        rows,
        _bars(title, alt, bars, ["articles"]),
    )


# -- helpers ------------------------------------------------------------------------------------


def _by_month(rows: pyarrow.Table) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """The timeline's rows by (label, month) where a row's date has its month, and the others
    by whether they have a date (at year precision) or none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    day = rows.column("date")
    has = pc.and_(pc.is_valid(day), pc.not_equal(day, ""))
    month = pc.and_(has, pc.greater_equal(pc.utf8_length(day), 7))
    labelled = pa.table(
        {"label": rows.column("label"), "month": pc.utf8_slice_codeunits(day, 0, 7)}
    ).filter(month)
    counted = labelled.group_by(["label", "month"]).aggregate([([], "count_all")])
    keys = zip(
        counted.column("label").to_pylist(), counted.column("month").to_pylist(), strict=True
    )
    monthly = Counter(dict(zip(keys, counted.column("count_all").to_pylist(), strict=True)))
    year = pc.sum(pc.and_(has, pc.invert(month))).as_py() or 0
    undated = rows.num_rows - (pc.sum(has).as_py() or 0)
    coarse = Counter({"dated to the year only": year, "undated": undated})
    return monthly, +coarse  # +: only the kinds there are


def _per_article(table: pyarrow.Table) -> dict[str, int]:
    if ARTICLE not in table.column_names:
        return {}
    grouped = table.group_by(ARTICLE).aggregate([(ARTICLE, "count")])
    return dict(
        zip(
            grouped.column(ARTICLE).to_pylist(),
            grouped.column(f"{ARTICLE}_count").to_pylist(),
            strict=True,
        )
    )


def _body_length(table: pyarrow.Table, schema: TableSchema) -> dict[str, int]:
    """Characters of each article's body: the lengths of its body spans."""
    import pyarrow.compute as pc

    if not schema.spans or ARTICLE not in table.column_names:
        return {}
    span = schema.spans[0]
    lengths = pc.subtract(table.column(span.raw_end), table.column(span.raw_start))
    summed = (
        table.append_column("_length", lengths).group_by(ARTICLE).aggregate([("_length", "sum")])
    )
    return dict(
        zip(
            summed.column(ARTICLE).to_pylist(),
            summed.column("_length_sum").to_pylist(),
            strict=True,
        )
    )


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _text(x: float, y: float, text: str, *, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def _svg(width: int, height: int, title: str, alt: str, body: list[str]) -> str:
    """The picture: its title drawn above ``body`` (which is placed from y = 0)."""
    height += HEADING
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">\n'
        f"<title>{escape(title)}</title>\n<desc>{escape(alt)}</desc>\n"
        f'<rect width="{width}" height="{height}" fill="white"/>\n'
        f'<text x="10" y="18" font-size="14" font-weight="bold">{escape(title)}</text>\n'
        f'<g transform="translate(0 {HEADING})">\n' + "\n".join(body) + "\n</g>\n</svg>\n"
    )


def _bars(
    title: str,
    alt: str,
    bars: list[tuple[str, list[float], str]],
    series: list[str],
    *,
    share: bool = False,
) -> str:
    """Horizontal bars, each ``(label, values stacked in series order, note at its end)``;
    with ``share``, every bar is a whole (values are fractions), with the percentages in it."""
    shown = [label if len(label) <= 40 else label[:39] + "…" for label, _, _ in bars]
    left = 12 + CHAR * max(len(s) for s in shown)
    right = WIDTH - 90
    top = max((sum(v) for _, v, _ in bars), default=1.0) or 1.0
    legend = 28 if len(series) > 1 else 0
    height = 20 + legend + 22 * len(bars) + 10
    body = []
    x = float(left)
    for i, name in enumerate(series if len(series) > 1 else []):
        colour = SERIES[i % len(SERIES)]
        body.append(f'<rect x="{x:.1f}" y="12" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 16, 22, name))
        x += 30 + 7 * len(name)
    scale = (right - left) / (1.0 if share else top)
    for row, ((label, values, note), name) in enumerate(zip(bars, shown, strict=True)):
        y = 20 + legend + 22 * row
        body.append(_text(left - 8, y + 13, name, anchor="end"))
        x = float(left)
        for i, v in enumerate(values):
            if v <= 0:
                continue
            w = v * scale
            tip = f"{label} {series[i]}: " + (f"{v:.0%}" if share else f"{v:g}")
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="18" '
                f'fill="{SERIES[i % len(SERIES)]}"><title>{escape(tip)}</title></rect>'
            )
            if share and w > 34:
                body.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 13}" text-anchor="middle" fill="white">{v:.0%}</text>'
                )
            x += w
        body.append(_text(x + 6, y + 13, note))
    return _svg(WIDTH, height, title, alt, body)


def write(root: Path, pictures: list[Picture]) -> list[DataFile]:
    """Write each picture's SVG into the release; return the files, described for its record."""
    for picture in pictures:
        (root / picture.path).parent.mkdir(exist_ok=True)
        (root / picture.path).write_bytes(picture.svg.encode("utf-8"))
    return [describe(root, p.path) for p in pictures]
