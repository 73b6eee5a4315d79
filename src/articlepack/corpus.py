"""Read a dataset project into polars tables whose rows remember their file and YAML path.

Reading checks the *shape* of what it reads (known keys, value types, see
:mod:`articlepack.shape`). Everything else about the values (enums, patterns, ranges, keys,
spans) is checked by :mod:`articlepack.checks` on whole columns. Article folders are read in
parallel across cores, and a folder whose files have not changed since the last read is taken
from the cache (:mod:`articlepack._cache`) instead.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import multiprocessing
import multiprocessing.forkserver
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from articlepack import _cache, _yaml, shape
from articlepack._imports import HIDE_UNNEEDED
from articlepack.errors import ProjectError as ProjectError  # re-exported: callers import it here
from articlepack.report import Finding
from articlepack.schema import TableSchema, article_tables, load_schemas
from articlepack.verify import sha256_file

if TYPE_CHECKING:
    import polars as pl

ARTICLES_DIR = Path("corpus", "articles")
PARALLEL_FROM = 200  # articles; below this, process start-up costs more than it saves
_CHUNK = 250  # articles flattened at a time, and the fewest a worker is given at a time
_MAX_CHUNK = 5_000  # the most: each chunk's checks cost 0.2 s more, each article ~0.1 MB
_CHECK_FROM = 5_000  # articles; below this, workers leave the checks to the parent (faster)
RAW_SCHEMA = ("article_id", "raw", "sha256", "_file")  # the columns of Corpus.raw, all strings


@dataclass(frozen=True)
class Corpus:
    """A dataset project read into tables. Rows carry ``_file`` and ``_path`` (the YAML path)."""

    root: Path
    dataset: dict[str, Any]
    schemas: dict[str, TableSchema]
    tables: dict[str, pl.DataFrame]
    raw: pl.DataFrame  # article_id, raw, sha256, _file
    folders: list[str]
    findings: list[Finding]
    waivers: list[dict[str, Any]]
    #: the read's identity in the cache, under which the checks of its articles are cached
    stamp: str | None = None
    #: folder -> its articles' check findings, cached from a read since which it did not change
    checked: dict[str, list[Finding]] = field(default_factory=dict)

    @property
    def n_articles(self) -> int:
        return len(self.folders)


@dataclass
class _Rows(shape.Rows):
    """Rows and findings, plus the raw texts read (a column each of :data:`RAW_SCHEMA`)."""

    raw: dict[str, list[Any]] = field(default_factory=lambda: {c: [] for c in RAW_SCHEMA})


def read(
    root: Path | str, *, workers: int | None = None, cache: bool = True, checks: bool = True
) -> Corpus:
    """Read the project at ``root``. Problems in the data become findings, not exceptions.

    With ``checks``, worker processes that read many articles also run the checks within each
    of them (:func:`articlepack.checks.check_articles`), while its rows are at hand; their
    findings go in :attr:`Corpus.checked`.

    Raises :class:`ProjectError` only when ``root`` is not a usable project at all (no folder,
    no ``corpus/``, no usable ``schemas/``).
    """
    root = Path(root).resolve()
    if not root.is_dir():
        raise ProjectError(f"{root} is not a folder")
    if not (root / "corpus").is_dir():
        raise ProjectError(f"{root} is not a dataset project: it has no corpus/ folder")
    for folder in ("corpus", "schemas"):
        if (root / folder).exists() and not _inside(root, root / folder):
            raise ProjectError(
                f"{root / folder} leads outside the project (a symlink?); "
                "articlepack reads nothing through it"
            )
    started = time.time_ns()
    rows = _Rows()
    folders = list(_article_folders(root, rows))
    store = _cache.Store(root, cache)
    if not store.exists():  # a cold read: start the workers' server at once
        _warm_up(len(folders), workers)
    schemas = _schemas(root)
    dataset = _read_mapping(root, DATASET, rows)
    layout = shape.layout(schemas)
    entities = _read_mapping(root, ENTITIES, rows, optional=True) or {}
    registry = (layout.registry,) if layout.registry else ()
    _only_keys(entities, tuple(key for key, _ in registry), ENTITIES.as_posix(), rows)
    for key, table in registry:
        shape.flatten_list(entities, key, table, layout, ENTITIES.as_posix(), rows, {})
    waivers = _waivers(_read_mapping(root, WAIVERS, rows, optional=True) or {}, rows)
    with store.spool() as spool:
        articles, checked = _read_folders(
            root, folders, schemas, workers, store, spool, started, checks
        )
    tables = {**shape.frames(rows, schemas, _registry(schemas)), **articles.tables}
    raw = tables.pop("raw")
    every = [
        *rows.findings,
        *store.warnings,
        *(f for found in articles.findings.values() for f in found),
    ]
    stamp = _cache.stamp(articles) if store.usable else None
    return Corpus(
        root, dataset or {}, schemas, tables, raw, folders, every, waivers, stamp, checked
    )


def _read_folders(
    root: Path,
    folders: list[str],
    schemas: dict[str, TableSchema],
    workers: int | None,
    store: _cache.Store,
    spool: str,
    started: int,
    checks: bool,
) -> tuple[_cache.Cached, dict[str, list[Finding]]]:
    """The article folders as tables and findings, reading only what the cache does not hold;
    and the cached check findings of the folders not read again. Workers write into ``spool``.

    A folder is taken from the cache when neither it nor its files changed (by size, mtime,
    ctime and inode) since the cached read; an article.yaml whose bytes are unchanged (by
    sha256) is not parsed again. When the workers cannot write their files (a full disk),
    this process reads the folders itself, and the read is not cached.
    """
    import polars as pl

    cache_key = _cache.key(root / "schemas")
    empty = _empty(schemas)
    cached = store.load(cache_key, {name: table.schema for name, table in empty.items()})
    signatures = {f: _signature(root, f) for f in folders}
    if cached is None:
        cached = _cache.Cached(cache_key, 0, {}, {}, {}, empty)
    kept = [f for f in folders if cached.unchanged(f, signatures[f])]
    found = cached.checks if kept else None
    checked = {} if found is None else {f: found.get(f, []) for f in kept}
    fresh = set(folders) - set(kept)
    jobs = [(f, cached.hashes.get(f)) for f in folders if f in fresh]
    try:
        chunks = _parse(root, jobs, workers, schemas, checks, spool)
    except OSError as exc:
        store.failed(f"the reader's workers could not write their files in {spool}", exc, spool)
        chunks = _parse(root, jobs, 1, schemas, checks, spool)  # in this process: no files
    checked.update(item for chunk in chunks for item in chunk.checked.items())

    same = [f for chunk in chunks for f in chunk.same]  # re-read, but article.yaml unchanged
    # Rows stay in the order they were first read in; the rows of files read now come last.
    gone = set(cached.signatures) - set(folders)
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
    findings = {f: cached.findings.get(f, []) for f in kept}
    for f in same:
        findings[f] = [
            x for x in cached.findings.get(f, []) if x.file == article_file(f, "article.yaml")
        ]
    for chunk in chunks:
        for finding in chunk.findings:
            findings.setdefault(article_folder(finding.file), []).append(finding)
    if not (jobs or gone):
        return cached, checked  # nothing changed
    hashes = {**cached.hashes, **{f: h for chunk in chunks for f, h in chunk.hashes.items()}}
    read_now = _cache.Cached(
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
        changed = {article_file(f, name) for f in fresh | gone for name in _ARTICLE_FILES}
        store.save(read_now, cached if cached.started_ns else None, changed)
    return read_now, checked


def article_file(folder: str, name: str) -> str:
    """The project-relative path of the file ``name`` in the article folder ``folder``."""
    return f"{ARTICLES_DIR.as_posix()}/{folder}/{name}"


def article_folder(file: str) -> str:
    """The article folder of a path made by :func:`article_file`."""
    return file.split("/")[2]


def _signature(root: Path, folder: str) -> list[int]:
    """What changes when the folder or its files change: size, mtime, ctime and inode of each."""
    out: list[int] = []
    base = f"{root}/{ARTICLES_DIR.as_posix()}/{folder}"
    for path in (base, f"{base}/article.yaml", f"{base}/raw.txt"):
        try:
            st = os.stat(path)
        except OSError:
            out += (-1, -1, -1, -1)
        else:
            out += (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    return out


@dataclass(frozen=True)
class _Chunk:
    """What a worker read: findings, tables (with ``raw``), the article.yaml sha256 of each
    folder, the folders whose article.yaml the cache already holds, and check findings."""

    findings: list[Finding]
    tables: dict[str, pl.DataFrame]
    hashes: dict[str, str]
    same: list[str]
    checked: dict[str, list[Finding]]  # folder -> what the checks within its article found
    files: dict[str, str] = field(default_factory=dict)  # the tables, spooled by a worker
    digests: dict[str, str] = field(default_factory=dict)  # file name -> sha256, of ``files``


def _parse(
    root: Path,
    jobs: list[tuple[str, str | None]],
    workers: int | None,
    schemas: dict[str, TableSchema],
    check: bool,
    spool: str,
) -> list[_Chunk]:
    """Read the folders of ``jobs`` (each with the article.yaml sha256 the cache holds), in
    parallel when there are many, in chunks of a few per worker; workers ``check`` too.

    Workers write their tables to Arrow files in ``spool``, which the parent maps into memory:
    nothing is copied through a pipe or unpickled, only the pages the parent reads become
    resident, and the cache can keep the files as they are.
    """
    workers = workers or os.cpu_count() or 1
    if _parallel(len(jobs), workers):
        check = check and len(jobs) >= _CHECK_FROM
        size = min(max(_CHUNK, -(-len(jobs) // (2 * workers))), _MAX_CHUNK)
        chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        n = len(chunks)
        try:
            with ProcessPoolExecutor(
                min(workers, n), mp_context=_start_method(), initializer=_start_worker
            ) as pool:
                spooled = pool.map(
                    _spool, [spool] * n, [root] * n, chunks, [schemas] * n, [check] * n
                )
                return [_unspool(chunk) for chunk in spooled]
        except BrokenProcessPool:  # a worker could not start (a script without a main guard?)
            pass
    return [_read_chunk(root, jobs, schemas)] if jobs else []


def _warm_up(folders: int, workers: int | None) -> None:
    """Start the workers' fork server if ``folders`` will be read in parallel: it imports its
    modules (half a second) while this process does the same and reads the small files."""
    if _parallel(folders, workers) and _start_method().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


def _parallel(folders: int, workers: int | None) -> bool:
    """Whether ``folders`` article folders are read by worker processes."""
    return folders >= PARALLEL_FROM and (workers or os.cpu_count() or 1) > 1


def _start_method() -> multiprocessing.context.BaseContext:
    """Workers start from a fresh server process, never forked from this one: a fork of a
    process whose polars thread pool has run leaves the child waiting on threads it lacks."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["articlepack.corpus", "polars", "pyarrow.compute"])
    return context


