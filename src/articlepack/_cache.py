"""The reader's cache: what each article folder was read as, and when its files last changed.

Re-validating after a small change then reads only the article folders that changed. As git
does with its index, a folder whose files have the same size, mtime, ctime and inode as at the
cached read is not read at all, unless a file changed within :data:`RACY_NS` of that read (a
later change could then leave the times unchanged); a re-read article.yaml is parsed again only
when its sha256 differs from the cached one.

The cache is a convenience, never a source of truth. It lives outside the project, one folder
per project path (:mod:`articlepack._cachedir`: where, who may use it, how large it may grow).
A folder holds the article tables and raw texts as Arrow IPC files (the files the reader's
workers wrote are kept as they are), ``folders.json`` (each folder's file signatures,
article.yaml sha256 and findings), ``checks.json`` (the findings of the checks within each
article) and a small ``manifest.json`` that names them all with their sha256. It holds no code.

- Every file is checked against its recorded sha256, and its name against leaving the folder,
  before it is read; a table must also have the schema the reader expects. A file that fails
  discards the project's cache, with a ``cache-discarded`` warning: everything is read anew.
- A folder that cannot be written (a full or read-only disk), or that others may write, gives a
  ``cache-unusable`` warning and an uncached run; what was half written is removed.
- Runs on one project take turns to load and to save; a run that finds a read saved since it
  loaded keeps that one rather than its own. A save removes the workers' folders that runs
  killed long ago left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from articlepack import _cachedir
from articlepack.__about__ import __version__
from articlepack.report import CODES, Finding
from articlepack.verify import sha256_file

if TYPE_CHECKING:
    import polars as pl

MANIFEST = "manifest.json"  # names every other file with its sha256
FOLDERS = "folders.json"  # the signatures, article.yaml hashes and findings of each folder
CHECKS = "checks.json"  # the per-article check findings of the read the manifest describes
DELTA = ".delta.arrow"  # the rows of files changed since the full tables were written
DELTA_LIMIT = 0.1  # when more than this share of files changed, the full tables are rewritten
RACY_NS = 2_000_000_000  # mtimes this close to the cached read are not trusted
STALE_SPOOL_S = 24 * 3600  # a workers' folder this old was left by a run that was killed
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*\Z")  # a file of the folder: no "/", no ".."
_OURS = re.compile(r".*\.(arrow|json|tmp)\Z")  # what a save writes, hence may remove


@dataclass(frozen=True)
class Cached:
    """A read of the article folders: when it began, what each folder's files were, the
    findings of each folder, and the tables (with ``raw``) their rows are in."""

    key: str
    started_ns: int
    signatures: dict[str, list[int]]  # folder -> (size, mtime, ctime, inode) of it and its files
    hashes: dict[str, str]  # folder -> sha256 of its article.yaml
    findings: dict[str, list[Finding]]
    tables: dict[str, pl.DataFrame]
    #: files whose rows on disk are in the delta tables, not the full ones
    superseded: list[str] = field(default_factory=list)
    #: table -> the Arrow files that hold its rows (the full tables, for a cached read), if any
    files: dict[str, list[str]] = field(default_factory=dict)
    #: file name -> sha256, for the files of ``files``
    digests: dict[str, str] = field(default_factory=dict)
    #: folder -> its articles' check findings (a folder with none left out), if cached
    checks: dict[str, list[Finding]] | None = None

    def unchanged(self, folder: str, signature: list[int]) -> bool:
        """Whether ``folder`` is certainly as it was at this read (its rows can be reused)."""
        if self.signatures.get(folder) != signature:
            return False
        mtimes = signature[1::4]
        return -1 not in signature[::4] and max(mtimes) < self.started_ns - RACY_NS


def file_hash(path: Path) -> str:
    """The sha256 of a file, or "" if it cannot be read."""
    try:
        return sha256_file(path)
    except OSError:
        return ""


def key(schema_dir: Path) -> str:
    """What invalidates the cache as a whole: articlepack's version and the Table Schemas."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(schema_dir.glob("*.schema.yaml")):
        digest.update(path.name.encode() + b"\0" + file_hash(path).encode())
    return digest.hexdigest()


def stamp(cached: Cached) -> str:
    """What identifies a read: the checks of its folders are cached under it."""
    return f"{cached.key}:{cached.started_ns}"


class Discarded(Exception):
    """A cached file failed its check; the message says which and how."""


