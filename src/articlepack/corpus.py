"""Read a dataset project into a :class:`Corpus`: polars tables whose rows remember their file
and YAML path.

Reading checks the *shape* of what it reads (known keys, value types: :mod:`articlepack.shape`).
The values themselves (enums, patterns, ranges, keys, spans) are checked on whole columns by
:mod:`articlepack.checks`, which builds on this module; so :func:`read` is handed the checks its
workers run within each chunk of articles, rather than importing them. This module guards the
project and reads its small files; the article folders are read a chunk at a time
(:mod:`articlepack._articles`), in parallel across cores (:mod:`articlepack._workers`), and
only when their files changed since the last read (:mod:`articlepack._cache`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import _articles, _cache, _cachefiles, _files, _workers, flatten, layers, shape
from articlepack._corpus import Check
from articlepack._corpus import Checked as Checked  # re-exported: what read_checked() returns
from articlepack._corpus import Corpus as Corpus  # re-exported: what read() returns
from articlepack._files import DATASET as DATASET  # re-exported: the checks name files by it
from articlepack._files import ENTITIES, WAIVERS, inside
from articlepack._files import article_file as article_file  # re-exported, as DATASET
from articlepack._files import article_folder as article_folder  # re-exported, as DATASET
from articlepack.errors import ProjectError as ProjectError  # re-exported: callers import it here
from articlepack.report import Finding
from articlepack.schema import TableSchema, article_tables, load_schemas

if TYPE_CHECKING:
    import polars as pl


def read(root: Path | str, *, workers: int | None = None, cache: bool = True) -> Corpus:
    """Read the project at ``root``. Problems in the data become findings, not exceptions.

    Raises :class:`ProjectError` only when ``root`` is not a usable project at all (no folder,
    no ``corpus/``, no usable ``schemas/``).
    """
    return read_checked(root, workers=workers, cache=cache)[0]


def read_checked(
    root: Path | str,
    *,
    workers: int | None = None,
    cache: bool = True,
    check: Check | None = None,
) -> tuple[Corpus, Checked]:
    """:func:`read`, and what is known of ``check`` on each article folder already.

    Worker processes that read many articles run ``check`` on each chunk of them, while its
    rows are at hand; what it finds, and what the cache holds for unchanged folders, is
    returned as :class:`Checked`. Validation gives :func:`articlepack.checks.check_articles`,
    the checks within each article; it must be a top-level function, which the workers are
    sent by name.
    """
    root = _project(root)
    started = time.time_ns()
    rows = flatten.Rows()
    folders = list(_files.article_folders(root, rows.findings))
    store = _cache.Store(root, cache)
    if not store.exists():  # a cold read: start the workers' server at once
        _workers.warm_up(len(folders), workers)
    schemas, dataset, waivers = _small_files(root, rows)
    with store.spool() as spool, _workers.paused_gc():  # its objects hold no cycles
        articles, checked = _read_folders(
            root, folders, schemas, workers, store, spool, started, check
        )
    tables = {**flatten.frames(rows, schemas, shape.layout(schemas).in_registry), **articles.tables}
    raw = tables.pop("raw")
    every = [
        *rows.findings,
        *store.warnings,
        *(f for found in articles.findings.values() for f in found),
    ]
    stamp = _cachefiles.stamp(articles) if store.usable else None
    corpus = Corpus(root, dataset or {}, schemas, tables, raw, folders, every, waivers)
    return corpus, Checked(stamp, checked)


def read_outline(root: Path | str) -> Corpus:
    """The project without its articles' rows: its small files read (the registry's rows
    included) and its article folders listed, the article tables empty.

    What the driver of a distributed engine holds (:mod:`articlepack.engine`) while the engine's
    workers read the article folders, a chunk at a time, with
    :func:`articlepack._articles.read_chunk`. Raises :class:`ProjectError` as :func:`read` does.
    """
    root = _project(root)
    rows = flatten.Rows()
    folders = list(_files.article_folders(root, rows.findings))
    schemas, dataset, waivers = _small_files(root, rows)
    registry = flatten.frames(rows, schemas, shape.layout(schemas).in_registry)
    tables = {**registry, **_articles.empty(schemas)}
    raw = tables.pop("raw")
    return Corpus(root, dataset or {}, schemas, tables, raw, folders, rows.findings, waivers)


def _project(root: Path | str) -> Path:
    """``root`` resolved, once shown to be a project that reads nothing outside itself."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise ProjectError(f"{root} is not a folder")
    if not (root / "corpus").is_dir():
        raise ProjectError(f"{root} is not a dataset project: it has no corpus/ folder")
    for folder in ("corpus", "schemas"):
        if (root / folder).exists() and not inside(root, root / folder):
            raise ProjectError(
                f"{root / folder} leads outside the project (a symlink?); "
                "articlepack reads nothing through it"
            )
    return root


