"""``timeline.svg``: the rows a schema's ``x-articlepack.timeline`` names, by date and label.

Each row is ``(date, label, id, article_id)``; dates are ISO 8601 at day, month or year
precision. Plain SVG, so that the card shows it on the Hub and in any browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow

    from articlepack.schema import TableSchema

WIDTH, ROW, LEFT, TOP = 760, 28, 110, 30
BATCH = 65_536  # rows drawn at a time


def rows_of(
    tables: dict[str, pyarrow.Table], schemas: Mapping[str, TableSchema]
) -> dict[str, Any] | None:
    """The rows of the table whose schema declares ``x-articlepack.timeline`` as a table of
    ``date`` (or null), ``label`` (as text), ``id`` and ``article_id``, with its title and
    caption; None when no schema declares one."""
    import pyarrow as pa

    for name, schema in schemas.items():
        spec = schema.extension.get("timeline")
        if isinstance(spec, dict):
            table = tables[name]
            rows = pa.table(
                {
                    "date": table.column(spec["date"]),
                    "label": table.column(spec["label"]).cast(pa.string()).fill_null("None"),
                    "id": table.column("id"),
                    "article_id": table.column("article_id"),
                }
            )
            return {
                "table": name,
                "label": str(spec["label"]),
                "rows": rows,
                "title": str(spec.get("title") or f"{name} by date"),
                "caption": str(spec.get("caption") or ""),
            }
    return None


def dated_rows(rows: pyarrow.Table) -> pyarrow.Table:
    """The timeline's rows that have a date."""
    import pyarrow.compute as pc

    day = rows.column("date")
    return rows.filter(pc.and_(pc.is_valid(day), pc.not_equal(day, "")))


def _day(value: str) -> date:
    """The first day of an ISO date at day, month or year precision."""
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def write(path: Path, rows: pyarrow.Table, title: str) -> None:
    """Write the SVG of ``rows`` (``date, label, id, article_id``, every date set) to ``path``.

    The rows are drawn in the order of (day, label, id, article), sorted by Arrow, and written
    a batch at a time: at 100,000 articles they are more than a million circles."""
    import pyarrow as pa
    import pyarrow.compute as pc

    days = pc.unique(rows.column("date")).to_pylist()
    ordinal = pa.array([_day(d).toordinal() for d in days], pa.int64())
    keyed = pa.table(
        {
            "day": pc.take(ordinal, pc.index_in(rows.column("date"), value_set=pa.array(days))),
            **{c: rows.column(c).cast(pa.string()) for c in ("label", "id", "article_id")},
        }
    )
    order = [(c, "ascending") for c in ("day", "label", "id", "article_id")]
    ordered = keyed.take(pc.sort_indices(keyed, order)) if keyed.num_rows else keyed
    types = sorted(set(pc.unique(ordered.column("label")).to_pylist()))
    height = TOP + ROW * max(len(types), 1) + 40
    with path.open("w", encoding="utf-8") as out:
        out.write(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">\n'
            f"<title>{escape(title)}</title>\n"
            f'<rect width="{WIDTH}" height="{height}" fill="white"/>\n'
        )
        if not ordered.num_rows:
            out.write(f'<text x="{LEFT}" y="{TOP}">Nothing dated.</text></svg>\n')
            return
        first = date.fromordinal(ordered.column("day")[0].as_py())
        last = date.fromordinal(ordered.column("day")[-1].as_py())
        span = max(last.toordinal() - first.toordinal(), 1)
        right = WIDTH - 60

        def x(day: date) -> float:
            return LEFT + (day.toordinal() - first.toordinal()) / span * (right - LEFT)

        axis = TOP + ROW * len(types)
        lines = [f'<line x1="{LEFT}" y1="{axis}" x2="{right}" y2="{axis}" stroke="#444"/>']
        years = [date(y, 1, 1) for y in range(first.year + 1, last.year + 1)]
        placed: list[float] = []
        for day in [*years, first, last]:
            if any(abs(x(day) - other) < 75 for other in placed):
                continue
            placed.append(x(day))
            lines.append(
                f'<line x1="{x(day):.1f}" y1="{axis}" x2="{x(day):.1f}" y2="{axis + 5}" stroke="#444"/>'
            )
            lines.append(
                f'<text x="{x(day):.1f}" y="{axis + 18}" text-anchor="middle">{day.isoformat()}</text>'
            )
        row_of = {}
        for row, kind in enumerate(types):
            y = TOP + ROW * row + ROW / 2
            row_of[kind] = y
            lines.append(
                f'<text x="{LEFT - 10}" y="{y + 4:.1f}" text-anchor="end">{escape(kind)}</text>'
            )
            lines.append(f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="#ddd"/>')
        out.write("\n".join(lines) + "\n")
        for batch in ordered.to_batches(max_chunksize=BATCH):
            circles = []
            for ordinal_, kind, event_id, article in zip(*batch.to_pydict().values(), strict=True):
                day = date.fromordinal(ordinal_)
                label = escape(f"{day.isoformat()} {kind} {article}/{event_id}")
                circles.append(
                    f'<circle cx="{x(day):.1f}" cy="{row_of[kind]}" r="5" fill="#1f77b4" '
                    f'fill-opacity="0.6"><title>{label}</title></circle>\n'
                )
            out.write("".join(circles))
        out.write("</svg>\n")