def _start_worker() -> None:
    """A worker never needs pandas or hypothesis (see :mod:`articlepack._imports`)."""
    sys.meta_path.insert(0, HIDE_UNNEEDED)


def _spool(
    spool: str,
    root: Path,
    jobs: list[tuple[str, str | None]],
    schemas: dict[str, TableSchema],
    check: bool,
) -> _Chunk:
    """:func:`_read_chunk` in a worker, its tables written to Arrow files in ``spool``, each
    hashed as written (the cache records the sha256 of each file it keeps)."""
    chunk = _read_chunk(root, jobs, schemas, check)
    files, digests = {}, {}
    for name, table in chunk.tables.items():
        handle, files[name] = tempfile.mkstemp(".arrow", f"{name}-", spool)
        os.close(handle)
        table.write_ipc(files[name])
        digests[Path(files[name]).name] = sha256_file(Path(files[name]))
    return replace(chunk, tables={}, files=files, digests=digests)


def _unspool(chunk: _Chunk) -> _Chunk:
    """A worker's chunk with its tables mapped from their files."""
    return replace(chunk, tables={name: _cache.map_arrow(p) for name, p in chunk.files.items()})


def _read_chunk(
    root: Path,
    jobs: list[tuple[str, str | None]],
    schemas: dict[str, TableSchema],
    check: bool = False,
) -> _Chunk:
    """Read article folders: stray files, raw.txt, and article.yaml unless its sha256 is known.

    With ``check``, also run the checks within each article on the folders read whole.
    """
    import polars as pl

    rows = _Rows()
    hashes: dict[str, str] = {}
    same: list[str] = []
    tables = _read_articles(root, jobs, schemas, rows, hashes, same)
    raw = pl.DataFrame(rows.raw, schema=dict.fromkeys(RAW_SCHEMA, pl.String))
    checked: dict[str, list[Finding]] = {}
    if check:
        from articlepack.checks import check_articles

        entities = shape.frames(shape.Rows(), schemas, _registry(schemas))
        part = Corpus(root, {}, schemas, {**tables, **entities}, raw, [], [], [])
        checked = {folder: [] for folder, _ in jobs if folder not in set(same)}
        for finding in check_articles(part):
            checked[article_folder(finding.file)].append(finding)
    return _Chunk(rows.findings, {**tables, "raw": raw}, hashes, same, checked)


