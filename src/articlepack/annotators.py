"""Each annotator's own version of an article, kept for agreement only.

``corpus/annotations/<annotator>/<article-id>.yaml`` holds one annotator's annotation layers of
one article: the lists of article.yaml but the body, in article.yaml's form (the same keys, offsets
into that article's raw.txt, ids as the annotator gave them). The published annotations are the
adjudicated version in article.yaml; these files are never published, only checked (by
``validate``, as article.yaml's own layers are) and compared (:mod:`articlepack.agreement`).

Reading reuses the reader's pieces (safe file reads, the YAML parser, the careful flattener) and
checking reuses the checks of article.yaml (values, dates, references, spans), run on one
annotator's tables at a time: two annotators may well give the same annotation the same id.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from articlepack import _files, flatten, shape
from articlepack._files import ANNOTATIONS_DIR
from articlepack.check_columns import check_dates, check_keys, check_table
from articlepack.check_spans import check_spans
from articlepack.corpus import only_keys
from articlepack.report import Finding, printable
from articlepack.schema import TableSchema, table_of

if TYPE_CHECKING:
    import polars as pl

    from articlepack.corpus import Corpus

_PREFIX = ANNOTATIONS_DIR.as_posix() + "/"
# An annotator's folder name: what annotation tools use for a user (a name, a login, an e-mail
# address), never a path. No separator, no leading dot, no `..`: the importer builds paths from it.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._@+-]{0,98}[A-Za-z0-9])?")


def safe_name(name: str) -> bool:
    """Whether ``name`` may be a component of a path under corpus/annotations/."""
    return bool(_NAME.fullmatch(name)) and ".." not in name


def annotation_file(annotator: str, article: str) -> str:
    """The project-relative path of ``annotator``'s version of ``article``.

    Raises :class:`ValueError` for a name that is not a plain folder or file name (``../x``).
    """
    for kind, name in (("annotator", annotator), ("article id", article)):
        if not safe_name(name):
            raise ValueError(
                f"{kind} {printable(name)!r} cannot name a file in {ANNOTATIONS_DIR.as_posix()}/ "
                "(letters, digits and . _ @ + -, starting and ending with a letter or digit)"
            )
    return f"{_PREFIX}{annotator}/{article}.yaml"


def annotator_of(file: str) -> str:
    """The annotator of a path made by :func:`annotation_file`."""
    return file.split("/")[2]


def layers(schemas: dict[str, TableSchema]) -> tuple[str, ...]:
    """The annotation layers: the tables read from a list of article.yaml, but the body."""
    return tuple(n for n, s in schemas.items() if s.source.kind == "list" and not s.body)


def layer_tables(schemas: dict[str, TableSchema]) -> tuple[str, ...]:
    """The layers and the tables that unnest their lists (event arguments), in schema order."""
    own = set(layers(schemas))
    return tuple(
        n
        for n, s in schemas.items()
        if n in own or (s.source.kind == "unnest" and s.source.key in own)
    )


@dataclass(frozen=True)
class Annotations:
    """What corpus/annotations/ holds: the layer tables of every annotator's files stacked (each
    row's ``_file`` names its annotator), who annotated each article, and what reading found."""

    tables: dict[str, pl.DataFrame]
    versions: dict[str, tuple[str, ...]]  # article id -> its annotators, sorted
    findings: list[Finding]

    @property
    def annotators(self) -> tuple[str, ...]:
        return tuple(sorted({a for names in self.versions.values() for a in names}))


#: An annotator's file: (annotator, article id, project-relative path), as :func:`listed` gives it.
File = tuple[str, str, str]


def listed(corpus: Corpus) -> tuple[list[File], list[Finding]]:
    """Every annotator's file of an article of the corpus, sorted, and what listing
    corpus/annotations/ found (stray files, unsafe names, files of unknown articles)."""
    findings: list[Finding] = []
    known = set(corpus.folders)
    files = []
    for annotator, article, file in _files_in(corpus.root, findings):
        if article in known:
            files.append((annotator, article, file))
            continue
        findings.append(
            Finding(
                "unknown-article",
                file,
                f"there is no article {article!r} in corpus/articles/; an annotator's file is "
                "named after the article it annotates",
                id=article,
            )
        )
    return files, findings


def read(corpus: Corpus, files: list[File] | None = None) -> Annotations:
    """Read every annotator's files, or only ``files`` (some of :func:`listed`'s: a distributed
    engine's task reads those of its chunk of articles, the driver lists them); problems with a
    file or its shape become findings, and so, reading every file, does what listing found."""
    schemas = corpus.schemas
    layout = shape.layout(schemas)
    keys = {key: table for key, table in layout.lists.items() if table in layers(schemas)}
    rows = flatten.Rows()
    if files is None:
        files, rows.findings = listed(corpus)
    versions: dict[str, list[str]] = {}
    for annotator, article, file in files:
        text = _files.read_text(corpus.root, file, rows.findings)
        doc = None if text is None else _files.parse_mapping(text, file, rows.findings)
        if doc is None:
            continue
        only_keys(doc, tuple(keys), file, rows.findings)
        for key, table in keys.items():
            flatten.flatten_list(doc, key, table, layout, file, rows, {"article_id": article})
        versions.setdefault(article, []).append(annotator)
    tables = flatten.frames(rows, schemas, layer_tables(schemas))
    return Annotations(tables, {a: tuple(sorted(n)) for a, n in versions.items()}, rows.findings)


