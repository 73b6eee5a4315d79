"""Documents compared without the tools' ids, which a tool may renumber (a CAS's xmi:id), and
projects compared after a round trip through a tool."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from articlepack.interchange.model import Document, Value


def canonical(document: Document) -> dict[str, Any]:
    """What a document says, each annotation named by its label and place instead of its id."""
    place = {span.id: (span.label, span.fragments) for span in document.spans}
    place |= {event.id: place[event.trigger] for event in document.events}
    return {
        "id": document.id,
        "annotator": document.annotator,
        "text": document.text,
        "spans": sorted(
            (
                span.label,
                span.fragments,
                attributes(span.attributes),
                span.normalizations,
                span.note,
            )
            for span in document.spans
        ),
        "events": sorted(
            (
                event.label,
                place[event.trigger],
                tuple((role, place[target]) for role, target in event.arguments),
                attributes(event.attributes),
            )
            for event in document.events
        ),
        "links": sorted(
            (link.label, place[link.source], place[link.target]) for link in document.links
        ),
        "attributes": attributes(document.attributes),
        "metadata": sorted(document.metadata.items()),
    }


def attributes(values: dict[str, Value]) -> tuple[list[tuple[str, Value]], list[str]]:
    """The valued attributes in any order; the binary ones in theirs (an array's items)."""
    return sorted((k, v) for k, v in values.items() if v is not True), [
        k for k, v in values.items() if v is True
    ]


def round_trip(
    cli: Callable[..., Any], tool: str, project: Path, work: Path, *mapping: str
) -> None:
    """Export ``project`` to ``tool``, import that back into a copy with ``--replace``: every
    published table must be the same, and nothing reported lost on either way."""
    from test_interchange_core import assert_same_tables, tables

    out, copy = work / tool, work / "copy"
    exported = cli("export", tool, str(project), "--out", str(out), *mapping)
    assert exported.exit_code == 0 and "Not exported" not in exported.output, exported.output
    shutil.copytree(project, copy)
    imported = cli("import", tool, str(out), str(copy), "--replace", *mapping)
    assert imported.exit_code == 0 and "Not carried over" not in imported.output, imported.output
    assert_same_tables(tables(project), tables(copy))
