"""The annotation tools articlepack reads and writes, each one module named after it.

A tool module has ``read(source) -> (documents, unmapped)`` and, if articlepack exports to it,
``write(documents, labels, out) -> paths``; it may declare ``CARRIES``, what its files can hold
(absent: everything the model holds). Modules are imported when a command needs them.
"""

from __future__ import annotations

import importlib
from collections import Counter
from types import ModuleType

from articlepack.interchange.model import Document, Unmapped

READS = ("brat", "labelstudio", "inception", "doccano")
WRITES = ("brat", "labelstudio", "inception")
#: what a document can hold beyond spans; a format without one loses it (and says so)
FEATURES = frozenset(
    {
        "fragments",
        "links",
        "events",
        "attributes",
        "normalizations",
        "notes",
        "document_attributes",
        "metadata",
    }
)


def module(name: str) -> ModuleType:
    """The module of the tool ``name``; :class:`ValueError` when articlepack has none."""
    if name not in READS:
        raise ValueError(f"unknown format {name!r} (known: {', '.join(READS)})")
    try:
        return importlib.import_module(f"articlepack.interchange.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"articlepack.interchange.{name}":
            raise ValueError(
                f"the {name} format needs the package {exc.name!r}; install it"
            ) from None
        raise ValueError(f"the {name} format is not available in this installation") from None


def carries(tool: ModuleType) -> frozenset[str]:
    return frozenset(getattr(tool, "CARRIES", FEATURES))


def losses(documents: list[Document], carried: frozenset[str], name: str) -> list[Unmapped]:
    """What the documents hold that a format cannot: one entry per feature, with its count."""
    found: Counter[str] = Counter()
    for doc in documents:
        found["fragments"] += sum(len(s.fragments) > 1 for s in doc.spans)
        found["links"] += len(doc.links)
        found["events"] += len(doc.events)
        found["attributes"] += sum(bool(s.attributes) for s in doc.spans)
        found["attributes"] += sum(bool(e.attributes) for e in doc.events)
        found["normalizations"] += sum(bool(s.normalizations) for s in doc.spans)
        found["notes"] += sum(s.note is not None for s in doc.spans)
        found["document_attributes"] += bool(doc.attributes)
        found["metadata"] += bool(doc.metadata)
    return [
        Unmapped(
            name,
            feature,
            "not-carried",
            f"{n} annotations hold {feature}, which {name} files cannot",
        )
        for feature, n in sorted(found.items())
        if n and feature not in carried
    ]