class Store:
    """One project's cache folder, as one read uses it.

    Nothing here raises: what goes wrong becomes a warning in :attr:`warnings`, and a folder
    that cannot be used or written leaves the read uncached (:attr:`usable` false).
    """

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.folder = _cachedir.directory(root)
        self.usable = enabled
        self.warnings: list[Finding] = []
        self._ready = False
        self._seen: str | None = None  # the stamp of the read on disk when this run loaded

    def exists(self) -> bool:
        """Whether a read of the project is cached (under any key)."""
        return self.usable and (self.folder / MANIFEST).is_file()

    def failed(self, doing: str, exc: OSError | None = None, where: str | None = None) -> None:
        """Give up on the cache for this run: ``doing`` (in ``where``) failed, with ``exc``."""
        self.usable = False
        why = f" ({exc.strerror or exc})" if exc else ""
        message = f"{doing}{why}; this run is not cached"
        self.warnings.append(Finding("cache-unusable", where or str(self.folder), message))

    def spool(self) -> tempfile.TemporaryDirectory[str]:
        """A temporary folder for the files of the reader's workers: in the project's cache
        folder when it is used, so that :meth:`save` keeps them by renaming, not rewriting them.
        Only its owner may write there, and its files are this run's own: they are mapped
        unchecked, and the sha256 the workers took as they wrote them goes into the manifest."""
        where = self.folder if self._prepare() else None
        return tempfile.TemporaryDirectory(prefix="spool-", dir=where, ignore_cleanup_errors=True)

    def load(self, cache_key: str, schemas: dict[str, pl.Schema]) -> Cached | None:
        """The cached read, if there is one under ``cache_key`` whose every file passes its
        check and whose tables have ``schemas``; a cache that fails is discarded."""
        import polars as pl

        if not (self.exists() and self._prepare()):
            return None
        with self._turn() as turn:
            try:
                return self._load(cache_key, schemas) if turn else None
            except Discarded as exc:
                self._discard(str(exc))
            except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError) as exc:
                self._discard(f"it cannot be read ({type(exc).__name__}: {exc})")
        return None

    def _load(self, cache_key: str, schemas: dict[str, pl.Schema]) -> Cached | None:
        import polars as pl

        manifest = _json(self.folder / MANIFEST)
        self._seen = _stamp_of(manifest)
        if manifest["key"] != cache_key:
            return None  # another articlepack version or other schemas: a full read
        digests: dict[str, str] = manifest["files"]
        _verify(self.folder, digests)
        tables: dict[str, list[str]] = manifest["tables"]
        read = _json(self.folder / FOLDERS)
        superseded = [str(file) for file in read["superseded"]]
        files = {name: [str(self.folder / file) for file in tables[name]] for name in schemas}
        frames = {}
        for name, schema in schemas.items():
            parts = [*tables[name], *([f"{name}{DELTA}"] if superseded else [])]
            if not set(parts) <= set(digests):
                raise Discarded(f"the manifest lists a file of {name} without its sha256")
            frame = pl.concat(map(pl.read_ipc, files[name]), rechunk=False)
            if superseded:
                delta = pl.read_ipc(self.folder / f"{name}{DELTA}")
                kept = frame.filter(~pl.col("_file").is_in(superseded))
                frame = pl.concat([kept, delta], rechunk=False)
            if frame.schema != schema:
                raise Discarded(f"its {name} table does not have the expected columns and types")
            frames[name] = frame
        checks = _json(self.folder / CHECKS)["findings"] if CHECKS in digests else None
        _cachedir.used(self.folder)
        return Cached(
            cache_key,
            int(manifest["started_ns"]),
            dict(read["signatures"]),
            dict(read["hashes"]),
            _findings(read["findings"]),
            frames,
            superseded,
            files,
            {name: digests[name] for names in tables.values() for name in names},
            None if checks is None else _findings(checks),
        )

    def save(self, cached: Cached, previous: Cached | None, changed: set[str]) -> None:
        """Write ``cached``; a project whose folder cannot be written simply goes uncached.

        When ``previous`` (the read on disk) differs from ``cached`` only in the rows of a few
        files (``changed``, by ``_file``), only those rows are written, beside the tables on
        disk. Otherwise the tables are written whole, or, when ``cached.files`` holds them (the
        reader's workers wrote them, into :meth:`spool`), those files are moved into the cache.
        """
        if not self._prepare():
            return
        with self._turn() as turn:
            if not turn or _stamp_of(_manifest(self.folder)) != self._seen:
                return  # another run saved its read since this one loaded: keep that
            try:
                self._save(cached, previous, changed)
            except OSError as exc:
                _clear(self.folder)
                self.failed("the cache cannot be written", exc)
                return
            self._seen = stamp(cached)
            _cachedir.evict(self.folder)

    def _save(self, cached: Cached, previous: Cached | None, changed: set[str]) -> None:
        import polars as pl

        folder = self.folder
        superseded = sorted({*previous.superseded, *changed}) if previous else []
        files = 2 * len(cached.signatures)  # article.yaml and raw.txt of each folder
        rewrite = previous is None or len(superseded) > DELTA_LIMIT * files
        (folder / MANIFEST).unlink(missing_ok=True)  # no manifest while the tables change
        tables: dict[str, list[str]] = {}
        digests: dict[str, str] = {}
        for name, frame in cached.tables.items():
            if previous is None or rewrite:
                tables[name] = _keep(folder, cached, name, digests)
            else:
                tables[name] = [Path(file).name for file in previous.files[name]]
                digests.update((file, previous.digests[file]) for file in tables[name])
                delta = f"{name}{DELTA}"
                frame.filter(pl.col("_file").is_in(superseded)).write_ipc(folder / "delta.tmp")
                os.replace(folder / "delta.tmp", folder / delta)
                digests[delta] = sha256_file(folder / delta)
        read = {
            "signatures": cached.signatures,
            "hashes": cached.hashes,
            "findings": _dump(cached.findings),
            "superseded": [] if rewrite else superseded,
        }
        digests[FOLDERS] = _write(folder / FOLDERS, read)
        manifest = {
            "key": cached.key,
            "started_ns": cached.started_ns,
            "tables": tables,
            "files": digests,
        }
        _write(folder / MANIFEST, manifest)
        for old in folder.iterdir():  # the files of the read this one replaces
            if _OURS.match(old.name) and old.name not in {*digests, MANIFEST}:
                old.unlink(missing_ok=True)
            elif old.name.startswith("spool-") and _age(old) > STALE_SPOOL_S:
                shutil.rmtree(old, ignore_errors=True)

    def save_checks(self, read_stamp: str, findings: dict[str, list[Finding]]) -> None:
        """Cache the per-article check findings of every folder of the read ``read_stamp``,
        if that read is still the one on disk."""
        if not self._prepare():
            return
        with self._turn() as turn:
            manifest = _manifest(self.folder) if turn else None
            if manifest is None or _stamp_of(manifest) != read_stamp:
                return  # not cached, or another read was saved since
            try:
                manifest["files"][CHECKS] = _write(
                    self.folder / CHECKS, {"findings": _dump(findings)}
                )
                _write(self.folder / MANIFEST, manifest)
            except (KeyError, TypeError):
                return  # not a manifest this version writes
            except OSError as exc:
                (self.folder / CHECKS).unlink(missing_ok=True)
                self.failed("the checks' findings cannot be written", exc)

    def _prepare(self) -> bool:
        """Make the project's folder (its owner's alone, marked as articlepack's) if it is used
        and trusted; what stops it is a warning."""
        if self._ready or not self.usable:
            return self._ready
        try:
            problem = _cachedir.prepare(self.folder)
        except OSError as exc:
            self.failed("the cache folder cannot be made", exc)
            return False
        if problem:
            self.failed(f"{problem}: it is not used, nor written")
            return False
        self._ready = True
        return True

    @contextmanager
    def _turn(self) -> Iterator[bool]:
        """Hold the project's lock while this run loads or saves; False (with a warning) when
        it cannot be taken. Errors within the turn are the caller's."""
        import filelock

        lock = _cachedir.lock(self.folder)
        try:
            lock.acquire()
        except OSError as exc:  # filelock.Timeout too
            busy = f"another run held its lock for {_cachedir.LOCK_TIMEOUT} s"
            self.failed(
                busy if isinstance(exc, filelock.Timeout) else "its lock cannot be taken", exc
            )
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    def _discard(self, reason: str) -> None:
        self._seen = None
        _clear(self.folder)
        message = f"the cache was discarded and every article read again: {reason}"
        self.warnings.append(Finding("cache-discarded", str(self.folder), message))


