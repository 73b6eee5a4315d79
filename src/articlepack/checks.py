"""Validate a read corpus: run every check, apply the waivers, find each finding's line.

Every check runs on whole columns (pandera, polars joins, slicing); Python loops run only over
*failures*, to word their messages and find their lines. Failure rows never carry a whole raw
text into Python: what a message quotes is sliced out by polars first. The checks:

- :mod:`~articlepack.check_dataset`: corpus/dataset.yaml;
- :mod:`~articlepack.check_columns`: each table's values (constraints, dates, foreign keys);
- :mod:`~articlepack.check_spans`: the text spans and the body's segments;
- :mod:`~articlepack.annotators`: each annotator's own version of an article (its layers
  checked as article.yaml's are);
- :mod:`~articlepack.check_raw`: each raw.txt (its recorded sha256, mojibake);
- :mod:`~articlepack.check_template`: what ``init``'s example left in a project of one's own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from articlepack import _cache, _lines
from articlepack.annotators import check_annotations
from articlepack.check_columns import check_dates, check_keys, check_not_after, check_table
from articlepack.check_dataset import check_dataset
from articlepack.check_raw import check_hashes, check_raw_text
from articlepack.check_spans import check_segments, check_spans
from articlepack.check_template import check_template
from articlepack.corpus import (
    DATASET,
    Checked,
    Corpus,
    article_file,
    article_folder,
)
from articlepack.report import Finding, Report, with_twin_lines
from articlepack.schema import article_tables, table_of
from articlepack.waivers import apply_waivers

if TYPE_CHECKING:
    import polars as pl


def check(
    corpus: Corpus, checked: Checked | None = None, annotated: list[Finding] | None = None
) -> Report:
    """Run every check over a read corpus; return the report (waivers applied, lines found).

    ``checked`` is what the read already knows of the checks within each article
    (:func:`~articlepack.corpus.read_checked`); those articles are not checked again.
    ``annotated``: what the checks of corpus/annotations/ found already (by a distributed
    engine's tasks, each on its chunk's articles); None: they run here."""
    findings = list(corpus.findings)
    dataset_file = DATASET.as_posix()
    if not any(f.file == dataset_file and f.severity == "error" for f in corpus.findings):
        findings += check_dataset(corpus.dataset)
    findings += check_template(corpus)
    if not corpus.folders:
        findings.append(
            Finding("empty-corpus", "corpus/articles", "add at least one article folder")
        )
    registry = table_of(corpus.schemas, "registry")
    for name in (registry,) if registry else ():
        findings += check_table(corpus.tables[name], corpus.schemas[name])
        findings += check_dates(corpus, (name,))
    findings += check_keys(corpus, to_entities=True)
    findings += _article_checks(corpus, checked or Checked())
    findings += check_annotations(corpus) if annotated is None else annotated
    findings = apply_waivers(findings, corpus.waivers)
    summary = {"articles": corpus.n_articles, **{n: t.height for n, t in corpus.tables.items()}}
    return Report.of(with_twin_lines(locate(corpus.root, findings)), summary)


def check_articles(corpus: Corpus) -> list[Finding]:
    """The checks that look within one article at a time (its rows, its raw text).

    When every article's id is its folder name, what they find in an article depends on that
    article's files alone; references to entities are checked by :func:`check_keys` apart.
    """
    findings = []
    names = article_tables(corpus.schemas)
    for name in names:
        findings += check_table(corpus.tables[name], corpus.schemas[name])
    findings += check_dates(corpus, names)
    findings += check_keys(corpus, to_entities=False)
    findings += check_hashes(corpus)
    findings += check_segments(corpus)
    findings += check_spans(corpus)
    findings += check_not_after(corpus)
    findings += check_raw_text(corpus.raw)
    return findings


def _article_checks(corpus: Corpus, checked: Checked) -> list[Finding]:
    """:func:`check_articles`, run only on the articles whose findings the cache lacks."""
    own = ids_are_folders(corpus.tables[table_of(corpus.schemas, "document") or ""])
    reuse = checked.found if own else {}
    todo = [f for f in corpus.folders if f not in reuse]
    found = check_articles(_only(corpus, todo) if reuse else corpus) if todo else []
    if own and checked.stamp is not None:
        by_folder: dict[str, list[Finding]] = {f: [] for f in todo}
        for finding in found:
            by_folder[article_folder(finding.file)].append(finding)
        found += _cache.save_checks(corpus.root, checked.stamp, {**reuse, **by_folder})
    return [*found, *(f for kept in reuse.values() for f in kept)]


def ids_are_folders(articles: pl.DataFrame) -> bool:
    """Whether each article's id (in the document table ``articles``) is its folder's name, or
    missing: then ids are unique (folder names are), and each article's rows are its own, so what
    the checks within articles find in one depends on its files alone."""
    import polars as pl

    folder = pl.col("_file").str.split("/").list.get(2)
    return articles.height == 0 or bool(articles.select((pl.col("id") == folder).all()).item())


def _only(corpus: Corpus, folders: list[str]) -> Corpus:
    """``corpus`` with only the article rows and raw texts of ``folders``."""
    import polars as pl

    yaml = pl.col("_file").is_in([article_file(f, "article.yaml") for f in folders])
    registry = table_of(corpus.schemas, "registry")
    tables = {n: t if n == registry else t.filter(yaml) for n, t in corpus.tables.items()}
    raw = corpus.raw.filter(pl.col("_file").is_in([article_file(f, "raw.txt") for f in folders]))
    return replace(corpus, tables=tables, raw=raw)


def locate(root: Path, findings: Iterable[Finding]) -> list[Finding]:
    """Fill in the line of each finding that has a YAML path, reading each file once."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    out: list[Finding] = []
    for f in findings:
        (by_file[f.file] if f.line is None and f.path else out).append(f)
    for file, group in by_file.items():
        try:
            text = (root / file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            out += group
            continue
        lines = _lines.lines_of(text, [f.path for f in group])
        out += [replace(f, line=line) for f, line in zip(group, lines, strict=True)]
    return out
