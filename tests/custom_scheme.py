"""A second dataset project with a scheme of its own, made from the `init` template.

It adds a relations layer (head and tail mentions, an evidence span), a document-level field
(`frames`, `sentiment`), an entity field (`gdelt_id`) and removes a built-in field (`events.mode`):
nothing of it is known to articlepack's Python, only to its schemas.
"""

from __future__ import annotations

from pathlib import Path

import articlepack
from conftest import EXAMPLE, Project

RELATIONS = """\
# Relations between two mentions of the same article, with the text that shows them.
title: Relations
fields:
  - {name: article_id, type: string, constraints: {required: true}}
  - {name: id, type: string, constraints: {required: true, pattern: "^r[0-9]+$"}}
  - {name: type, type: string, constraints: {required: true, enum: [meets, criticises, allied_with]}}
  - {name: head, type: string, constraints: {required: true}}
  - {name: tail, type: string, constraints: {required: true}}
  - {name: confidence, type: number, constraints: {minimum: 0, maximum: 1}}
  - {name: evidence, type: string}
  - {name: evidence_raw_start, type: integer, constraints: {minimum: 0}}
  - {name: evidence_raw_end, type: integer, constraints: {minimum: 1}}
  - {name: evidence_start, type: integer, constraints: {minimum: 0}}
  - {name: evidence_end, type: integer, constraints: {minimum: 1}}
primaryKey: [article_id, id]
foreignKeys:
  - {fields: [article_id], reference: {resource: articles, fields: [id]}}
  - {fields: [article_id, head], reference: {resource: mentions, fields: [article_id, id]}}
  - {fields: [article_id, tail], reference: {resource: mentions, fields: [article_id, id]}}
x-articlepack:
  spans:
    - {text: evidence, raw_start: evidence_raw_start, raw_end: evidence_raw_end,
       start: evidence_start, end: evidence_end, within: body}
"""
EVIDENCE = "Anna Example, met her Sylvanian counterpart Boris Sample"


def custom_project(root: Path) -> Project:
    """The `init` template turned into the custom scheme, valid."""
    project = Project(articlepack.init(root))
    (project.root / "schemas" / "relations.schema.yaml").write_text(RELATIONS, encoding="utf-8")
    key = "primaryKey: [id]"
    project.edit(
        "schemas/articles.schema.yaml",
        key,
        "  - {name: frames, type: array}\n"
        "  - {name: sentiment, type: string, constraints: {enum: [positive, negative, neutral]}}\n"
        + key,
    )
    project.edit(
        "schemas/articles.schema.yaml",
        "  array_items:\n",
        "  array_items:\n    frames: {type: string, enum: [economic, conflict, diplomatic]}\n",
    )
    project.edit(
        "schemas/entities.schema.yaml",
        key,
        "  - {name: gdelt_id, type: string, constraints: {pattern: '^[A-Z]{3}[A-Z0-9]*$'}}\n" + key,
    )
    project.edit(
        "schemas/events.schema.yaml",
        "  - {name: mode, type: string, description: PLOVER mode where one applies (visit, phone, "
        'multilateral, ...).,\n     constraints: {pattern: "^[a-z][a-z_]*$"}}\n',
        "",
    )
    project.edit_article("    mode: meet\n", "")
    raw = project.raw.read_text(encoding="utf-8")
    start = raw.index(EVIDENCE)
    project.edit_article("tags: [World]", "tags: [World]\nframes: [diplomatic]\nsentiment: neutral")
    with open(project.article, "a", encoding="utf-8") as handle:
        handle.write(
            "relations:\n"
            f"  - {{id: r1, type: meets, head: m2, tail: m3, confidence: 0.9,\n"
            f'     evidence: {{start: {start}, end: {start + len(EVIDENCE)}, text: "{EVIDENCE}"}}}}\n'
        )
    project.edit(
        "corpus/entities.yaml",
        "{id: freedonia, name: Freedonia, type: GPE,",
        "{id: freedonia, name: Freedonia, gdelt_id: FRD, type: GPE,",
    )
    return project


__all__ = ["EXAMPLE", "custom_project"]
