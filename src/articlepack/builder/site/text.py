"""Text with highlighted spans that may overlap, as well-formed nested HTML.

Spans nest where they can: of two spans over the same characters, the one that starts first
(or, starting together, ends last) is the outer one, and the tie-break ``rank`` orders the rest.
Where two spans cross, the inner one is closed at the outer one's end and reopened after it as a
*continuation*, which carries ``cont`` (no ``data-layer``), so that each span has exactly one
element that names it. The same input always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from itertools import pairwise


@dataclass(frozen=True)
class Mark:
    """A span to draw: ``[start, end)`` in the article's text, with its opening tags."""

    key: int  # unique within the article
    start: int
    end: int
    rank: tuple[int, str]
    open: str  # the opening tag of its first piece
    cont: str  # the opening tag of any later piece


def render(text: str, base: int, marks: list[Mark], opened: set[int]) -> str:
    """``text`` (which starts at ``base`` in the article) with ``marks`` drawn over it.

    ``opened`` holds the keys of spans already begun in an earlier piece of text; it is updated,
    so that a span crossing two paragraphs gets a continuation in the second.
    """
    end = base + len(text)
    # outer before inner: sorted once, so that the marks over each piece keep this order
    inside = sorted(
        (m for m in marks if m.start < end and m.end > base),
        key=lambda m: (m.start, -m.end, m.rank),
    )
    if not inside:
        return escape(text, quote=False)
    points = sorted(
        {base, end, *(max(m.start, base) for m in inside)} | {min(m.end, end) for m in inside}
    )
    out: list[str] = []
    stack: list[Mark] = []
    for a, b in pairwise(points):
        active = [m for m in inside if m.start <= a and m.end >= b]
        kept = 0
        while kept < min(len(stack), len(active)) and stack[kept] is active[kept]:
            kept += 1
        out.append("</mark>" * (len(stack) - kept))
        del stack[kept:]
        for mark in active[kept:]:
            out.append(mark.cont if mark.key in opened else mark.open)
            opened.add(mark.key)
            stack.append(mark)
        out.append(escape(text[a - base : b - base], quote=False))
    out.append("</mark>" * len(stack))
    return "".join(out)
