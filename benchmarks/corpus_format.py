"""The one writer of the corpus format for generated data (benchmarks/synth.py, tests/strategies.py).

:func:`dump` writes a document as people write ``article.yaml`` and ``entities.yaml``: block
mappings at the top, a flow mapping on one line for each mapping whose values are all scalars or
flat lists (a span, a mention, an entity), block style for one that holds mappings (an event and
its spans). Strings are plain where YAML cannot read them as anything else, else double-quoted
with JSON's escapes (valid in YAML) plus escapes for the characters YAML may not hold as they
are or reads as line breaks. It writes any JSON-like value, so a test can write a document it
has broken on purpose; no YAML library is involved.
"""

from __future__ import annotations

import datetime as dt
import re
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

#: a string YAML reads back as that same string when written bare
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_RESOLVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
#: characters to escape beyond JSON's: C1 controls, DEL, BOM, YAML 1.1 line breaks, non-characters
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def scalar(value: Any) -> str:
    """One value in flow context: a string, number, boolean, null, or a flat list or mapping."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):  # as YAML reads a bare ISO date
        return value.isoformat()
    if isinstance(value, str):
        if _PLAIN.match(value) and value.lower() not in _RESOLVED:
            return value
        quoted: str = encode_basestring(value)
        return _UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", quoted)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} values")


def _flat(value: Any) -> bool:
    """Whether ``value`` goes on one line: it holds no mapping and no list of mappings (one
    level of mappings inside a list item's mapping is fine: a span)."""
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list) or _flat_leaf(v) for v in value.values())
    return _flat_leaf(value)


def _flat_leaf(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(not isinstance(v, dict | list | tuple) for v in value)
    return not isinstance(value, dict)


def _block(mapping: dict[str, Any], indent: str, out: list[str]) -> None:
    for key, value in mapping.items():
        head = f"{indent}{scalar(key)}:"
        if isinstance(value, dict) and value and not _flat(value):
            out.append(head)
            _block(value, indent + "  ", out)
        elif isinstance(value, list) and value and any(isinstance(v, dict) for v in value):
            out.append(head)
            for item in value:
                if isinstance(item, dict) and item and not _item_flat(item):
                    first, *rest = list(item.items())
                    out.append(f"{indent}  - {scalar(first[0])}: {scalar(first[1])}")
                    _block(dict(rest), indent + "    ", out)
                else:
                    out.append(f"{indent}  - {scalar(item)}")
        else:
            out.append(f"{head} {scalar(value)}")


def _item_flat(item: dict[str, Any]) -> bool:
    """A list item goes on one line unless it holds a mapping (an event's spans)."""
    return all(not isinstance(v, dict) for v in item.values()) and _flat(item)


def dump(document: dict[str, Any]) -> str:
    """``document`` as YAML text in the corpus's own style (see the module's docstring)."""
    out: list[str] = []
    _block(document, "", out)
    return "\n".join(out) + "\n"


def write_article(folder: Path, raw: str, document: dict[str, Any]) -> None:
    """An article folder: its raw.txt (UTF-8, as given) and its article.yaml."""
    folder.mkdir()
    (folder / "raw.txt").write_bytes(raw.encode("utf-8"))
    (folder / "article.yaml").write_bytes(dump(document).encode("utf-8"))
