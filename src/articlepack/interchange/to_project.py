"""A tool's document translated into rows of the project's layers, through the mapping.

Every span, event, link, attribute, normalization and note of the document either becomes part
of a row (or a field of the article) or is reported as :class:`Unmapped`, with why. Rows still
refer to each other by the tool's ids here; :mod:`articlepack.interchange.rows` settles them
(overlaps, the body, required fields, ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from articlepack.interchange.mapping import Attribute, Layer, Mapping, Rule
from articlepack.interchange.model import Document, Event, Link, Span, Unmapped, Value
from articlepack.interchange.reanchor import Anchor
from articlepack.interchange.registry import Registry


@dataclass
class Row:
    """One row of a layer, before its id is known; references hold the tool's ids."""

    table: str
    tool_id: str
    order: int
    label: dict[str, Any]  # the fields its label sets
    anchor: str | None = None  # the span column that places it in the text
    values: dict[str, Any] = field(default_factory=dict)  # column -> value
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # span column -> raw offsets
    refs: dict[str, str] = field(default_factory=dict)  # reference column -> tool id
    lists: dict[str, list[str]] = field(default_factory=dict)  # list key -> tool ids
    id: str | None = None

    @property
    def place(self) -> tuple[int, int]:
        return self.spans.get(self.anchor or "", (-1, -1))


@dataclass
class Version:
    """One annotator's annotations of one article, as rows and document fields."""

    article: str
    annotator: str | None
    source: str
    rows: dict[str, list[Row]]  # table -> rows
    fields: dict[str, Any]  # document column -> value; a span column holds raw offsets
    unmapped: list[Unmapped]


def translate(doc: Document, mapping: Mapping, raw: str, registry: Registry) -> Version:
    """The rows ``doc`` makes of the article whose raw text is ``raw``."""
    return _Translation(doc, mapping, Anchor(doc.text, raw), registry).run()


