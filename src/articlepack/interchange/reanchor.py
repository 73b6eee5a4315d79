"""Re-anchoring a tool's offsets onto an article's raw.txt, and checking every span there.

raw.txt is never edited: when a tool's text is not raw.txt exactly (a tool that dropped a
trailing newline or turned CRLF into LF), each span is carried over through the longest
stretches the two texts share, and is kept only when its text is there, unchanged.
"""

from __future__ import annotations

from bisect import bisect_right
from difflib import SequenceMatcher

from articlepack.anchor import ABBREVIATE_FROM, ELLIPSIS


class Anchor:
    """Maps offsets of a tool's text onto raw.txt: :meth:`span` gives raw offsets or None."""

    def __init__(self, tool: str, raw: str) -> None:
        self.tool, self.raw = tool, raw
        self.same = tool == raw
        self._blocks: list[tuple[int, int, int]] = []  # (tool start, raw start, length)
        if not self.same:
            matcher = SequenceMatcher(None, tool, raw, autojunk=False)
            self._blocks = [(a, b, n) for a, b, n in matcher.get_matching_blocks() if n]
        self._starts = [a for a, _, _ in self._blocks]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The raw offsets of the tool's ``start:end``; None when raw.txt lacks that text there."""
        if self.same:
            return start, end
        at = bisect_right(self._starts, start) - 1
        if at < 0:
            return None
        a, b, n = self._blocks[at]
        if end - a > n:  # the span runs past the stretch both texts share
            return None
        moved = (b + start - a, b + end - a)
        return moved if self.raw[moved[0] : moved[1]] == self.tool[start:end] else None


def span_text(raw: str, start: int, end: int) -> str:
    """A span's ``text`` as article.yaml writes it: the raw slice, a long one abbreviated to
    ``<first words> … <last words>`` (the validator checks both ends)."""
    text = raw[start:end]
    if end - start <= ABBREVIATE_FROM or ELLIPSIS in text or "\n" in text or "\r" in text:
        return text
    words = text.split(" ")
    if len(words) < 12:
        return text
    return f"{' '.join(words[:6])}{ELLIPSIS}{' '.join(words[-6:])}"
