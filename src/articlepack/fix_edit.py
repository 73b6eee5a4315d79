"""Values of a YAML file changed in its text, in place: every other byte (comments, order, quoting,
line endings) stays as it was.

A YAML library that loads and dumps a file loses its comments and layout; here the node graph
says where each value lies (as character offsets), and only those characters are replaced. A key
that is missing is inserted on a line of its own (or, in a flow mapping, after its brace). The
result is loaded back and compared with what was meant: an edit that does not come out exactly
raises :class:`EditError`, and the file is left alone.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence

import yaml

from articlepack import _yaml

Path = tuple[str | int, ...]
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # a string safe to write unquoted, if it loads


class EditError(ValueError):
    """An edit that cannot be made in place, or that does not load back as meant."""


def edit(text: str, changes: Mapping[Path, str | int]) -> str:
    """``text`` with the value at each path of ``changes`` set (keys, list indexes)."""
    root = _yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        raise EditError("the file is not a YAML mapping")
    splices: list[tuple[int, int, str]] = []
    for path, value in changes.items():
        splices.append(_splice(text, root, path, value))
    splices.sort(reverse=True)
    for (_, end, _), (later, _, _) in zip(splices[1:], splices, strict=False):
        if end > later:
            raise EditError("two changes overlap")
    out = text
    for start, end, new in splices:
        out = out[:start] + new + out[end:]
    _check(text, out, changes)
    return out


def _splice(text: str, root: yaml.Node, path: Path, value: str | int) -> tuple[int, int, str]:
    """The characters to replace (start, end) and what to put there."""
    reached = _yaml.along(root, path)
    if len(reached) == len(path):  # the value is there: replace it
        node = reached[-1][1]
        start, end = node.start_mark.index, node.end_mark.index
        new = _scalar(value)
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            new += text[end - 1] if text[start:end].endswith(("\n", "\r")) else ""
        elif start == end and start and text[start - 1] == ":":
            new = " " + new  # an empty value: `key:` followed by nothing
        return start, end, new
    parent = reached[-1][1] if reached else root
    rest = path[len(reached) :]
    if isinstance(parent, yaml.ScalarNode) and parent.tag.endswith(":null") and reached:
        start, end = parent.start_mark.index, parent.end_mark.index
        new = _flow(rest, value)
        return start, end, (" " + new if start == end and text[start - 1] == ":" else new)
    if not isinstance(parent, yaml.MappingNode) or not isinstance(rest[0], str):
        raise EditError(f"cannot add {'.'.join(map(str, path))} here")
    entry = f"{_key(rest[0])}: {_flow(rest[1:], value)}"
    if parent.flow_style:
        brace = parent.start_mark.index + 1
        return brace, brace, entry + (", " if parent.value else "")
    if not parent.value:
        raise EditError("an empty block mapping")
    # before the first key; at the top of a document, after its first entry (its id)
    keys = [k for k, _ in parent.value]
    anchor = keys[1] if parent is root and len(keys) > 1 else keys[0]
    at = anchor.start_mark.index
    return at, at, f"{entry}{_newline(text)}{' ' * anchor.start_mark.column}"


def _flow(rest: Sequence[str | int], value: str | int) -> str:
    """``value`` under the keys ``rest``, as nested flow mappings."""
    out = _scalar(value)
    for key in reversed(rest):
        if not isinstance(key, str):
            raise EditError("cannot add a list item")
        out = f"{{{_key(key)}: {out}}}"
    return out


def _key(key: str) -> str:
    return key if _PLAIN.fullmatch(key) else _quoted(key)


def _scalar(value: str | int) -> str:
    """A YAML scalar that loads as ``value``: an integer, a plain word, or a double-quoted
    string with every character a terminal or a YAML parser could misread escaped."""
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value) and _yaml.loads(f"v: {value}") == {"v": value}:
        return value
    return _quoted(value)


def _quoted(value: str) -> str:
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif c.isprintable() and c != "\u2028" and c != "\u2029":
            out.append(c)
        elif ord(c) <= 0xFF:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def _newline(text: str) -> str:
    """The file's own line ending."""
    return "\r\n" if "\r\n" in text else "\n"


def _check(before: str, after: str, changes: Mapping[Path, str | int]) -> None:
    """Load ``after`` and compare it with ``before`` loaded and changed."""
    try:
        meant = copy.deepcopy(_yaml.loads(before))
        got = _yaml.loads(after)
    except _yaml.YAMLProblem as exc:
        raise EditError(f"the edited file would not load: {exc.message}") from None
    for path, value in changes.items():
        node = meant
        for step in path[:-1]:
            if isinstance(node, dict) and node.get(step) is None:
                node[step] = {}
            node = node[step]
        node[path[-1]] = value
    if got != meant:
        raise EditError("the edited file does not load as meant")
