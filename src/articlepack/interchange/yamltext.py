"""Writing article.yaml (and the registry's new entries) in the corpus's own style.

The style is the one people write and review in git diffs: a block mapping at the top, a span as
one flow mapping ``{start: .., end: .., text: ..}``, a flat list item on one line, an item holding
spans as a block. Every text is written back and parsed again before it is used: what is on disk
always loads as the data it was made from.
"""

from __future__ import annotations

import re
from typing import Any

from articlepack import _yaml

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
# what YAML 1.1 (PyYAML) or 1.2 would read as a number or a boolean if left unquoted, and dates
# (which the corpus always quotes)
_NOT_TEXT = re.compile(
    r"[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?"
    r"|[1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)|[0-9]{4}(-[0-9]{1,2}){0,2}"
    r"|(?i:null|true|false|yes|no|on|off|y|n|nan|inf)"
)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def dumps(doc: dict[str, Any]) -> str:
    """``doc`` as YAML in the corpus's style (checked to load as ``doc`` again)."""
    text = "\n".join(_block(doc, 0)) + "\n"
    if _yaml.loads(text) != doc:
        raise AssertionError("the YAML written does not load as the data it was made from")
    return text


def append_items(text: str | None, key: str, items: list[dict[str, Any]], file: str) -> str:
    """``text`` (a YAML file whose one key is the block list ``key``) with ``items`` appended,
    its comments and entries untouched; :class:`ValueError` when it is not written that way."""
    before = _yaml.loads(text) if text and text.strip() else None
    old = before.get(key) if isinstance(before, dict) else None
    if not text or before is None:
        text = f"{key}:\n"
    elif re.search(rf"^{re.escape(key)}:[ \t]*\[\][ \t]*(#.*)?$", text, re.M):
        text = re.sub(rf"^{re.escape(key)}:[ \t]*\[\]", f"{key}:", text, count=1, flags=re.M)
    elif not re.search(rf"^{re.escape(key)}:[ \t]*(#.*)?$", text, re.M):
        raise ValueError(f"{file}: `{key}` is not a block list, so new entries cannot be added")
    indent = re.search(r"^([ \t]*)- ", text, re.M)
    pad = indent.group(1) if indent else "  "
    lines = [f"{pad}- {_flow(item)}" for item in items]
    new = text + ("" if text.endswith("\n") else "\n") + "\n".join(lines) + "\n"
    loaded = _yaml.loads(new)
    if not isinstance(loaded, dict) or loaded.get(key) != [*(old or []), *items]:
        raise ValueError(f"{file}: new entries cannot be appended to `{key}` as it is written")
    return new


def _block(mapping: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for key, value in mapping.items():
        name = _scalar(key)
        if isinstance(value, dict) and _as_block(value, indent):
            lines += [f"{pad}{name}:", *_block(value, indent + 2)]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{pad}{name}:")
            for item in value:
                if any(isinstance(v, dict) for v in item.values()):
                    inner = _block(item, indent + 4)
                    lines += [f"{pad}  - {inner[0].lstrip()}", *inner[1:]]
                else:
                    lines.append(f"{pad}  - {_flow(item)}")
        else:
            lines.append(f"{pad}{name}: {_flow(value)}")
    return lines


def _as_block(value: dict[str, Any], indent: int) -> bool:
    """A mapping that holds a mapping is a block; so is a long one at the top (`source:`), but
    never a span."""
    if set(value) == {"start", "end", "text"}:
        return False
    return any(isinstance(v, dict) for v in value.values()) or (indent == 0 and len(value) > 2)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and not _NOT_TEXT.fullmatch(text):
        return text
    return '"' + "".join(_escape(c) for c in text) + '"'


def _escape(c: str) -> str:
    """A character as a double-quoted YAML scalar holds it: escaped unless YAML counts it as
    printable and no YAML reader takes it for a line break or a byte-order mark."""
    if c in _ESCAPES:
        return _ESCAPES[c]
    code = ord(c)
    if (
        0x20 <= code <= 0x7E
        or (0xA0 <= code <= 0xD7FF and code not in (0x2028, 0x2029))
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
        or code >= 0x10000
    ):
        return c
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def merged(old: str, doc: dict[str, Any]) -> str:
    """``doc`` written over the text ``old``: each top-level key, and each item of a block list,
    whose data did not change keeps its text (comments, quoting and all), so that re-importing
    an article changes only the lines of what changed."""
    chunks = _chunks(old)
    if chunks is None:
        return dumps(doc)
    out = []
    for key, value in doc.items():
        comments, text, data = chunks.get(key, ("", "", None))
        if text and data == value:
            out.append(comments + text)
        elif text and isinstance(value, list) and isinstance(data, list):
            out.append(comments + _merged_list(text, key, value))
        else:
            out.append(comments + "\n".join(_block({key: value}, 0)) + "\n")
    new = "".join(out)
    try:
        same = _yaml.loads(new) == doc
    except _yaml.YAMLProblem:
        same = False
    return new if same else dumps(doc)


def _chunks(text: str) -> dict[Any, tuple[str, str, Any]] | None:
    """Each top-level key of a block mapping: the comments above it, its text and its data
    (None when the text cannot be cut that way)."""
    pieces: list[list[str]] = [[]]
    for line in text.splitlines(keepends=True):
        if _starts_key(line) and any(_starts_key(p) for p in pieces[-1]):
            pieces.append([])
        pieces[-1].append(line)
    chunks: dict[Any, tuple[str, str, Any]] = {}
    for piece in pieces:
        at = next((i for i, line in enumerate(piece) if _starts_key(line)), None)
        if at is None:
            return None
        body = "".join(piece[at:])
        try:
            data = _yaml.loads(body)
        except _yaml.YAMLProblem:
            return None
        if not isinstance(data, dict) or len(data) != 1:
            return None
        ((key, value),) = data.items()
        chunks[key] = ("".join(piece[:at]), body if body.endswith("\n") else body + "\n", value)
    return chunks


def _starts_key(line: str) -> bool:
    return line[:1] not in ("", " ", "\t", "#", "-", "\n", "\r")


def _merged_list(chunk: str, key: Any, items: list[Any]) -> str:
    """A block list's text with its unchanged items kept as written."""
    first, *rest = chunk.splitlines(keepends=True)
    indent = next((x[: len(x) - len(x.lstrip())] for x in rest if x.lstrip().startswith("- ")), "")
    written: list[str] = []
    for line in rest:
        if line.startswith(f"{indent}- ") or not written:
            written.append(line)
        else:
            written[-1] += line
    old = []
    for text in written:
        try:
            data = _yaml.loads(f"x:\n{text}")
        except _yaml.YAMLProblem:
            data = None
        old.append(data["x"][0] if isinstance(data, dict) and data.get("x") else None)
    out, used = [first], set()
    for item in items:
        found = next((i for i, d in enumerate(old) if i not in used and d == item), None)
        if found is None or indent != "  ":
            out += [f"{line}\n" for line in _block({"x": [item]}, 0)[1:]]
        else:
            used.add(found)
            out.append(written[found])
    return "".join(out)
