"""Article folders read into tables, a chunk of folders at a time.

A chunk is what one of the reader's workers reads (:mod:`articlepack._workers`), and what the
checks it is given run on while its rows are at hand. Its article.yaml documents are parsed, then
flattened :data:`CHUNK` at a time, so that only that many are ever held as Python objects: by
Arrow (:mod:`articlepack.arrow_flatten`) when every value is in shape, else in Python
(:mod:`articlepack.flatten`), which words a finding for each value that is not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import _files, arrow_flatten, flatten, shape
from articlepack._corpus import RAW_SCHEMA, Check, Corpus
from articlepack.report import Finding
from articlepack.schema import TableSchema, article_tables

if TYPE_CHECKING:
    import polars as pl

CHUNK = 250  # articles flattened at a time, and the fewest a worker is given at a time
# Fewer articles than this are flattened in Python: Arrow is faster per article, but importing
# pyarrow costs a quarter of a second, more than flattening a few dozen articles (a small
# project, or the one article changed since the cached read).
ARROW_FROM = 50


@dataclass(frozen=True)
class Chunk:
    """What was read of some article folders: findings, tables (with ``raw``), the article.yaml
    sha256 of each folder, the folders whose article.yaml the cache already holds, and what a
    check found."""

    findings: list[Finding]
    tables: dict[str, pl.DataFrame]
    hashes: dict[str, str]
    same: list[str]
    checked: dict[str, list[Finding]]  # folder -> what ``check`` found within its articles
    files: dict[str, str] = field(default_factory=dict)  # the tables, spooled by a worker
    digests: dict[str, str] = field(default_factory=dict)  # file name -> sha256, of ``files``


def read_chunk(
    root: Path,
    jobs: list[tuple[str, str | None]],
    schemas: dict[str, TableSchema],
    check: Check | None = None,
) -> Chunk:
    """Read article folders: stray files, raw.txt, and article.yaml unless its sha256 is known.

    Each job is a folder and the article.yaml sha256 the cache holds for it, if any. With
    ``check``, also run it on the folders read whole.
    """
    import polars as pl

    findings: list[Finding] = []
    raw: dict[str, list[Any]] = {c: [] for c in RAW_SCHEMA}
    hashes: dict[str, str] = {}
    same: list[str] = []
    tables = _read_articles(root, jobs, schemas, findings, raw, hashes, same)
    raw_table = pl.DataFrame(raw, schema=dict.fromkeys(RAW_SCHEMA, pl.String))
    checked: dict[str, list[Finding]] = {}
    if check is not None:
        entities = flatten.frames(flatten.Rows(), schemas, shape.layout(schemas).in_registry)
        part = Corpus(root, {}, schemas, {**tables, **entities}, raw_table, [], [], [])
        checked = {folder: [] for folder, _ in jobs if folder not in set(same)}
        for finding in check(part):
            checked[_files.article_folder(finding.file)].append(finding)
    return Chunk(findings, {**tables, "raw": raw_table}, hashes, same, checked)


def empty(schemas: dict[str, TableSchema]) -> dict[str, pl.DataFrame]:
    """Every article table, and ``raw``, with no rows."""
    import polars as pl

    raw = pl.DataFrame(schema=dict.fromkeys(RAW_SCHEMA, pl.String))
    return {**flatten.frames(flatten.Rows(), schemas, article_tables(schemas)), "raw": raw}


def parse_article(text: str, folder: str, findings: list[Finding]) -> shape.Article | None:
    """An article.yaml's document; everything found in it is reported against it."""
    name = _files.article_file(folder, "article.yaml")
    doc = _files.parse_mapping(text, name, findings)
    if doc is None:
        return None
    # Rows are keyed by the id the file declares; the folder name only stands in when there is
    # none. An id is never used to build a path: files are found by folder name alone.
    article_id = doc["id"] if isinstance(doc.get("id"), str) else folder
    if article_id != folder:
        findings.append(
            Finding(
                "id-folder-mismatch",
                name,
                f"id {article_id!r:.80} differs from its folder name {folder!r}",
                id=str(article_id),
                path=("id",),
            )
        )
    return shape.Article(name, article_id, doc)


def _read_articles(
    root: Path,
    jobs: list[tuple[str, str | None]],
    schemas: dict[str, TableSchema],
    findings: list[Finding],
    raw: dict[str, list[Any]],
    hashes: dict[str, str],
    same: list[str],
) -> dict[str, pl.DataFrame]:
    """The article tables of ``jobs``' folders; fills ``findings``, ``raw`` (the raw texts),
    ``hashes`` and ``same`` (the folders whose article.yaml has the sha256 the job gives)."""
    import polars as pl

    layout = shape.layout(schemas)
    names = layout.in_articles
    parts = []
    for start in range(0, len(jobs), CHUNK):
        articles: list[shape.Article] = []
        for folder, known in jobs[start : start + CHUNK]:
            _read_raw(root, folder, findings, raw)
            text = _files.read_text(root, _files.article_file(folder, "article.yaml"), findings)
            if text is None:
                continue
            hashes[folder] = hashlib.sha256(text.encode()).hexdigest()
            if hashes[folder] == known:
                same.append(folder)
                continue
            article = parse_article(text, folder, findings)
            if article is not None:
                articles.append(article)
        tables = (
            arrow_flatten.arrow_frames(articles, layout) if len(articles) >= ARROW_FROM else None
        )
        if tables is None:  # few articles, or some out of shape: flatten in Python (it says what)
            flat = flatten.Rows()
            for article in articles:
                flatten.flatten_article(article.doc, article.id, article.file, flat, layout)
            findings += flat.findings
            tables = flatten.frames(flat, schemas, names)
        parts.append(tables)
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return flatten.frames(flatten.Rows(), schemas, names)
    return {name: pl.concat([p[name] for p in parts], rechunk=True) for name in names}


def _read_raw(root: Path, folder: str, findings: list[Finding], raw: dict[str, list[Any]]) -> None:
    """An article folder's raw.txt (decoded and hashed) and any stray files beside it."""
    _files.stray_files(root, folder, findings)
    name = _files.article_file(folder, "raw.txt")
    found = _files.read_raw(root, name, findings)
    if found is not None:
        text, sha256 = found
        raw["article_id"].append(folder)
        raw["raw"].append(text)
        raw["sha256"].append(sha256)
        raw["_file"].append(name)
