"""The mapping file: a tool's labels, roles and attributes onto a project's layers and fields.

A mapping is YAML, checked against the project's schemas when it is loaded, so that a typo in a
layer, field or enum value is an error that names the mapping file and line, not a silent loss::

    layers:                        # one entry per list table of article.yaml that a tool carries
      mentions:
        spans: [{label_from: entity_id.type}]   # a span's label is its entity's type
        references: {entity_id: {resource: entities, lookup: {Wikidata: wikidata}, create: {name: text}}}
      events:
        events: [{label_from: type, trigger: trigger}]  # an event's label is its `type`
        roles: {Actor: actors, Location: location, Time: date_evidence}
        attributes: {Realis: realis, Context: context}
    document:                      # the table of one row per article
      spans: {Title: title}
      annotators: annotators
      attributes: {}               # document-level choices -> fields
      metadata: {}                 # what the tool keeps beside the text -> fields

A layer's rows travel as tool spans (``spans``), events (``events``: a trigger and role-labelled
arguments) or links (``links``: ``source`` and ``target`` reference fields). A rule gives its
label (``label``, with fields it ``set``\\s) or takes it from an enum field (``label_from``, with
``values`` renaming tool labels). ``roles`` map an event's roles onto span fields, references to
other layers, or lists that another table unnests; ``attributes`` map tool attributes onto fields
(an array field travels as one binary attribute per item, ``<Name>_<item>``); ``references`` say
how a reference to the registry is resolved from a span's normalizations.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articlepack import _yaml
from articlepack.errors import ArticlepackError
from articlepack.schema import TableSchema

DEFAULT = "data/mappings/default.yaml"


class MappingError(ArticlepackError, ValueError):
    """A mapping file that does not fit the project's schemas; names the file and line."""


@dataclass(frozen=True)
class Rule:
    """Which tool label makes a row of ``layer`` (or fills a span of the document)."""

    kind: str  # span | event | link
    layer: str
    label: str | None = None
    label_from: tuple[str, ...] = ()  # (column,) or (reference column, registry column)
    choices: tuple[str, ...] = ()  # the project values of the label_from field
    values: MappingType[str, str] = field(default_factory=dict)  # tool label -> project value
    fixed: MappingType[str, Any] = field(default_factory=dict)  # column -> value (`set`)
    span: str | None = None  # the span (text column) a span or trigger fills
    source: str | None = None  # links: the reference columns
    target: str | None = None

    def labels(self) -> list[str]:
        """Every tool label this rule takes."""
        if self.label is not None:
            return [self.label]
        inverse = {v: k for k, v in reversed(list(self.values.items()))}
        return [inverse.get(value, value) for value in self.choices]

    def project_value(self, label: str) -> str:
        """The value of the ``label_from`` field a tool label stands for."""
        return self.values.get(label, label)

    def tool_label(self, value: Any) -> str | None:
        """The tool label of a project value of the ``label_from`` field (None: none fits)."""
        if value not in self.choices:
            return None
        return next((k for k, v in self.values.items() if v == value), str(value))


