"""W3C Web Annotation export: each article's annotations as one JSON-LD ``AnnotationCollection``.

``export(project, out)`` writes ``OUT/<article-id>.jsonld`` per article (one file per article, so
that a tool can load one text's annotations; the collection's first page is embedded). The text
they annotate is the article's raw.txt, named by its content: ``ni:///sha-256;...`` (RFC 6920).
Every row of a layer of the article (:func:`articlepack.layers.layers`, custom layers included)
is one ``Annotation`` with the id ``#<layer>/<key>`` (relative to the file):

- each of its spans is a target, a ``SpecificResource`` with a ``TextPositionSelector`` (code
  points into raw.txt) and a ``TextQuoteSelector`` (``exact`` and 32 characters of ``prefix`` and
  ``suffix``); where the layer has several spans, ``schema:roleName`` names the span's column;
- its values are bodies: the layer's name (purpose ``classifying``); an enum value
  (``classifying``), a key of the registry (``identifying``) or any other value (``describing``)
  as a ``TextualBody`` whose ``schema:propertyID`` names the column; a reference to another row
  of the article (a foreign key, or the rows nested in this one, such as an event's arguments) as
  a ``SpecificResource`` with purpose ``linking``, ``schema:roleName`` the column or the nested
  row's role, and as ``source`` the id of the referred annotation.

The article's own row (its metadata, and spans such as the title) is the annotation
``#<document table>``, motivated ``describing``. Only W3C terms and, where they have none
(a span's or a link's role, a value's column), schema.org's, whose prefix the official context
defines: the files expand against that context alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from articlepack import layers
from articlepack.schema import TableSchema, table_of

#: The official Web Annotation context, which every exported file names.
CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: Characters of text before and after each quote (its ``prefix`` and ``suffix``).
AFFIX = 32


@cache
def context() -> dict[str, Any]:
    """The official ``anno.jsonld``, from the packaged copy (the W3C's file as published)."""
    text = resources.files("articlepack").joinpath("data/anno.jsonld").read_text("utf-8")
    return dict(json.loads(text))


def document_loader(url: str, options: object = None) -> dict[str, Any]:
    """A pyld document loader that serves the packaged ``anno.jsonld`` for :data:`CONTEXT` (over
    http or https) and refuses every other URL, so that expanding an export needs no network."""
    if url.removeprefix("https:").removeprefix("http:") != CONTEXT.removeprefix("http:"):
        raise ValueError(f"refusing to load {url}: only {CONTEXT} is served, from a local copy")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": context(),
    }


