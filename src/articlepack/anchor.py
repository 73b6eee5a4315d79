"""How a span's ``text`` anchors it in raw.txt: the rule that its text is at its offsets, where
else the text occurs, and what can be proved about a span that is not where it says.

The validator (:mod:`articlepack.check_spans`) words its diagnosis from these functions and
``articlepack fix`` (:mod:`articlepack.fix`) repairs by them, so a message says "fix re-anchors
it" exactly when fix would. Pure Python on short strings: the validator slices the raw text
around a failing span with polars first and passes only that window.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from articlepack.failing_rows import short
from articlepack.report import differences

ELLIPSIS = " … "  # U+2026 with a space each side: a long span's text, abbreviated
ABBREVIATE_FROM = 200  # a span longer than this may abbreviate its text
NEAR = 2_000  # characters either side of a wrong span searched for where its text really is
# An ellipsis written another way: three dots, or U+2026 without its spaces, as people type it.
_LOOSE_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")


def parts(text: str, length: int) -> tuple[str, str] | None:
    """The head and tail that must begin and end the raw text of a span of ``length`` code
    points whose text is abbreviated (split at its first :data:`ELLIPSIS`); None when the text
    is to be taken whole (a span of :data:`ABBREVIATE_FROM` characters or fewer may not be
    abbreviated)."""
    if length > ABBREVIATE_FROM and ELLIPSIS in text:
        head, tail = text.split(ELLIPSIS, 1)
        return head, tail
    return None


def matches(raw: str, start: int, end: int, text: str) -> bool:
    """Whether ``raw[start:end]`` is the span's text (or, for a long span, its abbreviation)."""
    if not 0 <= start < end <= len(raw):
        return False
    ends = parts(text, end - start)
    if ends is None:
        return raw[start:end] == text
    actual = raw[start:end]
    return actual.startswith(ends[0]) and actual.endswith(ends[1])


def placements(window: str, origin: int, start: int, end: int, text: str) -> list[tuple[int, int]]:
    """Every place in ``window`` (raw.txt from offset ``origin`` on) where the span could lie:
    each occurrence of its text or, for an abbreviated text, each occurrence of its head that
    begins a span of the same length ending with its tail."""
    ends = parts(text, end - start)
    head = text if ends is None else ends[0]
    if not head:
        return []
    found = []
    for match in re.finditer(re.escape(head), window):
        at = match.start()
        if ends is None:
            found.append((origin + at, origin + at + len(text)))
        elif at + end - start <= len(window) and window[at : at + end - start].endswith(ends[1]):
            found.append((origin + at, origin + at + end - start))
    return found


def unabbreviated(actual: str, text: str) -> str | None:
    """The text of a span whose raw text is ``actual``, when ``text`` abbreviates it in a form the
    format does not take (three dots, an ellipsis without its spaces, or any abbreviation of a
    span of :data:`ABBREVIATE_FROM` characters or fewer) and its head and tail prove it: the
    canonical ``head … tail`` for a long span, the whole text for a short one. None otherwise."""
    if not actual or matches(actual, 0, len(actual), text):
        return None
    pieces = _LOOSE_ELLIPSIS.split(text, maxsplit=1)
    if len(pieces) != 2:
        return None
    head, tail = pieces[0].rstrip(), pieces[1].lstrip()
    if not head or not tail or len(head) + len(tail) > len(actual):
        return None
    if not (actual.startswith(head) and actual.endswith(tail)):
        return None
    return actual if len(actual) <= ABBREVIATE_FROM else f"{head}{ELLIPSIS}{tail}"


def near_miss(text: str, actual: str) -> str:
    """The characters in which a span's ``text`` (or, abbreviated, its head or tail) differs from
    its raw text ``actual``, when it differs in a few single characters (a straight quote for a
    curly one, a hyphen for a dash); else empty. Its offsets are then most likely right."""
    ends = parts(text, len(actual))
    if ends is None:
        return differences(text, actual)
    head, tail = ends
    return differences(head, actual[: len(head)]) or differences(
        tail, actual[len(actual) - len(tail) :], len(text) - len(tail)
    )


def stored_offsets(raw: str, start: int, end: int) -> tuple[int, int]:
    """Offsets counted on raw.txt with each CRLF taken as one character (its LF form), moved to
    raw.txt as stored: one on for each ``\\r`` of a CRLF before them."""
    collapsed = [m.start() - n for n, m in enumerate(re.finditer("\r\n", raw))]  # LF-form places
    return start + bisect_left(collapsed, start), end + bisect_left(collapsed, end)


def mismatch(
    text: str, start: int, end: int, window: str, origin: int, shown: str, count: int
) -> str:
    """Why the span ``start:end`` is not its ``text``: which end is wrong, the characters that
    differ, or where the text occurs nearest. ``window`` is raw.txt from ``origin`` on, at least
    :data:`NEAR` characters either side of the span; ``shown`` what lies at its offsets, cut
    short; ``count`` how often its text (or head) occurs in the whole of raw.txt."""
    actual = window[start - origin : end - origin]
    message = f"{start}:{end} is {shown!r}, not {short(text)}"
    if unabbreviated(actual, text) is not None:
        if ELLIPSIS in text:
            return message + (
                f"; only a span longer than {ABBREVIATE_FROM} characters may abbreviate its "
                f"text, and this one has {end - start}: `articlepack fix --write` writes it whole"
            )
        return message + (
            f"; an abbreviated text is written `first words{ELLIPSIS}last words` (U+2026 with a "
            "space each side): `articlepack fix --write` normalises it"
        )
    differ = near_miss(text, actual)
    if differ:
        return f"{message}: {differ}"
    ends = parts(text, end - start)
    spots = placements(window, origin, start, end, text)
    fixable = "; `articlepack fix --write` re-anchors it" if len(spots) == 1 else ""
    whole = ends is None
    if whole and window[start - origin : start - origin + len(text)] == text:
        right = start + len(text)
        return message + (
            f": the start is right and the end is wrong ({_by(end - right, 'too far', 'short')}"
            f"; the text ends at {right}){fixable}"
        )
    if (
        whole
        and end - len(text) >= origin
        and window[end - len(text) - origin : end - origin] == text
    ):
        right = end - len(text)
        return message + (
            f": the end is right and the start is wrong "
            f"({_by(right - start, 'too early', 'too late')}; the text starts at {right}){fixable}"
        )
    if not count:
        return message + "; the text does not occur in raw.txt"
    if not spots:
        return message + f"; it occurs {count} times in raw.txt, none within {NEAR} characters"
    near = min(spots, key=lambda p: abs(p[0] - start))
    message += f"; found {_by(near[0] - start, 'later', 'earlier')}, at {near[0]}:{near[1]}"
    if len(spots) > 1:
        message += f" ({len(spots)} occurrences within {NEAR} characters)"
    return message + fixable


def _by(shift: int, positive: str, negative: str) -> str:
    """``3 characters later``: a non-zero shift in words."""
    n = abs(shift)
    return f"{n} character{'s' if n != 1 else ''} {positive if shift > 0 else negative}"
