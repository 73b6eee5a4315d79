"""The lines of YAML paths in a file, found as cheaply as the number of paths allows.

A finding's line comes from its YAML path (:func:`articlepack.checks.locate`). Composing a file's
node graph costs some tens of milliseconds an article; a file with a few findings (a CRLF
checkout gives each article two, near its top) is read instead by libyaml's events, only as far
as each path, at the cost of microseconds. Both ways give the same line
(``tests/test_messages.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import yaml

from articlepack._yaml import COLLECTION_END, COLLECTION_START, line_of, parse_events, start_line

FEW = 4  # paths per file up to which each is found by parsing only as far as it (no compose)


def lines_of(text: str, paths: Sequence[Sequence[Any]]) -> list[int | None]:
    """:func:`line_of` each path. A few paths are found by walking the parser's events only as
    far as each (a file's sha256 near its top costs microseconds); more, by composing the file
    once (some tens of milliseconds an article)."""
    if len(paths) <= FEW:
        return [_line_by_events(text, path) for path in paths]
    return [line_of(text, path) for path in paths]


def _line_by_events(text: str, path: Sequence[Any]) -> int | None:
    """:func:`line_of` by libyaml's events, read no further than ``path``; a path through an
    alias or a key that is not a string (which events cannot compare) is left to it."""
    if not all(isinstance(step, str | int) and not isinstance(step, bool) for step in path):
        return line_of(text, path)
    events = parse_events(text)
    try:
        for event in events:
            if isinstance(event, yaml.NodeEvent):
                return _walk(events, event, list(path), start_line(event))
    except (yaml.YAMLError, _Alias):
        return line_of(text, path)
    return None


class _Alias(Exception):
    """The path runs through an alias, whose node only composing finds."""


def _walk(
    events: Iterator[yaml.Event], node: yaml.Event, path: list[Any], line: int | None
) -> int | None:
    """The line of ``path`` below the node whose first event is ``node``."""
    for step in path:
        if isinstance(node, yaml.AliasEvent):
            raise _Alias
        found = None
        if isinstance(node, yaml.MappingStartEvent):
            for key in events:
                if isinstance(key, yaml.MappingEndEvent):
                    break
                if isinstance(key, yaml.AliasEvent):
                    raise _Alias  # it might be the key sought
                if isinstance(key, yaml.ScalarEvent) and key.value == str(step):
                    found, line = next(events), start_line(key)
                    break
                _skip(events, key)
                _skip(events, next(events))
        elif isinstance(node, yaml.SequenceStartEvent) and isinstance(step, int):
            for index, item in enumerate(events):
                if isinstance(item, yaml.SequenceEndEvent):
                    break
                if index == step:
                    found, line = item, start_line(item)
                    break
                _skip(events, item)
        if found is None:
            return line
        node = found
    return line


def _skip(events: Iterator[yaml.Event], first: yaml.Event) -> None:
    """Read past the node whose first event is ``first``."""
    depth = 1 if isinstance(first, COLLECTION_START) else 0
    while depth:
        event = next(events)
        if isinstance(event, COLLECTION_START):
            depth += 1
        elif isinstance(event, COLLECTION_END):
            depth -= 1
