"""A project's annotations as a tool's documents, through the mapping read backwards.

Each article becomes one :class:`Document` (its raw text, the published version's layers); each
row becomes a span, an event or a link labelled as the mapping says, and :class:`Labels` lists
what the tool must be configured with. What the mapping does not carry is reported, never
dropped silently: a field with values no label, role or attribute carries, a row no rule
labels, a reference to a row that is not exported.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from articlepack.interchange.mapping import Attribute, Layer, Mapping, Rule
from articlepack.interchange.model import Document, Event, Labels, Link, Span, Unmapped, Value
from articlepack.schema import table_of

if TYPE_CHECKING:
    from articlepack.corpus import Corpus


@dataclass
class Export:
    """What an export holds: the documents, the tool's configuration, and what it loses."""

    documents: list[Document]
    labels: Labels
    lost: list[Unmapped] = field(default_factory=list)


def export(corpus: Corpus, mapping: Mapping) -> Export:
    """The documents of every article of a (valid) corpus, and the labels they use."""
    document = mapping.document.table
    registry_table = table_of(corpus.schemas, "registry")
    registry = (
        {r["id"]: r for r in corpus.tables[registry_table].to_dicts()} if registry_table else {}
    )
    rows = {t: _by_article(corpus, t) for t in mapping.layers}
    lists = _lists(corpus, mapping)
    raws = dict(zip(corpus.raw["article_id"], corpus.raw["raw"], strict=True))
    out = Export([], _labels(corpus, mapping))
    for doc_row in corpus.tables[document].sort("id").to_dicts():
        article = doc_row["id"]
        builder = _Article(mapping, registry, lists, out.lost, article)
        builder.document(doc_row)
        for table in mapping.schemas:
            if table in mapping.layers:
                builder.layer(mapping.layers[table], rows[table].get(article, []))
        out.documents.append(builder.finish(raws.get(article, ""), doc_row))
    out.lost += _not_carried(corpus, mapping)
    return out