def _read_articles(
    root: Path,
    jobs: list[tuple[str, str | None]],
    schemas: dict[str, TableSchema],
    rows: _Rows,
    hashes: dict[str, str],
    same: list[str],
) -> dict[str, pl.DataFrame]:
    """The article tables of ``jobs``' folders; fills ``rows`` (findings, raw texts),
    ``hashes`` and ``same`` (the folders whose article.yaml has the sha256 the job gives).

    Parsed documents become tables :data:`_CHUNK` articles at a time, so that only that many
    are ever held as Python objects.
    """
    import polars as pl

    layout = shape.layout(schemas)
    names = layout.in_articles
    parts = []
    for start in range(0, len(jobs), _CHUNK):
        articles: list[shape.Article] = []
        for folder, known in jobs[start : start + _CHUNK]:
            _read_files(root, folder, rows)
            text = _read_text(root, article_file(folder, "article.yaml"), rows)
            if text is None:
                continue
            hashes[folder] = hashlib.sha256(text.encode()).hexdigest()
            if hashes[folder] == known:
                same.append(folder)
                continue
            article = _article(text, folder, rows)
            if article is not None:
                articles.append(article)
        tables = shape.arrow_frames(articles, layout)
        if tables is None:  # something is out of shape: flatten in Python, which says what
            flat = shape.Rows()
            for article in articles:
                shape.flatten_article(article.doc, article.id, article.file, flat, layout)
            rows.findings += flat.findings
            tables = shape.frames(flat, schemas, names)
        parts.append(tables)
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return shape.frames(shape.Rows(), schemas, names)
    return {name: pl.concat([p[name] for p in parts], rechunk=True) for name in names}


