"""The Croissant RAI vocabulary as articlepack answers it: each property, and where its answer
comes from (``data/rai.yaml``).

The vocabulary itself, ``data/croissant_rai.ttl``, is a copy of the one MLCommons publishes; it
is kept beside the table so that a test can check that a release answers every property it
defines. ``validate`` reads :func:`written` to know which ``rai.*`` keys of ``dataset.yaml``
a maintainer may write; the build assembles the answers (:mod:`articlepack.builder.facts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Source = Literal["corpus", "guidelines", "articlepack", "dataset"]
SOURCES: tuple[Source, ...] = ("corpus", "guidelines", "articlepack", "dataset")
NAMESPACE = "http://mlcommons.org/croissant/RAI/"
NOT_RECORDED = "Not recorded."


@dataclass(frozen=True)
class Property:
    """One RAI property: its card label, where its answer comes from, and its fixed statement."""

    name: str
    label: str
    sources: tuple[Source, ...]
    listed: bool = False  # a list of terms rather than prose
    statement: str | None = None  # what articlepack says of every release, when "articlepack"


@cache
def properties() -> dict[str, Property]:
    """Every RAI property articlepack answers, in the order of ``data/rai.yaml``."""
    import yaml

    text = resources.files("articlepack").joinpath("data/rai.yaml").read_text("utf-8")
    table = yaml.safe_load(text)
    out = {}
    for name, entry in table.items():
        sources = tuple(entry["from"])
        unknown = set(sources) - set(SOURCES)
        if unknown or ("articlepack" in sources) != bool(entry.get("articlepack")):
            raise ValueError(f"data/rai.yaml: {name} has a bad `from` or `articlepack` entry")
        out[str(name)] = Property(
            name=str(name),
            label=str(entry["label"]),
            sources=sources,
            listed=bool(entry.get("list", False)),
            statement=str(entry["articlepack"]).strip() if "articlepack" in sources else None,
        )
    return out


def written() -> tuple[str, ...]:
    """The properties a maintainer may answer under ``rai:`` in ``corpus/dataset.yaml``."""
    return tuple(name for name, p in properties().items() if "dataset" in p.sources)


def vocabulary() -> str:
    """The Croissant RAI vocabulary (Turtle), as packaged in ``data/croissant_rai.ttl``."""
    return resources.files("articlepack").joinpath("data/croissant_rai.ttl").read_text("utf-8")