def load(corpus: Corpus, files: list[File] | None = None) -> tuple[Annotations, list[Finding]]:
    """Read and check every annotator's files (or ``files``, as :func:`read`): the annotations,
    and every finding (each naming its annotation's id where it concerns one)."""
    annotations = read(corpus, files)
    found = [*annotations.findings, *_check(corpus, annotations)]
    return annotations, _with_ids(found, annotations.tables)


def check_annotations(corpus: Corpus, files: list[File] | None = None) -> list[Finding]:
    """What ``validate`` reports about corpus/annotations/ (or about ``files``, as :func:`read`).

    Each file is checked against its own article's raw text and body segments and against the
    registry only, so a chunk of articles with their annotators' files gives the findings it
    would give in the whole corpus."""
    return load(corpus, files)[1]


def _files_in(root: Path, findings: list[Finding]) -> Iterator[tuple[str, str, str]]:
    """(annotator, article id, file) of every annotator's file, sorted; anything else that
    corpus/annotations/ holds is a finding."""
    base = root / ANNOTATIONS_DIR
    if not base.exists() and not base.is_symlink():
        return
    if not _files.inside(root, base):
        findings.append(
            Finding("unsafe-path", ANNOTATIONS_DIR.as_posix(), "leads outside the project")
        )
        return
    if not base.is_dir():
        findings.append(Finding("stray-file", ANNOTATIONS_DIR.as_posix(), "must be a folder"))
        return
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        rel = _PREFIX + printable(entry.name)
        if entry.is_symlink() and not _files.inside(root, Path(entry.path)):
            findings.append(Finding("unsafe-path", rel, "leads outside the project"))
        elif not entry.is_dir():
            findings.append(
                Finding("stray-file", rel, "corpus/annotations/ holds one folder per annotator")
            )
        elif not safe_name(entry.name):
            findings.append(
                Finding(
                    "bad-annotator-name",
                    rel,
                    "an annotator's folder name is letters, digits and . _ @ + - (starting and "
                    "ending with a letter or digit, no `..`); rename the folder",
                )
            )
        else:
            yield from _annotator_files(root, entry.name, findings)


def _annotator_files(
    root: Path, annotator: str, findings: list[Finding]
) -> Iterator[tuple[str, str, str]]:
    try:
        names = sorted(os.listdir(root / ANNOTATIONS_DIR / annotator))
    except OSError as exc:
        findings.append(
            Finding("unreadable", f"{_PREFIX}{annotator}", f"cannot list it: {exc.strerror}")
        )
        return
    for name in names:
        article = name.removesuffix(".yaml")
        if name.endswith(".yaml") and safe_name(article):
            yield annotator, article, f"{_PREFIX}{annotator}/{name}"
        else:
            findings.append(
                Finding(
                    "stray-file",
                    f"{_PREFIX}{annotator}/{printable(name)}",
                    "an annotator's folder holds only <article-id>.yaml files",
                )
            )


def _check(corpus: Corpus, annotations: Annotations) -> list[Finding]:
    """article.yaml's checks of values, dates, references and spans, one annotator at a time,
    each against the corpus's raw texts, body segments and entity registry."""
    names = tuple(annotations.tables)
    out: list[Finding] = []
    for annotator in annotations.annotators:
        part = _part(corpus, annotations, annotator)
        for name in names:
            out += check_table(part.tables[name], corpus.schemas[name])
        out += check_dates(part, names)
        out += check_keys(part, to_entities=False)
        out += check_keys(part, to_entities=True)
        out += check_spans(part)
    return [f for f in out if f.file.startswith(_PREFIX)]  # not the body's own, article.yaml's


def _part(corpus: Corpus, annotations: Annotations, annotator: str) -> Corpus:
    """The corpus as one annotator made it: their layers, and of the corpus only what their
    layers are checked against (the raw texts and body segments of their articles, the
    registry)."""
    import polars as pl

    articles = [a for a, who in annotations.versions.items() if annotator in who]
    mine = pl.col("article_id").is_in(articles)
    keep = {
        table_of(corpus.schemas, "registry"): pl.lit(True),
        table_of(corpus.schemas, "body"): mine,
    }
    tables = {
        name: table.filter(keep.get(name, pl.lit(False))) for name, table in corpus.tables.items()
    }
    folder = pl.col("_file").str.starts_with(f"{_PREFIX}{annotator}/")
    tables.update({name: t.filter(folder) for name, t in annotations.tables.items()})
    return replace(corpus, tables=tables, raw=corpus.raw.filter(mine))


def _with_ids(found: list[Finding], tables: dict[str, pl.DataFrame]) -> list[Finding]:
    """Each finding about an annotation, with its annotation's id (for messages and waivers)."""
    if not any(f.id is None and len(f.path) > 1 for f in found):
        return found
    ids: dict[tuple[str, str], str] = {}
    for table in tables.values():
        if "id" in table.columns:
            for file, path, ident in table.select("_file", "_path", "id").iter_rows():
                if ident is not None:
                    ids[(file, path)] = ident
    out = []
    for f in found:
        ident = ids.get((f.file, shape.encode_path(f.path[:2]))) if f.id is None else None
        out.append(replace(f, id=ident) if ident is not None else f)
    return out
