"""The reader's cache: what each article folder was read as, and when its files last changed.

Re-validating after a small change then reads only the article folders that changed. As git
does with its index, a folder whose files have the same size, mtime, ctime and inode as at the
cached read is not read at all, unless a file changed within
:data:`~articlepack._cachefiles.RACY_NS` of that read (a later change could then leave the times
unchanged); a re-read article.yaml is parsed again only when its sha256 differs from the cached
one.

The cache is a convenience, never a source of truth. It lives outside the project, one folder
per project path (:mod:`articlepack._cachedir`: where, who may use it, how large it may grow),
and holds data alone (:mod:`articlepack._cachefiles`: which files, and how they are checked).

- A file that fails its check discards the project's cache, with a ``cache-discarded`` warning:
  everything is read anew.
- A folder that cannot be written (a full or read-only disk), or that others may write, gives a
  ``cache-unusable`` warning and an uncached run; what was half written is removed.
- Runs on one project take turns to load and to save; a run that finds a read saved since it
  loaded keeps that one rather than its own. A save removes the workers' folders that runs
  killed long ago left behind.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from articlepack import _cachedir, _cachefiles
from articlepack.__about__ import __version__
from articlepack._cachefiles import Cached, Discarded
from articlepack.report import Finding
from articlepack.verify import sha256_file

if TYPE_CHECKING:
    import polars as pl


def key(schema_dir: Path) -> str:
    """What invalidates the cache as a whole: articlepack's version and the Table Schemas."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(schema_dir.glob("*.schema.yaml")):
        digest.update(path.name.encode() + b"\0" + _file_hash(path).encode())
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    """The sha256 of a file, or "" if it cannot be read."""
    try:
        return sha256_file(path)
    except OSError:
        return ""


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
        return self.usable and (self.folder / _cachefiles.MANIFEST).is_file()

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
        manifest = _cachefiles.read_manifest(self.folder)
        self._seen = _cachefiles.stamp_of(manifest)
        if manifest["key"] != cache_key:
            return None  # another articlepack version or other schemas: a full read
        cached = _cachefiles.load(self.folder, manifest, schemas)
        _cachedir.used(self.folder)
        return cached

    def save(self, cached: Cached, previous: Cached | None, changed: set[str]) -> None:
        """Write ``cached`` (see :func:`articlepack._cachefiles.save`); a project whose folder
        cannot be written simply goes uncached."""
        if not self._prepare():
            return
        with self._turn() as turn:
            if (
                not turn
                or _cachefiles.stamp_of(_cachefiles.current_manifest(self.folder)) != self._seen
            ):
                return  # another run saved its read since this one loaded: keep that
            try:
                _cachefiles.save(self.folder, cached, previous, changed)
            except OSError as exc:
                _cachefiles.clear(self.folder)
                self.failed("the cache cannot be written", exc)
                return
            self._seen = _cachefiles.stamp(cached)
            _cachedir.evict(self.folder)

    def save_checks(self, read_stamp: str, findings: dict[str, list[Finding]]) -> None:
        """Cache the per-article check findings of every folder of the read ``read_stamp``,
        if that read is still the one on disk."""
        if not self._prepare():
            return
        with self._turn() as turn:
            manifest = _cachefiles.current_manifest(self.folder) if turn else None
            if manifest is None or _cachefiles.stamp_of(manifest) != read_stamp:
                return  # not cached, or another read was saved since
            try:
                _cachefiles.save_checks(self.folder, manifest, findings)
            except (KeyError, TypeError):
                return  # not a manifest this version writes
            except OSError as exc:
                (self.folder / _cachefiles.CHECKS).unlink(missing_ok=True)
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
        _cachefiles.clear(self.folder)
        message = f"the cache was discarded and every article read again: {reason}"
        self.warnings.append(Finding("cache-discarded", str(self.folder), message))


def save_checks(root: Path, read_stamp: str, findings: dict[str, list[Finding]]) -> list[Finding]:
    """:meth:`Store.save_checks` for the project at ``root``; returns its warnings."""
    store = Store(root)
    store.save_checks(read_stamp, findings)
    return store.warnings
