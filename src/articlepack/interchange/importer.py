"""What an import would write: tool documents grouped by article, translated, merged into the
articles as they stand, and refused where an article was edited by hand.

An article is one folder; a tool may hold several annotators' versions of it. article.yaml gets
one: the ``adjudicated`` annotator's, else the only one, else the first in the tool's order. Each
named annotator's version is also kept, as ``corpus/annotations/<annotator>/<article id>.yaml``
(:mod:`articlepack.annotators`: the layers but the body, in article.yaml's form, offsets into
the article's raw.txt).

articlepack records the sha256 of every file an import writes in ``corpus/imported.json``. A
file that is no longer what articlepack wrote (or never was: an article written by hand) is not
overwritten without ``replace``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articlepack import _files, _yaml
from articlepack.annotators import annotation_file
from articlepack.interchange import yamltext
from articlepack.interchange.article import article, layers
from articlepack.interchange.mapping import Mapping
from articlepack.interchange.model import Document, ToolFileError, Unmapped
from articlepack.interchange.registry import Registry
from articlepack.interchange.rows import settle
from articlepack.interchange.to_project import Version, translate
from articlepack.report import Finding
from articlepack.shape import Layout, layout

STATE = "corpus/imported.json"


@dataclass
class Plan:
    """The files an import writes (project-relative path -> bytes) and what it found."""

    files: dict[str, bytes] = field(default_factory=dict)
    new: list[str] = field(default_factory=list)  # article ids of new folders
    imported: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (article id, why)
    unmapped: list[Unmapped] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)  # registry ids the import adds
    notes: list[str] = field(default_factory=list)


def plan(
    root: Path,
    documents: list[Document],
    mapping: Mapping,
    *,
    replace: bool = False,
    adjudicated: str | None = None,
) -> Plan:
    """What importing ``documents`` into the project at ``root`` writes (nothing is written)."""
    shape = layout(mapping.schemas)
    out = Plan()
    state = read_state(root)
    findings: list[Finding] = []
    registry_key = shape.registry[0] if shape.registry else None
    entities_text = _files.read_text(root, _files.ENTITIES.as_posix(), findings, optional=True)
    entries = (_yaml.loads(entities_text) or {}) if entities_text and not findings else {}
    if findings:
        raise ToolFileError(findings[0].file, findings[0].message, findings[0].line)
    registry = Registry(mapping, entries.get(registry_key, []) if registry_key else [])
    for article_id, docs in _by_article(documents, mapping, out.notes).items():
        _article(root, article_id, docs, mapping, shape, registry, state, out, replace, adjudicated)
    if registry.added and registry_key:
        out.entities = [e["id"] for e in registry.added]
        name = _files.ENTITIES.as_posix()
        try:
            text = yamltext.append_items(entities_text, registry_key, registry.added, name)
        except ValueError as exc:
            raise ToolFileError(name, str(exc)) from None
        out.files[name] = text.encode("utf-8")
    written = {
        p: hashlib.sha256(b).hexdigest() for p, b in out.files.items() if p.endswith(".yaml")
    }
    written.pop(_files.ENTITIES.as_posix(), None)
    if written:
        files = {**state, **written}
        body = {"about": "the sha256 of each file `articlepack import` wrote", "files": files}
        out.files[STATE] = (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()
    return out


def read_state(root: Path) -> dict[str, str]:
    """What articlepack's imports wrote: project-relative path -> sha256."""
    try:
        data = json.loads((root / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _by_article(
    documents: Iterable[Document], mapping: Mapping, notes: list[str]
) -> dict[str, list[Document]]:
    """Documents grouped by article id (a tool's name made a slug); one per annotator."""
    pattern = (
        mapping.schemas[mapping.document.table]
        .field("id")
        .get("constraints", {})
        .get("pattern", "^[a-z0-9]+(-[a-z0-9]+)*$")
    )
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        article_id = _slug(doc.id)
        if not article_id or not re.search(pattern, article_id):
            raise ToolFileError(doc.source, f"{doc.id!r} cannot be made an article id ({pattern})")
        if article_id != doc.id:
            notes.append(f"{doc.source}: document {doc.id!r} is article {article_id}")
        group = groups.setdefault(article_id, [])
        twin = next((d for d in group if d.annotator == doc.annotator), None)
        if twin is not None:
            who = f"annotator {doc.annotator!r}" if doc.annotator else "no named annotator"
            raise ToolFileError(
                doc.source, f"a second document of article {article_id} by {who} ({twin.source})"
            )
        group.append(doc)
    return dict(sorted(groups.items()))


def _article(
    root: Path,
    article_id: str,
    docs: list[Document],
    mapping: Mapping,
    shape: Layout,
    registry: Registry,
    state: dict[str, str],
    out: Plan,
    replace: bool,
    adjudicated: str | None,
) -> None:
    folder = _files.article_file(article_id, "")
    yaml_name = _files.article_file(article_id, "article.yaml")
    named = [d for d in docs if d.annotator]
    files = {yaml_name, *(_annotation_file(d.annotator or "", article_id) for d in named)}
    exists = (root / folder).is_dir()
    edited = sorted(f for f in files if (root / f).exists() and state.get(f) != _sha256(root / f))
    if edited and not replace:
        why = (
            "was not written by an import"
            if yaml_name in edited and yaml_name not in state
            else ("was edited since an import wrote it")
        )
        out.refused.append((article_id, f"{edited[0]} {why}; --replace overwrites it"))
        return
    findings: list[Finding] = []
    old: dict[str, Any] | None = None
    text: str | None = None
    if exists:
        found = _files.read_raw(root, _files.article_file(article_id, "raw.txt"), findings)
        text = _files.read_text(root, yaml_name, findings)
        old = _files.parse_mapping(text, yaml_name, findings) if text is not None else None
        if found is None or old is None:
            out.refused.append((article_id, f"{findings[0].file}: {findings[0].message}"))
            return
        raw, sha256 = found
    first = _published(docs, adjudicated, out.notes, article_id)
    if not exists:
        raw = first.text
        data = raw.encode("utf-8")
        sha256 = hashlib.sha256(data).hexdigest()
        out.files[_files.article_file(article_id, "raw.txt")] = data
        out.new.append(article_id)
    versions = {id(d): translate(d, mapping, raw, registry) for d in docs}
    chosen = versions[id(first)]
    settle(chosen, mapping, old or {}, _body(mapping, shape, old or {}))
    body = _body(mapping, shape, layers(mapping, shape, old or {}, chosen, raw))
    for doc in named:
        if doc is not first:
            name = _annotation_file(doc.annotator or "", article_id)
            settle(versions[id(doc)], mapping, _load(_read(root, name)), body)
    names = list(dict.fromkeys(d.annotator for d in named if d.annotator))
    merged = article(mapping, shape, old, chosen, raw, sha256, names)
    out.files[yaml_name] = _text(text, merged)
    for d in named:
        name = _annotation_file(d.annotator or "", article_id)
        before = _read(root, name)
        kept = layers(mapping, shape, _load(before), versions[id(d)], raw, body=False)
        out.files[name] = _text(before, kept)
    out.imported.append(article_id)
    for version in versions.values():
        out.unmapped += version.unmapped


def _published(
    docs: list[Document], adjudicated: str | None, notes: list[str], article_id: str
) -> Document:
    """The version article.yaml holds: the adjudicated one, the only one, or the first."""
    chosen = next((d for d in docs if adjudicated and d.annotator == adjudicated), None)
    if chosen is None and adjudicated and len(docs) > 1:
        notes.append(
            f"article {article_id} has no version by {adjudicated!r}; "
            f"article.yaml holds {docs[0].annotator!r}'s (the first)"
        )
    return chosen or docs[0]


def _body(mapping: Mapping, shape: Layout, doc: dict[str, Any]) -> list[tuple[int, int]]:
    """The raw offsets of an article's body segments."""
    table = next((t for t in mapping.schemas if mapping.schemas[t].body), None)
    key = next((k for k, t in shape.lists.items() if t == table), None)
    if table is None or key is None or not isinstance(doc.get(key), list):
        return []
    span = mapping.schemas[table].spans[0]
    base = mapping.schemas[table].paths[span.text][:-1]
    out = []
    for item in doc[key]:
        node = item
        for step in base:
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, dict) and all(isinstance(node.get(k), int) for k in ("start", "end")):
            out.append((node["start"], node["end"]))
    return sorted(out)


def _annotation_file(annotator: str, article_id: str) -> str:
    """Where an annotator's version goes: a folder named after them (as a slug when the name
    cannot be a folder's, such as one with spaces)."""
    try:
        return annotation_file(annotator, article_id)
    except ValueError:
        return annotation_file(_slug(annotator) or "annotator", article_id)


def _read(root: Path, name: str) -> str | None:
    try:
        return (root / name).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None


def _load(text: str | None) -> dict[str, Any]:
    """An annotator file's layers (empty when there is none, or it does not load)."""
    try:
        data = _yaml.loads(text) if text else None
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _text(before: str | None, doc: dict[str, Any]) -> bytes:
    """``doc`` as YAML: over the file's text as it stands, if there is one."""
    return (yamltext.merged(before, doc) if before else yamltext.dumps(doc)).encode("utf-8")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


__all__ = ["Plan", "Version", "plan", "read_state"]