def export(project: Path | str, out: Path | str) -> list[Path]:
    """Write ``OUT/<article-id>.jsonld`` for every article of the *valid* project; return the
    paths. ``out`` is new, empty, or a previous export (whose files go), as for every
    ``articlepack export``. Raises :class:`~articlepack.errors.InvalidCorpusError` (nothing
    written) when the project has errors, :class:`~articlepack.errors.ProjectError` when it is
    no project, :class:`FileExistsError` when ``out`` holds files articlepack did not export."""
    from articlepack.builder import documents, tables
    from articlepack.checks import check, check_articles
    from articlepack.corpus import read_checked
    from articlepack.errors import InvalidCorpusError
    from articlepack.interchange.pipeline import EXPORT_RECORD, clear_export

    corpus, checked = read_checked(Path(project), check=check_articles)
    report = check(corpus, checked)
    if not report.valid:
        raise InvalidCorpusError(report)
    rows = documents.table(tables.publish(corpus), corpus.schemas).to_pylist()
    raw = dict(corpus.raw.select("article_id", "raw").iter_rows())
    out = Path(out)
    clear_export(out)
    written = []
    for row in rows:
        path = out / f"{row['id']}.jsonld"
        data = collection(row, raw[row["id"]], corpus.schemas, path.name)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # 10k articles: 0.5 GB
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    record = {"about": "files written by articlepack export", "files": [p.name for p in written]}
    (out / EXPORT_RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return written


def collection(
    row: Mapping[str, Any], raw: str, schemas: Mapping[str, TableSchema], name: str
) -> dict[str, Any]:
    """The ``AnnotationCollection`` of one article: ``row`` of the ``documents`` table, ``raw``
    its raw.txt, ``name`` the file's name (the collection's id)."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(raw.encode("utf-8")).digest())
    text = Text(f"ni:///sha-256;{digest.decode().rstrip('=')}", raw, schemas)
    items = list(text.annotations(row))
    page = {"id": "#page-1", "type": "AnnotationPage", "startIndex": 0, "items": items}
    return {
        "@context": CONTEXT,
        "id": name,
        "type": "AnnotationCollection",
        "label": f"Annotations of article {row['id']}",
        "total": len(items),
        "first": page,
    }


class Text:
    """The annotations of one article's raw text, by the schemas of its tables."""

    def __init__(self, source: str, raw: str, schemas: Mapping[str, TableSchema]) -> None:
        self.source, self.raw, self.schemas = source, raw, schemas
        self.document = table_of(schemas, "document") or ""
        self.layers = layers.layers(schemas)
        self.registry = table_of(schemas, "registry")
        self.annotated = layers.children(schemas, self.document)  # a row of these: an annotation

    def annotations(self, row: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The article's own annotation, then one per row of each of its list layers."""
        yield self._annotation(self.document, row, f"#{self.document}")
        for name in self.annotated:
            for item in row[name]:
                yield self._annotation(name, item, self._id(name, item))

    def _id(self, table: str, row: Mapping[str, Any]) -> str:
        joined = self.layers[table].columns
        key = [str(row[c]) for c in self.schemas[table].primary_key if c not in joined]
        return f"#{table}/" + "/".join(quote(k, safe="-_.~") for k in key)

    def _annotation(self, table: str, row: Mapping[str, Any], ident: str) -> dict[str, Any]:
        schema = self.schemas[table]
        bodies = [_textual("classifying", table), *self._parts(table, row)]
        targets = [
            self._target(row, span.raw_start, span.raw_end, span.text, len(schema.spans) > 1)
            for span in schema.spans
            if row[span.raw_start] is not None and row[span.raw_end] is not None
        ]
        purposes = {b["purpose"] for b in bodies}
        motivation = next(p for p in ("linking", "identifying", "classifying") if p in purposes)
        return {
            "id": ident,
            "type": "Annotation",
            "motivation": "describing" if table == self.document else motivation,
            "body": bodies,
            "target": targets or self.source,
        }

    def _parts(self, table: str, row: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The bodies of ``row``'s values, then those of the rows nested in it that have no
        annotation of their own (an event's arguments), at any depth. A nested row that
        ``x-articlepack.rows`` gives a ``role`` and a ``value`` is its value under that role."""
        source = self.schemas[table].source
        if table in self.annotated or not (source.role and source.value):
            bodies = [b for c in self._values(table) for b in self._bodies(table, c, row[c])]
        else:
            key = {"SpecificResource": "schema:roleName", "TextualBody": "schema:propertyID"}
            role = str(row[source.role])
            bodies = [
                {**b, key[b["type"]]: role}
                for b in self._bodies(table, source.value, row[source.value])
            ]
        for child in layers.children(self.schemas, table):
            if child not in self.annotated:
                bodies += [b for item in row[child] for b in self._parts(child, item)]
        return bodies

    def _values(self, table: str) -> list[str]:
        """The columns of ``table`` given as bodies: all but its key, the columns that repeat
        its parent's key, its spans' columns, the derived ones and its nested layers."""
        schema = self.schemas[table]
        spans = {c for s in schema.spans for c in (s.text, s.raw_start, s.raw_end, s.start, s.end)}
        skip = {*schema.primary_key, *spans, *schema.derived}
        if table in self.layers:
            skip |= set(self.layers[table].columns)
        skip |= set(layers.children(self.schemas, table))
        return [c for c in schema.columns if c not in skip]

    def _bodies(self, table: str, column: str, value: Any) -> list[dict[str, Any]]:
        """The bodies that say ``table.column`` is ``value`` (one per item of a list)."""
        if value is None:
            return []
        if isinstance(value, list):
            return [b for v in value for b in self._bodies(table, column, v)]
        schema = self.schemas[table]
        for fk in schema.foreign_keys:
            if column in fk.fields and fk.resource in self.annotated:
                return [_link(column, f"#{fk.resource}/{quote(str(value), safe='-_.~')}")]
            if column in fk.fields and fk.resource == self.registry:
                return [_textual("identifying", value, column)]
        f = schema.field(column)
        enum = f.get("constraints", {}).get("enum") or (
            schema.item(column).get("enum") if f.get("type") == "array" else None
        )
        return [_textual("classifying" if enum else "describing", value, column)]

    def _target(
        self, row: Mapping[str, Any], start: str, end: str, role: str, named: bool
    ) -> dict[str, Any]:
        """A span of the raw text, by position and by quote."""
        s, e = int(row[start]), int(row[end])
        target: dict[str, Any] = {
            "type": "SpecificResource",
            "source": self.source,
            "selector": [
                {"type": "TextPositionSelector", "start": s, "end": e},
                {
                    "type": "TextQuoteSelector",
                    "exact": self.raw[s:e],
                    "prefix": self.raw[max(0, s - AFFIX) : s],
                    "suffix": self.raw[e : e + AFFIX],
                },
            ],
        }
        if named:
            target["schema:roleName"] = role
        return target


def _textual(purpose: str, value: Any, column: str | None = None) -> dict[str, Any]:
    body = {
        "type": "TextualBody",
        "purpose": purpose,
        "value": value if isinstance(value, str) else json.dumps(value),
    }
    return {**body, "schema:propertyID": column} if column else body


def _link(role: str, target: str) -> dict[str, Any]:
    return {
        "type": "SpecificResource",
        "purpose": "linking",
        "schema:roleName": role,
        "source": target,
    }