def _empty(schemas: dict[str, TableSchema]) -> dict[str, pl.DataFrame]:
    """Every article table, and ``raw``, with no rows."""
    import polars as pl

    raw = pl.DataFrame(schema=dict.fromkeys(RAW_SCHEMA, pl.String))
    return {**shape.frames(shape.Rows(), schemas, article_tables(schemas)), "raw": raw}


def _registry(schemas: dict[str, TableSchema]) -> tuple[str, ...]:
    """The table read from corpus/entities.yaml, if the schemas declare one."""
    return tuple(n for n, s in schemas.items() if s.source.kind == "registry")


DATASET = Path("corpus", "dataset.yaml")
ENTITIES = Path("corpus", "entities.yaml")
WAIVERS = Path("corpus", "waivers.yaml")


def _schemas(root: Path) -> dict[str, TableSchema]:
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
    return schemas


def _waivers(doc: dict[str, Any], rows: _Rows) -> list[dict[str, Any]]:
    file = WAIVERS.as_posix()
    _only_keys(doc, ("waivers",), file, rows)
    items = doc.get("waivers")
    if items is None:
        return []
    if not isinstance(items, list):
        rows.findings.append(
            Finding("wrong-type", file, "`waivers` must be a list", path=("waivers",))
        )
        return []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            out.append(item)
        else:
            rows.findings.append(
                Finding(
                    "bad-waiver",
                    file,
                    f"`waivers[{i}]` must be a mapping {{code, file, id, reason}}",
                    path=("waivers", i),
                )
            )
    return out


def _only_keys(doc: dict[str, Any], allowed: tuple[str, ...], file: str, rows: _Rows) -> None:
    for key in doc:
        if key not in allowed:
            rows.findings.append(
                Finding(
                    "unknown-key",
                    file,
                    f"unknown key {shape.quote_key(key)} (allowed here: {', '.join(allowed)})",
                    path=(key,),
                )
            )