class _Translation:
    def __init__(self, doc: Document, mapping: Mapping, anchor: Anchor, registry: Registry):
        self.doc, self.mapping, self.anchor, self.registry = doc, mapping, anchor, registry
        self.spans = {s.id: s for s in doc.spans}
        self.triggers = {e.trigger for e in doc.events}
        self.arguments = self._span_arguments()
        self.version = Version(doc.id, doc.annotator, doc.source, {}, {}, [])
        self.count = 0

    def _span_arguments(self) -> set[str]:
        """The spans that are only the span arguments of mapped events (a Time, a Content)."""
        out: set[str] = set()
        for event in self.doc.events:
            rule = self.mapping.rule("event", event.label)
            roles = self.mapping.layers[rule.layer].roles if rule else {}
            out |= {t for r, t in event.arguments if r in roles and roles[r].kind == "span"}
        return out

    def lose(self, tool_id: str, kind: str, reason: str) -> None:
        self.version.unmapped.append(Unmapped(self.doc.source, tool_id, kind, reason))

    def run(self) -> Version:
        for span in self.doc.spans:
            self.span(span)
        for event in self.doc.events:
            self.event(event)
        for link in self.doc.links:
            self.link(link)
        document = self.mapping.document
        fields = self.version.fields
        self.attributes(
            fields, document.attributes, self.doc.attributes, "document", "document", empty=False
        )
        for key, value in self.doc.metadata.items():
            attribute = document.metadata.get(key)
            if attribute is not None:
                self.set_value(fields, attribute, value, "document")
        return self.version

    def row(self, table: str, tool_id: str, rule: Rule, label: str) -> Row:
        """A new row of ``table`` with the fields its label sets."""
        self.count += 1
        fixed = dict(rule.fixed)
        if len(rule.label_from) == 1:
            fixed[rule.label_from[0]] = rule.project_value(label)
        return Row(table, tool_id, self.count, fixed, rule.span, dict(fixed))

    def add(self, row: Row) -> None:
        self.version.rows.setdefault(row.table, []).append(row)

    # -- spans ---------------------------------------------------------------------------------

    def place(self, span: Span, owner: str, where: str) -> tuple[int, int] | None:
        """The raw offsets of a one-fragment span, or None (reported against ``owner``)."""
        if len(span.fragments) != 1:
            self.lose(
                owner,
                "discontinuous",
                f"{where} ({span.label} {span.id}) has {len(span.fragments)} fragments; "
                "the scheme's spans are continuous",
            )
            return None
        start, end = span.fragments[0]
        found = self.anchor.span(start, end)
        if found is None:
            self.lose(
                owner,
                "text-changed",
                f"{where} ({span.label} {span.id}, {self.doc.text[start:end]!r}) is not at its "
                "place in raw.txt, which differs from the tool's text",
            )
        return found

    def span(self, span: Span) -> None:
        rule = self.mapping.rule("span", span.label)
        if rule is None:
            if span.id not in self.triggers and span.id not in self.arguments:
                self.lose(
                    span.id, "unmapped-label", f"the span label {span.label!r} has no mapping"
                )
            return
        place = self.place(span, span.id, "the span")
        if place is None:
            return
        layer = self.mapping.layer_of(rule)
        if layer is None:  # a span of the document
            if rule.span in self.version.fields:
                self.lose(span.id, "duplicate", f"a second {span.label} span; the first is kept")
            else:
                self.version.fields[rule.span or ""] = place
            self.extras(span, span.normalizations)
            self.attributes({}, {}, span.attributes, span.id, rule.layer)
            return
        row = self.row(layer.table, span.id, rule, span.label)
        row.spans[rule.span or ""] = place
        self.attributes(row.values, layer.attributes, span.attributes, span.id, layer.table)
        unused, complete = self.references(row, layer, rule, span)
        self.extras(span, unused)
        if complete:
            self.add(row)

    def extras(self, span: Span, normalizations: tuple[tuple[str, str], ...]) -> None:
        for resource, ident in normalizations:
            self.lose(
                span.id,
                "unmapped-normalization",
                f"the normalization {resource}:{ident} has no mapping for {span.label}",
            )
        if span.note:
            self.lose(
                span.id, "unmapped-note", f"the note {span.note!r} has no place in the scheme"
            )

    def references(
        self, row: Row, layer: Layer, rule: Rule, span: Span
    ) -> tuple[tuple[tuple[str, str], ...], bool]:
        """Resolve the row's references to the registry: the normalizations left over, and
        whether the row has every reference it requires."""
        used: set[tuple[str, str]] = set()
        complete = True
        schema = self.mapping.schemas[layer.table]
        for column, reference in layer.references.items():
            implied = {}
            if len(rule.label_from) == 2 and rule.label_from[0] == column:
                implied[rule.label_from[1]] = rule.project_value(span.label)
            start, end = span.fragments[0]
            found = self.registry.resolve(
                reference, span.normalizations, self.doc.text[start:end], implied
            )
            used |= {
                n for n in span.normalizations if n[0] in {reference.resource, *reference.lookup}
            }
            if found.id is None:
                required = schema.field(column).get("constraints", {}).get("required")
                left = "; the row is left out" if required else ""
                self.lose(span.id, "unresolved-reference", f"{column}: {found.reason}{left}")
                complete = complete and not required
                continue
            row.values[column] = found.id
            if found.conflict:
                self.lose(span.id, "label-conflict", found.conflict)
        return tuple(n for n in span.normalizations if n not in used), complete

    # -- events and links ----------------------------------------------------------------------

    def event(self, event: Event) -> None:
        rule = self.mapping.rule("event", event.label)
        if rule is None:
            self.lose(event.id, "unmapped-label", f"the event type {event.label!r} has no mapping")
            return
        layer = self.mapping.layers[rule.layer]
        trigger = self.spans[event.trigger]
        place = self.place(trigger, event.id, "the trigger")
        if place is None:
            return
        row = self.row(layer.table, event.id, rule, event.label)
        row.spans[rule.span or ""] = place
        attributes = {**trigger.attributes, **event.attributes}
        self.attributes(row.values, layer.attributes, attributes, event.id, layer.table)
        self.extras(trigger, trigger.normalizations)
        for role, target in event.arguments:
            self.argument(row, layer, event.id, role, target)
        self.add(row)

    def argument(self, row: Row, layer: Layer, event: str, name: str, target: str) -> None:
        """Put an event's argument where its role's mapping says: a span of the row, a
        reference (resolved when the rows are settled), or an item of a list."""
        where = f"{event} {name}:{target}"
        role = layer.roles.get(name)
        if role is None:
            self.lose(where, "unmapped-role", f"the role {name!r} has no mapping for {layer.table}")
        elif role.column in row.spans or role.column in row.refs:
            self.lose(where, "duplicate", f"a second {name}; the first is kept")
        elif role.kind == "span":
            argument = self.spans.get(target)
            if argument is None:
                reason = f"{name} is a span of the scheme, but {target} is not a span"
                self.lose(where, "unmapped-role", reason)
            elif (found := self.place(argument, where, f"the {name}")) is not None:
                row.spans[role.column] = found
        elif role.kind == "reference":
            row.refs[role.column] = target
        else:
            row.lists.setdefault(role.column, []).append(target)

    def link(self, link: Link) -> None:
        rule = self.mapping.rule("link", link.label)
        if rule is None:
            self.lose(link.id, "unmapped-label", f"the relation type {link.label!r} has no mapping")
            return
        row = self.row(rule.layer, link.id, rule, link.label)
        row.refs[rule.source or ""] = link.source
        row.refs[rule.target or ""] = link.target
        self.add(row)

    # -- attributes ----------------------------------------------------------------------------

    def attributes(
        self,
        values: dict[str, Any],
        mapped: Any,
        given: dict[str, Value],
        owner: str,
        table: str,
        *,
        empty: bool = True,
    ) -> None:
        """Set the fields that ``given`` attributes carry; report the others. An array field
        no flag of which is given is empty (``empty``) or, for the document, left as it is."""
        flags = [a for a in mapped.values() if a.flags]
        for column in {a.column for a in flags} if empty else ():
            values.setdefault(column, [])
        for name, value in given.items():
            attribute = mapped.get(name)
            if attribute is not None and not attribute.flags:
                self.set_value(values, attribute, value, owner)
                continue
            flag = next((a for a in flags if name.startswith(f"{a.name}_")), None)
            if flag is None:
                self.lose(
                    owner,
                    "unmapped-attribute",
                    f"the attribute {name!r} has no mapping for {table}",
                )
            elif value is True or str(value).lower() == "true":
                item = name[len(flag.name) + 1 :]
                try:
                    item = flag.to_project(item)
                except ValueError as exc:
                    self.lose(owner, "unmapped-value", f"the attribute {name}: {exc}")
                    continue
                items = values.setdefault(flag.column, [])
                if item not in items:
                    items.append(item)

    def set_value(
        self, values: dict[str, Any], attribute: Attribute, value: Value, owner: str
    ) -> None:
        try:
            values[attribute.column] = attribute.to_project(value)
        except ValueError as exc:
            self.lose(owner, "unmapped-value", f"the attribute {attribute.name}: {exc}")
