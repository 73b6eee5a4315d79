"""The HTML every page shares: escaping, file names, the page shell and the value formats.

Every value from a corpus goes through :func:`esc` (text and attributes alike), so a title or a
name holding ``<script>`` shows as text. The shell's Content-Security-Policy allows only the
site's own style sheet and script: even markup that slipped through could run nothing and fetch
nothing, and a page opened from disk makes no request to any network.
"""

from __future__ import annotations

import hashlib
import re
from html import escape
from typing import Any

ASSETS = ("site.css", "site.js")
_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
_SAFE = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


def esc(value: object) -> str:
    """``value`` as HTML text or attribute value: ``&<>"'`` escaped (most text has none, and a
    site escapes millions of values, so that case returns at once)."""
    text = value if isinstance(value, str) else str(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return escape(text, quote=True)
    return text


def page_name(value: object) -> str:
    """A file name for a page of ``value`` (an article or entity id): the id itself when it is a
    plain lowercase slug, else a digest of it (``_`` first, which no slug has), so that no id can
    make a path, and no two ids one name, even on a case-insensitive file system."""
    text = str(value)
    if _SAFE.fullmatch(text):
        return f"{text}.html"
    return f"_{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}.html"


def shell(title: str, body: str, *, depth: int, crumbs: list[tuple[str, str]]) -> str:
    """A whole page: ``body`` under breadcrumbs (``(href, text)``: relative; "" for this page)."""
    up = "../" * depth
    trail = " › ".join(
        f'<a href="{esc(href)}">{esc(text)}</a>' if href else f"<span>{esc(text)}</span>"
        for href, text in crumbs
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        f'<link rel="stylesheet" href="{up}assets/site.css">'
        f'<script src="{up}assets/site.js" defer></script></head>\n'
        f'<body><nav class="crumbs">{trail}</nav>\n<main>\n{body}</main></body></html>\n'
    )


def value(cell: Any) -> str:
    """A cell as text: a list joined by commas, an empty cell as an em dash."""
    if cell is None or cell == []:
        return "—"
    if isinstance(cell, list):
        return ", ".join(str(v) for v in cell)
    if isinstance(cell, float):
        return f"{cell:g}"
    return str(cell)


def dl(pairs: list[tuple[str, Any]], cls: str = "attrs") -> str:
    """A definition list of ``(name, value)``; nothing when there are no pairs."""
    if not pairs:
        return ""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(value(v))}</dd>" for k, v in pairs)
    return f'<dl class="{cls}">{items}</dl>'


def table(header: list[str], rows: list[list[str]], cls: str = "grid") -> str:
    """A table whose cells are already HTML (escape them first)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