def _small_files(
    root: Path, rows: flatten.Rows
) -> tuple[dict[str, TableSchema], dict[str, Any] | None, list[dict[str, Any]]]:
    """The schemas, corpus/dataset.yaml and the waivers; the registry's rows go into ``rows``,
    and what is wrong in those files into ``rows.findings``."""
    schemas = project_schemas(root)
    dataset = _files.read_mapping(root, DATASET, rows.findings)
    layout = shape.layout(schemas)
    entities = _files.read_mapping(root, ENTITIES, rows.findings, optional=True) or {}
    registry = (layout.registry,) if layout.registry else ()
    only_keys(entities, tuple(key for key, _ in registry), ENTITIES.as_posix(), rows.findings)
    for key, table in registry:
        flatten.flatten_list(entities, key, table, layout, ENTITIES.as_posix(), rows, {})
    waivers = _waivers(
        _files.read_mapping(root, WAIVERS, rows.findings, optional=True) or {}, rows.findings
    )
    return schemas, dataset, waivers


def _read_folders(
    root: Path,
    folders: list[str],
    schemas: dict[str, TableSchema],
    workers: int | None,
    store: _cache.Store,
    spool: str,
    started: int,
    check: Check | None,
) -> tuple[_cachefiles.Cached, dict[str, list[Finding]]]:
    """The article folders as tables and findings, reading only what the cache does not hold;
    and what ``check`` found, cached for the folders not read again. Workers write into
    ``spool``.

    A folder is taken from the cache when neither it nor its files changed (by size, mtime,
    ctime and inode) since the cached read; an article.yaml whose bytes are unchanged (by
    sha256) is not parsed again. When the workers cannot write their files (a full disk),
    this process reads the folders itself, and the read is not cached.
    """
    cache_key = _cache.key(root / "schemas")
    empty = _articles.empty(schemas)
    cached = store.load(cache_key, {name: table.schema for name, table in empty.items()})
    signatures = {f: _files.signature(root, f) for f in folders}
    if cached is None:
        cached = _cachefiles.Cached(cache_key, 0, {}, {}, {}, empty)
    kept = [f for f in folders if cached.unchanged(f, signatures[f])]
    found = cached.checks if kept else None
    checked = {} if found is None else {f: found.get(f, []) for f in kept}
    fresh = set(folders) - set(kept)
    jobs = [(f, cached.hashes.get(f)) for f in folders if f in fresh]
    try:
        chunks = _workers.read(root, jobs, workers, schemas, check, spool)
    except OSError as exc:
        store.failed(f"the reader's workers could not write their files in {spool}", exc, spool)
        chunks = _workers.read(root, jobs, 1, schemas, check, spool)  # in this process: no files
    checked.update(item for chunk in chunks for item in chunk.checked.items())

    same = [f for chunk in chunks for f in chunk.same]  # re-read, but article.yaml unchanged
    gone = set(cached.signatures) - set(folders)
    if not (jobs or gone):
        return cached, checked  # nothing changed
    tables, files = _merge_tables(schemas, cached, chunks, fresh, gone, same)
    hashes = {**cached.hashes, **{f: h for chunk in chunks for f, h in chunk.hashes.items()}}
    findings = _merge_findings(cached, chunks, kept, same)
    read_now = _cachefiles.Cached(
        cache_key,
        started,
        signatures,
        {f: hashes[f] for f in folders if f in hashes},
        {f: findings.get(f, []) for f in folders},
        tables,
        files=files,
        digests={name: h for chunk in chunks for name, h in chunk.digests.items()},
    )
    if store.usable:
        changed = {article_file(f, name) for f in fresh | gone for name in _files.ARTICLE_FILES}
        store.save(read_now, cached if cached.started_ns else None, changed)
    return read_now, checked


