"""Offsets between the units tools count in: UTF-16 code units (Label Studio, doccano, UIMA) and
code points (Python, brat, articlepack).

A character outside the Basic Multilingual Plane (an emoji, a historic script) is one code point
but two UTF-16 code units, so every offset after one differs by one per such character.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable


def _astral(text: str) -> list[int]:
    """The code point offsets of the characters that take two UTF-16 code units."""
    return [i for i, c in enumerate(text) if ord(c) > 0xFFFF]


def utf16_to_codepoints(text: str) -> Callable[[int], int]:
    """A function from a UTF-16 offset into ``text`` to its code point offset.

    It raises :class:`ValueError` for an offset inside a surrogate pair (half a character) or
    past the end of the text.
    """
    astral = _astral(text)
    if not astral:
        return lambda unit: _within(unit, len(text))
    # the UTF-16 offset at which each astral character starts
    starts = [cp + n for n, cp in enumerate(astral)]
    length = len(text) + len(astral)

    def convert(unit: int) -> int:
        _within(unit, length)
        before = bisect_left(starts, unit)  # astral characters that start before `unit`
        if before and unit == starts[before - 1] + 1:
            raise ValueError(f"offset {unit} falls inside a surrogate pair (half a character)")
        return unit - before

    return convert


def codepoints_to_utf16(text: str) -> Callable[[int], int]:
    """A function from a code point offset into ``text`` to its UTF-16 offset."""
    astral = _astral(text)
    return lambda point: _within(point, len(text)) + bisect_left(astral, point)


def _within(offset: int, length: int) -> int:
    if not 0 <= offset <= length:
        raise ValueError(f"offset {offset} lies outside the text ({length} units long)")
    return offset