def save_checks(root: Path, read_stamp: str, findings: dict[str, list[Finding]]) -> list[Finding]:
    """:meth:`Store.save_checks` for the project at ``root``; returns its warnings."""
    store = Store(root)
    store.save_checks(read_stamp, findings)
    return store.warnings


def map_arrow(path: str | Path) -> pl.DataFrame:
    """A table from an Arrow IPC file this process's own workers just wrote (into
    :meth:`Store.spool`), mapped into memory rather than copied (pages are read only when
    used). Not for files from elsewhere: the buffers are not checked, and a corrupt file could
    crash the process."""
    import polars as pl
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    return cast("pl.DataFrame", pl.from_arrow(table, rechunk=False))


def _verify(folder: Path, digests: dict[str, str]) -> None:
    """Raise :class:`Discarded` unless every file of ``digests`` is a regular file of
    ``folder`` (by a plain name) with that sha256. Files are hashed on several threads."""
    from concurrent.futures import ThreadPoolExecutor

    outside = [name for name in digests if not _NAME.match(str(name))]
    if outside:
        raise Discarded(f"its manifest names files outside its folder: {outside!r:.200}")
    if FOLDERS not in digests:
        raise Discarded(f"its manifest does not name {FOLDERS}")

    def differs(name: str) -> str | None:
        try:
            same = stat.S_ISREG(os.lstat(folder / name).st_mode) and (
                sha256_file(folder / name) == digests[name]
            )
        except OSError:
            same = False
        return None if same else name

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        changed = sorted(filter(None, pool.map(differs, digests)))
    if changed:
        raise Discarded(f"{', '.join(changed)} changed or went missing since written")


