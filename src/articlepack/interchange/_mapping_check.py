"""Checking a mapping file against the project's schemas, into a :class:`Mapping`.

Every layer, field, role and enum value the mapping names must be one the schemas declare, and
every tool label must lead to one place only; a problem raises :class:`MappingError` with the
mapping file's name and the line of the offending key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType
from typing import Any, NoReturn

from articlepack import _yaml
from articlepack.interchange.mapping import (
    Attribute,
    Document,
    Layer,
    Mapping,
    MappingError,
    Reference,
    Role,
    Rule,
    enum,
)
from articlepack.report import did_you_mean
from articlepack.schema import TableSchema, table_of
from articlepack.shape import layout

_KINDS = {"spans": "span", "events": "event", "links": "link"}
_LAYER_KEYS = (*_KINDS, "roles", "attributes", "references", "id_prefix", "overlaps")
_RULE_KEYS = {
    "span": ("label", "label_from", "values", "set", "span"),
    "event": ("label", "label_from", "values", "set", "trigger"),
    "link": ("label", "label_from", "values", "set", "source", "target"),
}
Path = tuple[str | int, ...]


class Checker:
    """Reads one mapping document; each method checks one part of it."""

    def __init__(self, file: str, text: str, schemas: MappingType[str, TableSchema]) -> None:
        self.file, self.text, self.schemas = file, text, schemas
        self.layout = layout(schemas)
        self.document = table_of(schemas, "document") or ""
        self.registry = table_of(schemas, "registry")

    def fail(self, path: Path, message: str) -> NoReturn:
        line = _yaml.line_of(self.text, path) or 1
        raise MappingError(f"{self.file}:{line}: {message}")

    def keys(self, data: Any, path: Path, allowed: tuple[str, ...]) -> dict[str, Any]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.fail(path, f"expected a mapping with the keys {', '.join(allowed)}")
        for key in data:
            if key not in allowed:
                self.fail(
                    (*path, key),
                    f"unknown key {key!r} (allowed: {', '.join(allowed)})"
                    + did_you_mean(key, allowed),
                )
        return data

    def pairs(self, data: Any, path: Path) -> dict[str, Any]:
        """A mapping of names; its keys are strings."""
        if data is None:
            return {}
        if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
            self.fail(path, "expected a mapping of names")
        return data

    def mapping(self, data: Any) -> Mapping:
        top = self.keys(data, (), ("layers", "document"))
        tables = {table: key for key, table in self.layout.lists.items()}
        layers = {}
        for table, spec in self.pairs(top.get("layers"), ("layers",)).items():
            if table not in tables:
                self.fail(
                    ("layers", table),
                    f"{table!r} is not a list table of article.yaml (these are: "
                    f"{', '.join(tables)})" + did_you_mean(table, tables),
                )
            layers[table] = self.layer(table, tables[table], spec, ("layers", table))
        document = self.document_map(top.get("document"), ("document",))
        labels = self.labels(layers, document)
        return Mapping(self.file, self.schemas, layers, document, self.registry, labels)

    # -- a layer -------------------------------------------------------------------------------

    def layer(self, table: str, key: str, spec: Any, path: Path) -> Layer:
        spec = self.keys(spec, path, _LAYER_KEYS)
        kinds = [k for k in _KINDS if spec.get(k)]
        if len(kinds) != 1:
            self.fail(path, "a layer travels as exactly one of: spans, events, links")
        kind = _KINDS[kinds[0]]
        items = spec[kinds[0]]
        if not isinstance(items, list):
            self.fail((*path, kinds[0]), "expected a list of rules")
        rules = tuple(
            self.rule(kind, table, item, (*path, kinds[0], i)) for i, item in enumerate(items)
        )
        schema = self.schemas[table]
        roles = {
            name: self.role(table, name, column, (*path, "roles", name))
            for name, column in self.pairs(spec.get("roles"), (*path, "roles")).items()
        }
        if roles and kind != "event":
            self.fail((*path, "roles"), "only a layer that travels as events has roles")
        attributes = self.attributes(table, spec.get("attributes"), (*path, "attributes"))
        references = {
            column: self.reference(table, column, value, (*path, "references", column))
            for column, value in self.pairs(spec.get("references"), (*path, "references")).items()
        }
        prefix = spec.get("id_prefix", key[0])
        if "id" in schema.columns:
            pattern = schema.field("id").get("constraints", {}).get("pattern")
            if not isinstance(prefix, str) or (pattern and not re.search(pattern, f"{prefix}1")):
                self.fail(
                    (*path, "id_prefix"),
                    f"ids {prefix}1, {prefix}2 … break {table}.id's "
                    f"pattern {pattern}; set id_prefix",
                )
        overlaps = spec.get("overlaps", not schema.body)
        if not isinstance(overlaps, bool) or (overlaps and schema.body):
            self.fail((*path, "overlaps"), "overlaps is true or false (the body forbids them)")
        return Layer(
            table,
            key,
            kind,
            rules,
            roles,
            attributes,
            references,
            {**self.references_of(table), **self.lists_of(table)},
            prefix if "id" in schema.columns else None,
            schema.source.index,
            overlaps,
        )

    def rule(self, kind: str, table: str, data: Any, path: Path) -> Rule:
        data = self.keys(data, path, _RULE_KEYS[kind])
        schema = self.schemas[table]
        if ("label" in data) == ("label_from" in data):
            self.fail(path, "a rule has either `label` (one tool label) or `label_from` (a field)")
        label = data.get("label")
        if label is not None and (not isinstance(label, str) or not label):
            self.fail((*path, "label"), "a label is a non-empty string")
        label_from: tuple[str, ...] = ()
        allowed: list[str] = []
        values = self.pairs(data.get("values"), (*path, "values"))
        if "label_from" in data:
            label_from, allowed = self.label_from(table, data["label_from"], (*path, "label_from"))
            for tool, value in values.items():
                if value not in allowed:
                    self.fail(
                        (*path, "values", tool),
                        f"{value!r} is not a value of "
                        f"{'.'.join(label_from)}" + did_you_mean(value, allowed),
                    )
        elif values:
            self.fail((*path, "values"), "`values` renames the labels of a `label_from` rule")
        fixed = self.pairs(data.get("set"), (*path, "set"))
        for column, value in fixed.items():
            self.value(table, column, value, (*path, "set", column))
        spans = [s.text for s in schema.spans]
        item = [
            s.text for s in schema.spans if (s.raw_start, s.raw_end) == ("raw_start", "raw_end")
        ]
        span = None  # a link has no place in the text of its own
        if kind != "link":
            span = data.get("span" if kind == "span" else "trigger", next(iter(item + spans), None))
        if kind != "link" and span not in spans:
            where = (*path, "span" if kind == "span" else "trigger")
            self.fail(where, f"{span!r} is not a span of {table} (its spans: {', '.join(spans)})")
        ends = {}
        if kind == "link":
            references = self.references_of(table)
            for end in ("source", "target"):
                if data.get(end) not in references:
                    self.fail(
                        (*path, end),
                        f"a link's {end} is a reference field of {table} "
                        f"(one of: {', '.join(references)})",
                    )
                ends[end] = data[end]
        return Rule(kind, table, label, label_from, tuple(allowed), values, fixed, span, **ends)

    def label_from(self, table: str, value: Any, path: Path) -> tuple[tuple[str, ...], list[str]]:
        """A ``label_from`` field (or ``reference.registry_field``) and the values it takes."""
        parts = tuple(str(value).split("."))
        choices: list[str] = []
        if len(parts) == 1 and parts[0] in self.schemas[table].columns:
            choices = enum(self.schemas, table, parts[0])
        elif (
            len(parts) == 2
            and self.registry
            and parts[0] in self.registry_columns(table)
            and parts[1] in self.schemas[self.registry].columns
        ):
            choices = enum(self.schemas, self.registry, parts[1])
        if not choices:
            self.fail(
                path,
                f"{value!r} is neither an enum field of {table} nor "
                "<reference field>.<enum field of the registry>",
            )
        return parts, choices

    def role(self, table: str, name: str, column: Any, path: Path) -> Role:
        schema = self.schemas[table]
        if column in [s.text for s in schema.spans]:
            return Role(name, "span", column)
        references = self.references_of(table)
        if column in references:
            return Role(name, "reference", column, references[column])
        lists = self.lists_of(table)
        if column in lists:
            return Role(name, "list", column, lists[column])
        choices = [s.text for s in schema.spans] + list(references) + list(lists)
        self.fail(
            path,
            f"{column!r} is not a span, a reference or a list of {table} (these are: "
            f"{', '.join(choices)})" + did_you_mean(column, choices),
        )

    def attributes(self, table: str, data: Any, path: Path) -> dict[str, Attribute]:
        out = {}
        for name, spec in self.pairs(data, path).items():
            spec = spec if isinstance(spec, dict) else {"field": spec}
            spec = self.keys(spec, (*path, name), ("field", "values"))
            column = spec.get("field")
            schema = self.schemas[table]
            usable = [c for c in schema.columns if c not in schema.derived | schema.context]
            if column not in usable or column == "id":
                self.fail(
                    (*path, name),
                    f"{column!r} is not a field of {table}" + did_you_mean(column, usable),
                )
            kind = schema.field(column).get("type", "string")
            attribute = Attribute(
                name,
                column,
                kind,
                tuple(enum(self.schemas, table, column)),
                self.pairs(spec.get("values"), (*path, name, "values")),
            )
            for tool, value in attribute.values.items():
                if attribute.enum and value not in attribute.enum:
                    self.fail(
                        (*path, name, "values", tool),
                        f"{value!r} is not a value of "
                        f"{column}" + did_you_mean(value, attribute.enum),
                    )
            out[name] = attribute
        return out

    def reference(self, table: str, column: str, data: Any, path: Path) -> Reference:
        if column not in self.registry_columns(table) or not self.registry:
            self.fail(path, f"{column!r} is not a field of {table} that refers to the registry")
        data = self.keys(data, path, ("resource", "lookup", "match", "create"))
        registry = self.schemas[self.registry].columns
        lookup = self.pairs(data.get("lookup"), (*path, "lookup"))
        match = data.get("match") or []
        if not isinstance(match, list) or any(m not in registry for m in match):
            self.fail((*path, "match"), f"match lists fields of {self.registry} (its names)")
        create = self.pairs(data.get("create"), (*path, "create"))
        for resource, target in lookup.items():
            if target not in registry:
                self.fail(
                    (*path, "lookup", resource),
                    f"{target!r} is not a field of "
                    f"{self.registry}" + did_you_mean(target, registry),
                )
        for target, source in create.items():
            if target not in registry or source != "text":
                self.fail(
                    (*path, "create", target),
                    f"create maps a field of {self.registry} onto `text` (the span's text)",
                )
        resource = data.get("resource")
        if resource is not None and not isinstance(resource, str):
            self.fail((*path, "resource"), "a resource is a name, such as `entities`")
        return Reference(column, resource, lookup, tuple(match), create)

    def value(self, table: str, column: str, value: Any, path: Path) -> None:
        schema = self.schemas[table]
        if column not in schema.columns or column in schema.derived | schema.context:
            self.fail(
                path, f"{column!r} is not a field of {table}" + did_you_mean(column, schema.columns)
            )
        try:
            Attribute(
                column,
                column,
                schema.field(column).get("type", "string"),
                tuple(enum(self.schemas, table, column)),
            ).to_project(value)
        except ValueError as exc:
            self.fail(path, str(exc))

    # -- what the schemas say about references --------------------------------------------------

    def references_of(self, table: str) -> dict[str, str]:
        """Reference columns of ``table`` to rows of another list table in the same article."""
        out = {}
        for fk in self.schemas[table].foreign_keys:
            lists = self.layout.lists.values()
            if len(fk.fields) == 2 and fk.fields[0] == "article_id" and fk.resource in lists:
                out[fk.fields[1]] = fk.resource
        return out

    def registry_columns(self, table: str) -> list[str]:
        return [
            fk.fields[0]
            for fk in self.schemas[table].foreign_keys
            if len(fk.fields) == 1 and fk.resource == self.registry
        ]

    def lists_of(self, table: str) -> dict[str, str]:
        """List keys of ``table``'s rows that another table unnests, and the table they refer to."""
        out = {}
        for other in self.schemas.values():
            source = other.source
            if source.kind == "unnest" and source.key == table:
                target = next(
                    (fk.resource for fk in other.foreign_keys if source.value in fk.fields), ""
                )
                out.update(dict.fromkeys(source.lists, target))
        return out

    # -- the document and the labels ----------------------------------------------------------

    def document_map(self, data: Any, path: Path) -> Document:
        data = self.keys(data, path, ("spans", "annotators", "attributes", "metadata"))
        schema = self.schemas[self.document]
        spans = self.pairs(data.get("spans"), (*path, "spans"))
        for label, column in spans.items():
            if column not in [s.text for s in schema.spans]:
                self.fail((*path, "spans", label), f"{column!r} is not a span of {self.document}")
        annotators = data.get("annotators")
        if annotators is not None and (
            annotators not in schema.columns or schema.field(annotators).get("type") != "array"
        ):
            self.fail(
                (*path, "annotators"), f"{annotators!r} is not an array field of {self.document}"
            )
        metadata = self.attributes(self.document, data.get("metadata"), (*path, "metadata"))
        attributes = self.attributes(self.document, data.get("attributes"), (*path, "attributes"))
        return Document(self.document, spans, annotators, attributes, metadata)

    def labels(self, layers: dict[str, Layer], document: Document) -> dict[tuple[str, str], Rule]:
        found: dict[tuple[str, str], Rule] = {}
        rules: list[tuple[Rule, Path]] = [
            (r, ("layers", t, f"{r.kind}s", i))
            for t, layer in layers.items()
            for i, r in enumerate(layer.rules)
        ]
        rules += [
            (Rule("span", document.table, label, span=column), ("document", "spans", label))
            for label, column in document.spans.items()
        ]
        for rule, path in rules:
            for label in rule.labels():
                other = "event" if rule.kind == "span" else "span" if rule.kind == "event" else ""
                if (rule.kind, label) in found or (other, label) in found:
                    self.fail(
                        path,
                        f"the tool label {label!r} is taken twice; a label leads to one place only",
                    )
                found[(rule.kind, label)] = rule
        return found
