"""``timeline.svg``: the rows a schema's ``x-articlepack.timeline`` names, by date and label.

Each row is ``(date, label, id, article_id)``; dates are ISO 8601 at day, month or year
precision. Plain SVG, so that the card shows it on the Hub and in any browser.
"""

from __future__ import annotations

from datetime import date
from html import escape

WIDTH, ROW, LEFT, TOP = 760, 28, 110, 30


def _day(value: str) -> date:
    """The first day of an ISO date at day, month or year precision."""
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def svg(rows: list[tuple[str, str, str, str]], title: str) -> str:
    dated = sorted((_day(day), str(label), str(i), str(a)) for day, label, i, a in rows)
    types = sorted({t for _, t, _, _ in dated})
    height = TOP + ROW * max(len(types), 1) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
    ]
    if not dated:
        out.append(f'<text x="{LEFT}" y="{TOP}">Nothing dated.</text></svg>')
        return "\n".join(out) + "\n"
    first, last = dated[0][0].toordinal(), dated[-1][0].toordinal()
    span = max(last - first, 1)
    right = WIDTH - 60

    def x(day: date) -> float:
        return LEFT + (day.toordinal() - first) / span * (right - LEFT)

    axis = TOP + ROW * len(types)
    out.append(f'<line x1="{LEFT}" y1="{axis}" x2="{right}" y2="{axis}" stroke="#444"/>')
    years = [date(y, 1, 1) for y in range(dated[0][0].year + 1, dated[-1][0].year + 1)]
    placed: list[float] = []
    for day in [*years, dated[0][0], dated[-1][0]]:
        if any(abs(x(day) - other) < 75 for other in placed):
            continue
        placed.append(x(day))
        out.append(
            f'<line x1="{x(day):.1f}" y1="{axis}" x2="{x(day):.1f}" y2="{axis + 5}" stroke="#444"/>'
        )
        out.append(
            f'<text x="{x(day):.1f}" y="{axis + 18}" text-anchor="middle">{day.isoformat()}</text>'
        )
    for row, kind in enumerate(types):
        y = TOP + ROW * row + ROW / 2
        out.append(f'<text x="{LEFT - 10}" y="{y + 4:.1f}" text-anchor="end">{escape(kind)}</text>')
        out.append(f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="#ddd"/>')
    for day, kind, event_id, article in dated:
        y = TOP + ROW * types.index(kind) + ROW / 2
        label = escape(f"{day.isoformat()} {kind} {article}/{event_id}")
        out.append(
            f'<circle cx="{x(day):.1f}" cy="{y}" r="5" fill="#1f77b4" fill-opacity="0.6">'
            f"<title>{label}</title></circle>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
