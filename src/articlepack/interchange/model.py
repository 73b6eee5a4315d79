"""The neutral form of an annotation tool's documents, between a tool's files and a project.

Each tool module (brat, doccano, labelstudio, inception) only translates between its files and
these classes; the mapping onto a project's layers (and back) is done once, for every tool, on
this form. Offsets here are always code points into ``Document.text``: a reader converts the
tool's units (Label Studio counts UTF-16 code units) before it builds a :class:`Span`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from articlepack.errors import ArticlepackError

Value = str | bool | int | float  # attribute values are scalars: a list travels as binary flags


class ToolFileError(ArticlepackError, ValueError):
    """A tool's file that cannot be read as that tool writes it; names the file and line."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass(frozen=True)
class Span:
    """A labelled text span: one fragment, or several for a discontinuous annotation."""

    id: str  # the tool's own id: T3, a Label Studio result id, a CAS xmi:id
    label: str  # the tool's label or type
    fragments: tuple[tuple[int, int], ...]  # (start, end) code points, in text order
    attributes: dict[str, Value] = field(default_factory=dict)  # brat A/M, LS per-region choices
    normalizations: tuple[tuple[str, str], ...] = ()  # (resource, id), e.g. ("Wikidata", "Q7747")
    note: str | None = None  # brat '#' notes, free-text fields


@dataclass(frozen=True)
class Link:
    """A directed relation between two spans (brat R, Label Studio relation, CAS relation)."""

    id: str
    label: str
    source: str  # span id
    target: str  # span id


@dataclass(frozen=True)
class Event:
    """An event: a trigger span and role-labelled arguments (brat E, a CAS slot feature)."""

    id: str
    label: str
    trigger: str  # span id
    arguments: tuple[tuple[str, str], ...] = ()  # (role, span or event id), in tool order
    attributes: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """One annotator's annotations of one text, as a tool holds them."""

    id: str  # the article id the document maps to
    text: str  # the tool's text, exactly (written byte-exact as raw.txt)
    source: str  # the file it was read from, for reports
    annotator: str | None = None  # None when the tool does not say
    spans: tuple[Span, ...] = ()
    links: tuple[Link, ...] = ()
    events: tuple[Event, ...] = ()
    attributes: dict[str, Value] = field(default_factory=dict)  # document-level choices
    metadata: dict[str, Value] = field(default_factory=dict)  # what the tool carries (title, url)


@dataclass(frozen=True)
class Labels:
    """What a tool must be configured with to show a project's annotations (for exports)."""

    spans: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    events: dict[str, tuple[str, ...]] = field(default_factory=dict)  # event label -> roles
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> values;
    # () is a binary attribute (present or not)
    attribute_labels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> labels


@dataclass(frozen=True)
class Unmapped:
    """One tool annotation that could not be carried over, and why: a line of the import report."""

    source: str  # file
    tool_id: str  # the tool's id of the annotation
    kind: str  # e.g. unmapped-label, forbidden-overlap, discontinuous, dangling-relation
    reason: str
