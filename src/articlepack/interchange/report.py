"""The import report: every annotation that was not carried over, and why, as a file and as
lines for the terminal, with counts per kind."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from articlepack.interchange.model import Unmapped

#: the kinds of :class:`Unmapped` the core reports, and what each means (docs/importing.md)
KINDS = {
    "unmapped-label": "a span, event or relation label without a mapping",
    "unmapped-role": "an event role without a mapping (or of the wrong kind)",
    "unmapped-attribute": "an attribute without a mapping",
    "unmapped-value": "an attribute value that the field does not allow",
    "unmapped-normalization": "a normalization no reference of the layer resolves",
    "unmapped-note": "a free-text note: the scheme has no place for it",
    "unresolved-reference": "a span whose normalizations name no registry entry",
    "label-conflict": "a label that disagrees with the registry entry it refers to",
    "forbidden-overlap": "an overlap the scheme forbids (body segments)",
    "discontinuous": "a discontinuous span: the scheme's spans have one fragment",
    "dangling-relation": "a relation or argument to an annotation that is not imported",
    "outside-body": "an annotation outside the article's body segments",
    "incomplete": "a row without a field the scheme requires",
    "duplicate": "a second value where the scheme holds one",
    "text-changed": "a span whose text is not at its place in raw.txt",
    "unlabelled": "(export) a row no rule of the mapping labels",
    "not-carried": "(export) a field, layer or feature the mapping or format does not carry",
}
_MARK = "articlepack import report"


def counts(unmapped: list[Unmapped]) -> dict[str, int]:
    return dict(sorted(Counter(u.kind for u in unmapped).items()))


def lines(unmapped: list[Unmapped], limit: int = 30) -> list[str]:
    """Counts per kind, then each entry (the first ``limit``)."""
    out = [f"  {kind:<24} {n}" for kind, n in counts(unmapped).items()]
    for u in unmapped[:limit]:
        out.append(f"  {u.source} {u.tool_id}: {u.kind}: {u.reason}")
    if len(unmapped) > limit:
        out.append(f"  … and {len(unmapped) - limit} more in the report file")
    return out


def write(path: Path, unmapped: list[Unmapped], **facts: Any) -> None:
    """Write the report file (only over a report articlepack wrote)."""
    if path.exists():
        try:
            ours = json.loads(path.read_text(encoding="utf-8")).get("about") == _MARK
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise FileExistsError(f"{path} exists and is not an import report; choose --report")
    body = {
        "about": _MARK,
        **facts,
        "counts": counts(unmapped),
        "unmapped": [asdict(u) for u in unmapped],
    }
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