def _article_folders(root: Path, rows: _Rows) -> Iterator[str]:
    base = root / ARTICLES_DIR
    if not base.is_dir():
        return
    if not _inside(root, base):
        rows.findings.append(
            Finding(
                "unsafe-path",
                ARTICLES_DIR.as_posix(),
                "corpus/articles/ leads outside the project (a symlink?)",
            )
        )
        return
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        rel = f"{ARTICLES_DIR.as_posix()}/{_printable(entry.name)}"
        if not _utf8(entry.name):
            rows.findings.append(Finding("not-utf8", rel, "the name is not valid UTF-8; rename it"))
        elif entry.is_symlink() and not _inside(root, Path(entry.path)):
            rows.findings.append(Finding("unsafe-path", rel, _OUTSIDE))
        elif entry.is_dir():
            yield entry.name
        else:
            rows.findings.append(
                Finding("stray-file", rel, "only article folders belong in corpus/articles/")
            )


_OUTSIDE = "symlink leads outside the project (or in a loop); nothing was read through it"


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in a file name arrive as lone surrogates
        return False
    return True


def _printable(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # where there is none, every open checks for a link
_RAW_CHUNK = 1 << 20  # bytes; raw.txt is hashed and decoded a chunk at a time


def _open(root: Path, name: str, rows: _Rows, *, optional: bool = False) -> BinaryIO | None:
    """Open the regular file ``root/name`` for reading; problems become findings.

    Never follows a symlink out of the project, and never blocks on a FIFO or device.
    """
    try:
        fd = _open_fd(root, f"{root}/{name}")
    except FileNotFoundError:
        if not optional:
            missing = name.rsplit("/", 1)[-1]
            rows.findings.append(Finding("missing-file", name, f"{missing} is missing"))
        return None
    except OSError as exc:
        rows.findings.append(Finding("unreadable", name, f"cannot read the file: {exc.strerror}"))
        return None
    if fd is None:
        rows.findings.append(Finding("unsafe-path", name, _OUTSIDE))
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        rows.findings.append(
            Finding("unreadable", name, "not a regular file (a folder, pipe or device)")
        )
        return None
    return os.fdopen(fd, "rb")


def _open_fd(root: Path, path: str) -> int | None:
    """A descriptor for ``path``, or None for a symlink that leads out of the project."""
    if _NOFOLLOW:
        try:
            return os.open(path, _OPEN_FLAGS | _NOFOLLOW)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
    # a symlink, or a system that cannot refuse one at open: follow it only inside the project
    if Path(path).is_symlink() and not _inside(root, Path(path)):
        return None
    return os.open(path, _OPEN_FLAGS)


def _read_text(root: Path, name: str, rows: _Rows, *, optional: bool = False) -> str | None:
    """Read and decode a small UTF-8 file (YAML); problems become findings."""
    handle = _open(root, name, rows, optional=optional)
    if handle is None:
        return None
    try:
        with handle:
            data = handle.read()
    except OSError as exc:
        rows.findings.append(Finding("unreadable", name, f"cannot read the file: {exc.strerror}"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        rows.findings.append(Finding("bom", name, "remove the UTF-8 byte-order mark", line=1))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        rows.findings.append(
            Finding(
                "not-utf8",
                name,
                f"byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8",
                line=line,
            )
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        rows.findings.append(Finding("nul-byte", name, "the file contains a NUL byte", line=line))
        return None
    return text


def _read_raw(root: Path, name: str, rows: _Rows) -> tuple[str, str] | None:
    """Decode raw.txt and hash its bytes as a stream: returns ``(text, sha256 hex)``.

    The bytes are never held whole: each chunk is hashed, then decoded. A byte-order mark is kept
    (offsets count it, as they count every code point) and reported as a warning.
    """
    handle = _open(root, name, rows)
    if handle is None:
        return None
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    pieces: list[str] = []
    fed = lines = 0  # bytes given to the decoder so far; newlines decoded so far
    with handle:
        while True:
            try:
                chunk = handle.read(_RAW_CHUNK)
            except OSError as exc:
                rows.findings.append(
                    Finding("unreadable", name, f"cannot read the file: {exc.strerror}")
                )
                return None
            digest.update(chunk)
            pending = decoder.getstate()[0]
            try:
                piece = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                at = fed - len(pending) + exc.start
                line = lines + data[: exc.start].count(b"\n") + 1
                rows.findings.append(
                    Finding(
                        "not-utf8",
                        name,
                        f"byte {at} (0x{data[exc.start]:02x}) is not valid UTF-8",
                        line=line,
                    )
                )
                return None
            nul = piece.find("\x00")
            if nul >= 0:
                line = lines + piece[:nul].count("\n") + 1
                rows.findings.append(
                    Finding("nul-byte", name, "the file contains a NUL byte", line=line)
                )
                return None
            lines += piece.count("\n")
            fed += len(chunk)
            pieces.append(piece)
            if not chunk:
                break
    text = "".join(pieces)
    del pieces
    if text.startswith("\ufeff"):
        rows.findings.append(
            Finding(
                "raw-bom",
                name,
                "raw.txt starts with a byte-order mark (U+FEFF); offsets count it as character 0",
                line=1,
            )
        )
    return text, digest.hexdigest()


def _read_mapping(
    root: Path, rel: Path, rows: _Rows, *, optional: bool = False
) -> dict[Any, Any] | None:
    text = _read_text(root, rel.as_posix(), rows, optional=optional)
    return None if text is None else _parse_mapping(text, rel.as_posix(), rows)


def _parse_mapping(text: str, name: str, rows: _Rows) -> dict[Any, Any] | None:
    """A YAML text that must hold a mapping; problems become findings."""
    if not text.strip():
        rows.findings.append(Finding("empty-file", name, "the file is empty", line=1))
        return None
    try:
        data = _yaml.loads(text)
    except _yaml.YAMLProblem as exc:
        rows.findings.append(Finding(exc.code, name, exc.message, line=exc.line))
        return None
    if data is None:
        rows.findings.append(
            Finding(
                "empty-file", name, "the file holds no YAML (only comments or blank lines)", line=1
            )
        )
        return None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        rows.findings.append(
            Finding(
                "not-a-mapping",
                name,
                f"expected a mapping of keys, found {kind}",
                line=_first_content_line(text),
            )
        )
        return None
    return data


def _first_content_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "---", "%")):
            return number
    return 1


_ARTICLE_FILES = frozenset({"article.yaml", "raw.txt"})


def _read_files(root: Path, folder: str, rows: _Rows) -> None:
    """An article folder's raw.txt (decoded and hashed) and any stray files beside it."""
    _stray_files(root, folder, rows)
    name = article_file(folder, "raw.txt")
    raw = _read_raw(root, name, rows)
    if raw is not None:
        text, sha256 = raw
        rows.raw["article_id"].append(folder)
        rows.raw["raw"].append(text)
        rows.raw["sha256"].append(sha256)
        rows.raw["_file"].append(name)


def _article(text: str, folder: str, rows: _Rows) -> shape.Article | None:
    """An article.yaml's document; everything found in it is reported against it."""
    name = article_file(folder, "article.yaml")
    doc = _parse_mapping(text, name, rows)
    if doc is None:
        return None
    # Rows are keyed by the id the file declares; the folder name only stands in when there is
    # none. An id is never used to build a path: files are found by folder name alone.
    article_id = doc["id"] if isinstance(doc.get("id"), str) else folder
    if article_id != folder:
        rows.findings.append(
            Finding(
                "id-folder-mismatch",
                name,
                f"id {article_id!r:.80} differs from its folder name {folder!r}",
                id=str(article_id),
                path=("id",),
            )
        )
    return shape.Article(name, article_id, doc)


def _stray_files(root: Path, folder: str, rows: _Rows) -> None:
    """Warn about anything in an article folder besides article.yaml and raw.txt."""
    try:
        names = sorted(os.listdir(f"{root}/{article_file(folder, '')}"))
    except OSError:
        return
    for entry in names:
        if entry not in _ARTICLE_FILES:
            rows.findings.append(
                Finding(
                    "stray-file",
                    article_file(folder, _printable(entry)),
                    "an article folder holds only article.yaml and raw.txt",
                )
            )
