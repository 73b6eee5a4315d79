"""Safe, fast YAML: yaml-rs parses; PyYAML's node marks locate lines only when a file has a problem.

yaml-rs rejects tags it does not know, duplicate keys and alias bombs. Nothing here constructs
arbitrary Python objects: PyYAML is used only to *compose* nodes (no constructors run).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import yaml
import yaml_rs

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ALIASES = yaml_rs.AliasLimits(
    max_alias_expansions_per_anchor=100,
    max_total_replayed_events=10_000,
    max_replay_stack_depth=64,
)
_LINE = re.compile(r"line (\d+)")
_BRACKETS = re.compile(r"[\[\]{}]")
MAX_DEPTH = 64  # deeper nesting than any corpus file needs; deeper input is hostile


class YAMLProblem(ValueError):
    """A YAML document that cannot be loaded; ``code`` is a finding code."""

    def __init__(self, code: str, message: str, line: int | None) -> None:
        super().__init__(message)
        self.code, self.message, self.line = code, message, line


def loads(text: str) -> Any:
    """Parse ``text`` (one YAML document), raising :class:`YAMLProblem` on anything unsafe."""
    if _too_deep(text):
        raise YAMLProblem("yaml-unsafe", f"nesting deeper than {MAX_DEPTH} levels", None)
    try:
        return yaml_rs.loads(text, parse_datetime=False, alias_limits=_ALIASES)
    except yaml_rs.YAMLDecodeError as exc:
        raise _classify(text, str(exc)) from None
    except RecursionError:
        raise YAMLProblem("yaml-unsafe", "document nests too deeply", None) from None


def _too_deep(text: str) -> bool:
    """Cheap guard against pathological flow nesting (``[[[[...``) before any parser recurses."""
    depth = 0
    for ch in _BRACKETS.findall(text):
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return False


def _classify(text: str, message: str) -> YAMLProblem:
    first = message.strip().splitlines()[-1] if message.strip() else message
    if "duplicate" in message.lower():
        key = message.split(":", 1)[-1].strip()
        return YAMLProblem("yaml-duplicate-key", f"duplicate key {key}", _duplicate_line(text))
    if "tag" in message.lower():
        return YAMLProblem("yaml-unsafe", message.strip(), _tag_line(text))
    if "alias" in message.lower() or "replay" in message.lower() or "anchor" in message.lower():
        return YAMLProblem("yaml-unsafe", f"alias expansion over the limit ({first})", None)
    match = _LINE.search(message)
    line = int(match.group(1)) if match else _syntax_line(text)
    return YAMLProblem("yaml-syntax", first, line)


def _syntax_line(text: str) -> int | None:
    try:
        yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        return exc.problem_mark.line + 1 if exc.problem_mark else None
    except (yaml.YAMLError, RecursionError):
        return None
    return None


def _tag_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if "!" in line.split("#", 1)[0]:
            return number
    return None


def _duplicate_line(text: str) -> int | None:
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except (yaml.YAMLError, RecursionError):
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if key.value in seen:
                    return int(key.start_mark.line) + 1
                seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """1-based line of the node at ``path`` (keys and list indexes); its nearest ancestor if absent."""
    root = _compose(text)
    if root is None:
        return None
    node, line = root, int(root.start_mark.line) + 1
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == step:
                    child, line = value, int(key.start_mark.line) + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if 0 <= step < len(node.value):
                child = node.value[step]
                line = int(child.start_mark.line) + 1
        if child is None:
            break
        node = child
    return line


@lru_cache(maxsize=64)
def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except (yaml.YAMLError, RecursionError):
        return None