@dataclass(frozen=True)
class Attribute:
    """A tool attribute carried by a field; an array field travels as binary flags."""

    name: str
    column: str
    kind: str  # the field's Table Schema type
    enum: tuple[str, ...] = ()  # the allowed values (of the items, for an array)
    values: MappingType[str, Any] = field(default_factory=dict)  # tool value -> project value

    @property
    def flags(self) -> bool:
        return self.kind == "array"

    def flag(self, item: Any) -> str:
        """The binary attribute that carries one item of an array field."""
        return f"{self.name}_{self._tool(item)}"

    def to_project(self, value: Any) -> Any:
        """The project's value of a tool value; :class:`ValueError` says why there is none."""
        value = self.values.get(str(value), value)
        kind = "string" if self.flags else self.kind
        try:
            if kind == "integer" and not isinstance(value, bool):
                value = int(value)
            elif kind == "number" and not isinstance(value, bool):
                value = float(value) if not isinstance(value, int) else value
            elif kind == "boolean":
                value = {"true": True, "false": False}.get(str(value).lower(), value)
                if not isinstance(value, bool):
                    raise ValueError
            else:
                value = str(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not {kind} for {self.column}") from None
        if self.enum and value not in self.enum:
            raise ValueError(f"{value!r} is not an allowed value of {self.column}")
        return value

    def to_tool(self, value: Any) -> Any:
        """The tool's value of a project value (the first tool value mapped onto it)."""
        return self._tool(value) if isinstance(value, str) else value

    def _tool(self, value: Any) -> str:
        inverse = {v: k for k, v in reversed(list(self.values.items()))}
        return str(inverse.get(value, value))


@dataclass(frozen=True)
class Reference:
    """How a reference to the registry is resolved from a span's normalizations."""

    column: str
    resource: str | None = None  # a normalization to it names the registry id itself
    lookup: MappingType[str, str] = field(default_factory=dict)  # resource -> registry column
    match: tuple[str, ...] = ()  # registry columns the span's text is looked up in
    create: MappingType[str, str] = field(default_factory=dict)  # registry column -> "text"


@dataclass(frozen=True)
class Role:
    """What an event's role fills: a span, a reference to another layer, or a list of them."""

    name: str
    kind: str  # span | reference | list
    column: str  # span text column, reference column or list key
    target: str | None = None  # the referenced table (reference, list)


@dataclass(frozen=True)
class Layer:
    """One list table of article.yaml and how its rows travel."""

    table: str
    key: str  # its list key in article.yaml
    kind: str  # span | event | link
    rules: tuple[Rule, ...]
    roles: MappingType[str, Role] = field(default_factory=dict)
    attributes: MappingType[str, Attribute] = field(default_factory=dict)
    references: MappingType[str, Reference] = field(default_factory=dict)
    targets: MappingType[str, str] = field(default_factory=dict)  # reference/list -> its table
    prefix: str | None = None  # ids are prefix + number; None: the rows have no id
    index: str | None = None  # the column that numbers the rows
    overlaps: bool = True  # False: the scheme forbids overlapping rows

    @property
    def columns(self) -> frozenset[str]:
        """The fields (and list keys) a tool carries, which an import sets and nothing else."""
        names = {"id", *self.roles_columns, *self.references}
        names |= {a.column for a in self.attributes.values()}
        for rule in self.rules:
            names |= {*rule.fixed, *rule.label_from[:1]}
            names |= {c for c in (rule.span, rule.source, rule.target) if c}
        return frozenset(names)

    @property
    def roles_columns(self) -> frozenset[str]:
        return frozenset(role.column for role in self.roles.values())


@dataclass(frozen=True)
class Document:
    """The table of one row per article: what a tool carries of it."""

    table: str
    spans: MappingType[str, str] = field(default_factory=dict)  # label -> span text column
    annotators: str | None = None
    attributes: MappingType[str, Attribute] = field(default_factory=dict)
    metadata: MappingType[str, Attribute] = field(default_factory=dict)  # tool key -> field


@dataclass(frozen=True)
class Mapping:
    """A checked mapping: the project's layers as a tool's labels."""

    file: str
    schemas: MappingType[str, TableSchema]
    layers: MappingType[str, Layer]
    document: Document
    registry: str | None
    labels: MappingType[tuple[str, str], Rule]  # (kind, tool label) -> the rule that takes it

    def rule(self, kind: str, label: str) -> Rule | None:
        """The rule that takes a tool label of ``kind`` (span, event, link), if any."""
        return self.labels.get((kind, label))

    def layer_of(self, rule: Rule) -> Layer | None:
        """The layer a rule makes rows of (None: a span of the document)."""
        return self.layers.get(rule.layer)


def enum(schemas: MappingType[str, TableSchema], table: str, column: str) -> list[str]:
    """The allowed values of a field (of its items, for an array)."""
    schema = schemas[table]
    if schema.field(column).get("type") == "array":
        return list(schema.item(column).get("enum", []))
    return list(schema.field(column).get("constraints", {}).get("enum", []))


def load(path: Path | None, schemas: MappingType[str, TableSchema]) -> Mapping:
    """The mapping at ``path`` (the packaged default for the bundled scheme when None), checked
    against ``schemas``; :class:`MappingError` names the file and line of a problem."""
    if path is None:
        from importlib import resources

        name, text = DEFAULT, resources.files("articlepack").joinpath(DEFAULT).read_text("utf-8")
    else:
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MappingError(f"{name}: cannot read the mapping ({exc})") from None
    try:
        data = _yaml.loads(text)
    except _yaml.YAMLProblem as exc:
        raise MappingError(f"{name}:{exc.line or 1}: {exc.message}") from None
    from articlepack.interchange._mapping_check import Checker

    return Checker(name, text, schemas).mapping(data)