def _by_article(corpus: Corpus, table: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in corpus.tables[table].to_dicts():
        found[row["article_id"]].append(row)
    return found


def _lists(corpus: Corpus, mapping: Mapping) -> dict[tuple[str, str, str], dict[str, list[Any]]]:
    """(table, article, row id) -> list key -> the ids another table unnests from it."""
    out: dict[tuple[str, str, str], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for name, schema in corpus.schemas.items():
        source = schema.source
        if source.kind != "unnest" or source.key not in mapping.layers:
            continue
        keys = {role: key for key, role in source.lists.items()}
        parent = next(iter(source.parent), "")  # the column holding the parent row's id
        for row in corpus.tables[name].to_dicts():
            key = (source.key or "", row["article_id"], row[parent])
            out[key][keys[row[source.role or ""]]].append(row[source.value or ""])
    return out


class _Article:
    """One article's document, built a layer at a time."""

    def __init__(
        self,
        mapping: Mapping,
        registry: dict[str, dict[str, Any]],
        lists: dict[tuple[str, str, str], dict[str, list[Any]]],
        lost: list[Unmapped],
        article: str,
    ) -> None:
        self.mapping, self.registry, self.lists, self.lost = mapping, registry, lists, lost
        self.article = article
        self.spans: list[Span] = []
        self.events: list[Event] = []
        self.links: list[Link] = []
        self.made: dict[tuple[str, str], str] = {}  # (table, row id) -> tool id
        self.shared: dict[tuple[str, int, int], str] = {}  # an argument span, made once
        self.attributes: dict[str, Value] = {}
        self.metadata: dict[str, Value] = {}

    def lose(self, where: str, kind: str, reason: str) -> None:
        self.lost.append(Unmapped(f"corpus/articles/{self.article}", where, kind, reason))

    def span(self, label: str, start: int, end: int, **extra: Any) -> str:
        tool_id = f"T{len(self.spans) + 1}"
        self.spans.append(Span(tool_id, label, ((start, end),), **extra))
        return tool_id

    def document(self, row: dict[str, Any]) -> None:
        schema = self.mapping.schemas[self.mapping.document.table]
        spans = {s.text: s for s in schema.spans}
        for label, column in self.mapping.document.spans.items():
            span = spans[column]
            if row.get(span.raw_start) is not None and row.get(span.raw_end) is not None:
                self.span(label, row[span.raw_start], row[span.raw_end])
        _carry(self.mapping.document.attributes, row, self.attributes)
        for key, attribute in self.mapping.document.metadata.items():
            if row.get(attribute.column) is not None:
                self.metadata[key] = attribute.to_tool(row[attribute.column])

    def layer(self, layer: Layer, rows: list[dict[str, Any]]) -> None:
        schema = self.mapping.schemas[layer.table]
        spans = {s.text: s for s in schema.spans}
        for row in rows:
            where = f"{layer.table} {row.get('id', row.get(layer.index or '', ''))}"
            rule, label = self.label(layer, row)
            if rule is None or label is None:
                self.lose(where, "unlabelled", "no rule of the mapping gives this row a label")
                continue
            attributes: dict[str, Value] = {}
            _carry(layer.attributes, row, attributes)
            if layer.kind == "link":
                source = self.made.get((layer.targets[rule.source or ""], row[rule.source or ""]))
                target = self.made.get((layer.targets[rule.target or ""], row[rule.target or ""]))
                if source is None or target is None:
                    self.lose(where, "dangling-relation", "its source or target is not exported")
                    continue
                self.links.append(Link(f"R{len(self.links) + 1}", label, source, target))
                continue
            span = spans[rule.span or ""]
            start, end = row[span.raw_start], row[span.raw_end]
            if layer.kind == "span":
                norms = self.normalizations(layer, row)
                tool_id = self.span(label, start, end, attributes=attributes, normalizations=norms)
            else:
                trigger = self.span(label, start, end)
                tool_id = f"E{len(self.events) + 1}"
                arguments = self.arguments(layer, row, spans, where)
                self.events.append(Event(tool_id, label, trigger, arguments, attributes))
            if "id" in row:
                self.made[(layer.table, row["id"])] = tool_id

    def label(self, layer: Layer, row: dict[str, Any]) -> tuple[Rule | None, str | None]:
        """The first rule that labels ``row``, and its label."""
        for rule in layer.rules:
            if any(row.get(c) != v for c, v in rule.fixed.items()):
                continue
            if not rule.label_from:
                return rule, rule.label
            value = row.get(rule.label_from[0])
            if len(rule.label_from) == 2:
                value = self.registry.get(value or "", {}).get(rule.label_from[1])
            label = rule.tool_label(value)
            if label is not None:
                return rule, label
        return None, None

    def normalizations(self, layer: Layer, row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        out = []
        for column, reference in layer.references.items():
            entry = row.get(column)
            if entry is None:
                continue
            if reference.resource:
                out.append((reference.resource, str(entry)))
            for resource, field_name in reference.lookup.items():
                value = self.registry.get(entry, {}).get(field_name)
                if value not in (None, ""):
                    out.append((resource, str(value)))
        return tuple(out)

    def arguments(
        self, layer: Layer, row: dict[str, Any], spans: dict[str, Any], where: str
    ) -> tuple[tuple[str, str], ...]:
        out = []
        lists = self.lists.get((layer.table, self.article, row.get("id", "")), {})
        for role in layer.roles.values():
            if role.kind == "span":
                span = spans[role.column]
                start, end = row.get(span.raw_start), row.get(span.raw_end)
                if start is not None and end is not None:
                    key = (role.name, start, end)
                    if key not in self.shared:
                        self.shared[key] = self.span(role.name, start, end)
                    out.append((role.name, self.shared[key]))
                continue
            targets = lists.get(role.column, []) if role.kind == "list" else [row.get(role.column)]
            for target in targets:
                if target is None:
                    continue
                tool_id = self.made.get((role.target or "", target))
                if tool_id is None:
                    self.lose(
                        where, "dangling-relation", f"its {role.name} {target} is not exported"
                    )
                else:
                    out.append((role.name, tool_id))
        return tuple(out)

    def finish(self, raw: str, row: dict[str, Any]) -> Document:
        return Document(
            id=self.article,
            text=raw,
            source=f"corpus/articles/{self.article}",
            spans=tuple(self.spans),
            links=tuple(self.links),
            events=tuple(self.events),
            attributes=self.attributes,
            metadata=self.metadata,
        )


def _carry(attributes: Any, row: dict[str, Any], out: dict[str, Value]) -> None:
    """Put a row's values into tool attributes (an array as one binary flag per item)."""
    for attribute in attributes.values():
        value = row.get(attribute.column)
        if attribute.flags:
            for item in value or []:
                out[attribute.flag(item)] = True
        elif value is not None:
            out[attribute.name] = attribute.to_tool(value)


def _labels(corpus: Corpus, mapping: Mapping) -> Labels:
    """Every label, role and attribute value the tool must know to show the project."""
    spans = list(mapping.document.spans)
    events: dict[str, tuple[str, ...]] = {}
    links: list[str] = []
    attributes: dict[str, tuple[str, ...]] = {}
    owners: dict[str, tuple[str, ...]] = {}

    def declare(attribute: Attribute, table: str, labels: list[str]) -> None:
        column = corpus.tables[table][attribute.column]
        if attribute.flags:
            column = column.explode()
        seen = sorted(column.drop_nulls().unique().to_list(), key=str)
        values = attribute.enum or tuple(seen)
        names: dict[str, tuple[str, ...]]
        if attribute.flags:
            names = {attribute.flag(item): () for item in values}
        else:
            names = {attribute.name: tuple(str(attribute.to_tool(v)) for v in values)}
        attributes.update(names)
        owners.update(dict.fromkeys(names, tuple(labels)))

    for table, layer in mapping.layers.items():
        labels = [label for rule in layer.rules for label in rule.labels()]
        if layer.kind == "span":
            spans += labels
        elif layer.kind == "event":
            events.update(dict.fromkeys(labels, tuple(layer.roles)))
            spans += [r.name for r in layer.roles.values() if r.kind == "span"]
        else:
            links += labels
        for attribute in layer.attributes.values():
            declare(attribute, table, labels)
    for attribute in mapping.document.attributes.values():
        declare(attribute, mapping.document.table, [])
    return Labels(
        tuple(dict.fromkeys(spans)), tuple(dict.fromkeys(links)), events, attributes, owners
    )


def _not_carried(corpus: Corpus, mapping: Mapping) -> list[Unmapped]:
    """One entry per field (or layer) with values that the mapping does not carry."""
    out = []
    lists = [t for t, s in corpus.schemas.items() if s.source.kind == "list"]
    for table in lists:
        frame = corpus.tables[table]
        if table not in mapping.layers:
            if frame.height:
                reason = f"{frame.height} rows: the mapping carries no {table}"
                out.append(Unmapped("corpus", table, "not-carried", reason))
            continue
        schema, layer = corpus.schemas[table], mapping.layers[table]
        carried = set(layer.columns) | schema.context | {"_file", "_path"}
        for span in schema.spans:
            if span.text in carried:
                carried |= {span.raw_start, span.raw_end}
        counts = Counter(
            {c: frame.height - frame[c].null_count() for c in frame.columns if c not in carried}
        )
        for column, n in sorted(counts.items()):
            if n:
                reason = f"{n} values: no label, role or attribute of the mapping carries it"
                out.append(Unmapped("corpus", f"{table}.{column}", "not-carried", reason))
    return out