def _keep(folder: Path, cached: Cached, name: str, digests: dict[str, str]) -> list[str]:
    """The names of the files in ``folder`` that now hold the table ``name`` of ``cached``;
    their sha256 go into ``digests``."""
    if cached.files.get(name):
        kept = []
        for file in cached.files[name]:
            kept.append(Path(file).name)
            os.replace(file, folder / kept[-1])
            digests[kept[-1]] = cached.digests[kept[-1]]
        return kept
    file = f"{name}-{cached.started_ns}.arrow"
    cached.tables[name].write_ipc(folder / f"{file}.tmp")
    os.replace(folder / f"{file}.tmp", folder / file)
    digests[file] = sha256_file(folder / file)
    return [file]


def _manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest on disk, if there is one that can be read."""
    try:
        return _json(folder / MANIFEST)
    except (OSError, ValueError, TypeError):
        return None


def _stamp_of(manifest: dict[str, Any] | None) -> str | None:
    """The :func:`stamp` of the read a manifest describes."""
    return None if manifest is None else f"{manifest.get('key')}:{manifest.get('started_ns')}"


def _clear(folder: Path) -> None:
    """Remove what saves write (the manifest first); never the marker, lock or live spools."""
    try:
        (folder / MANIFEST).unlink(missing_ok=True)
        for path in folder.iterdir():
            if _OURS.match(path.name) and not path.is_dir():
                path.unlink(missing_ok=True)
    except OSError:
        return


def _age(path: Path) -> float:
    """Seconds since ``path`` last changed (a folder: since a file was added to it)."""
    return time.time() - os.lstat(path).st_mtime


def _json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_bytes())
    if not isinstance(data, dict):
        raise TypeError(f"{path.name} is not a JSON object")
    return data


def _write(path: Path, data: dict[str, Any]) -> str:
    """Write ``data`` as JSON, atomically; return the sha256 of what was written."""
    body = json.dumps(data).encode()
    path.with_suffix(".tmp").write_bytes(body)
    os.replace(path.with_suffix(".tmp"), path)
    return hashlib.sha256(body).hexdigest()


def _dump(findings: dict[str, list[Finding]]) -> dict[str, list[dict[str, Any]]]:
    return {
        article: [
            {
                "code": f.code,
                "file": f.file,
                "message": f.message,
                "line": f.line,
                "id": f.id,
                "path": [p if isinstance(p, str | int) else repr(p) for p in f.path],
            }
            for f in found
        ]
        for article, found in findings.items()
        if found
    }


def _findings(data: dict[str, list[dict[str, Any]]]) -> dict[str, list[Finding]]:
    """Findings as :func:`_dump` wrote them; anything else raises :class:`Discarded`."""
    out = {}
    for article, found in data.items():
        out[article] = [
            Finding(f["code"], f["file"], f["message"], f["line"], f["id"], tuple(f["path"]))
            for f in found
        ]
        for f in out[article]:
            if f.code not in CODES or not (isinstance(f.file, str) and isinstance(f.message, str)):
                raise Discarded(f"it holds a finding articlepack does not write ({f.code!r:.40})")
    return out