def _merge_tables(
    schemas: dict[str, TableSchema],
    cached: _cachefiles.Cached,
    chunks: list[_articles.Chunk],
    fresh: set[str],
    gone: set[str],
    same: list[str],
) -> tuple[dict[str, pl.DataFrame], dict[str, list[str]]]:
    """The cached tables without the rows of the folders read now (``fresh``, but for the
    article.yaml of those in ``same``) or ``gone``, then the rows read now; and, for a table
    whose rows are all in the workers' files, those files."""
    import polars as pl

    # Rows stay in the order they were first read in; the rows of files read now come last.
    dropped = {  # files whose rows were read now, or whose folder is gone
        "raw": [article_file(f, "raw.txt") for f in fresh | gone],
        "yaml": [article_file(f, "article.yaml") for f in (fresh - set(same)) | gone],
    }
    tables, files = {}, {}
    for name in (*article_tables(schemas), "raw"):
        replaced = dropped["raw" if name == "raw" else "yaml"]
        old = cached.tables[name]
        new = [chunk.tables.pop(name) for chunk in chunks]
        old = old.filter(~pl.col("_file").is_in(replaced)) if replaced else old
        tables[name] = pl.concat([old, *new], rechunk=False)  # never a second copy of it all
        if old.height == 0 and chunks and all(chunk.files for chunk in chunks):
            files[name] = [chunk.files[name] for chunk in chunks]  # the workers' files hold it
    return tables, files


def _merge_findings(
    cached: _cachefiles.Cached, chunks: list[_articles.Chunk], kept: list[str], same: list[str]
) -> dict[str, list[Finding]]:
    """Each folder's findings: the cached ones of the folders ``kept``, and of the article.yaml
    of those in ``same``; then those of the files read now."""
    findings = {f: cached.findings.get(f, []) for f in kept}
    for f in same:
        findings[f] = [
            x for x in cached.findings.get(f, []) if x.file == article_file(f, "article.yaml")
        ]
    for chunk in chunks:
        for finding in chunk.findings:
            findings.setdefault(article_folder(finding.file), []).append(finding)
    return findings


def project_schemas(root: Path) -> dict[str, TableSchema]:
    """The project's Table Schemas, checked to describe every column the reader fills."""
    directory = root / "schemas"
    if not directory.is_dir():
        raise ProjectError(
            f"{root} is not a usable dataset project: it has no schemas/ folder (the Table Schemas "
            "of its tables; `articlepack init` writes them)"
        )
    try:
        schemas = load_schemas(directory)
    except ValueError as exc:
        raise ProjectError(str(exc)) from None
    for name, schema in schemas.items():
        where = f"schemas/{name}.schema.yaml"
        try:
            columns = set(schema.columns)
            schema.polars()
            _ = (
                schema.primary_key,
                schema.foreign_keys,
                schema.spans,
                schema.dates,
                schema.derived,
                schema.not_after,
                schema.paths,
            )
            missing = sorted(schema.context - columns)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ProjectError(
                f"{where} is not a Table Schema articlepack can use ({exc!r})"
            ) from None
        if missing:
            raise ProjectError(
                f"{where} lacks the field(s) {', '.join(missing)} that its rows' place fills"
            )
    try:
        shape.layout(schemas)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProjectError(f"schemas/: {exc}") from None
    layers.check(schemas)  # a SchemaError (a ProjectError) that names the schema file
    return schemas


def _waivers(doc: dict[str, Any], findings: list[Finding]) -> list[dict[str, Any]]:
    file = WAIVERS.as_posix()
    only_keys(doc, ("waivers",), file, findings)
    items = doc.get("waivers")
    if items is None:
        return []
    if not isinstance(items, list):
        findings.append(Finding("wrong-type", file, "`waivers` must be a list", path=("waivers",)))
        return []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            out.append(item)
        else:
            findings.append(
                Finding(
                    "bad-waiver",
                    file,
                    f"`waivers[{i}]` must be a mapping {{code, file, id, reason}}",
                    path=("waivers", i),
                )
            )
    return out


def only_keys(
    doc: dict[str, Any], allowed: tuple[str, ...], file: str, findings: list[Finding]
) -> None:
    for key in doc:
        if key not in allowed:
            findings.append(
                Finding(
                    "unknown-key",
                    file,
                    f"unknown key {shape.quote_key(key)} (allowed here: {', '.join(allowed)})",
                    path=(key,),
                )
            )
