"""The reader's cache: what each article folder was read as, and when its files last changed.

Re-validating after a small change then reads only the article folders that changed. As git
does with its index, a folder whose files have the same size, mtime, ctime and inode as at the
cached read is not read at all, unless a file changed within :data:`RACY_NS` of that read (a
later change could then leave the times unchanged); a re-read article.yaml is parsed again only
when its sha256 differs from the cached one.

The cache lives outside the project, in ``$ARTICLEPACK_CACHE`` or ``$XDG_CACHE_HOME/articlepack``
(default ``~/.cache/articlepack``), one folder per project path: the article tables and raw texts
as Arrow IPC files (one or more per table: the files the reader's workers wrote are kept as they
are), and a JSON manifest with the files of each table, each folder's file signatures,
article.yaml sha256 and findings. It holds no code (no pickle), so a planted cache can at worst
make validation wrong until the files it describes change; it is keyed by the articlepack
version and the schemas, and any problem reading it means a full read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from articlepack.__about__ import __version__
from articlepack.report import Finding
from articlepack.verify import sha256_file

if TYPE_CHECKING:
    import polars as pl

MANIFEST = "manifest.json"
DELTA = ".delta.arrow"  # the rows of files changed since the full tables were written
DELTA_LIMIT = 0.1  # when more than this share of files changed, the full tables are rewritten
CHECKS = "checks.json"  # the per-article check findings of the read the manifest describes
RACY_NS = 2_000_000_000  # mtimes this close to the cached read are not trusted


def directory(root: Path) -> Path:
    """The cache folder of the project at ``root`` (read from the environment at call time)."""
    base = os.environ.get("ARTICLEPACK_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "articlepack"
    )
    return Path(base) / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]


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


def exists(root: Path) -> bool:
    """Whether a read of the project at ``root`` is cached (under any key)."""
    return (directory(root) / MANIFEST).is_file()


def load(root: Path, cache_key: str, tables: tuple[str, ...]) -> Cached | None:
    """The cached read of the project at ``root``, if there is one under ``cache_key``."""
    import polars as pl

    folder = directory(root)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest["key"] != cache_key:
            return None
        superseded = list(manifest["superseded"])
        files = {name: [str(folder / file) for file in manifest["tables"][name]] for name in tables}
        frames = {}
        for name in tables:
            frames[name] = pl.concat(map(pl.read_ipc, files[name]), rechunk=False)
            if superseded:
                delta = pl.read_ipc(folder / f"{name}{DELTA}")
                kept = frames[name].filter(~pl.col("_file").is_in(superseded))
                frames[name] = pl.concat([kept, delta], rechunk=False)
        return Cached(
            cache_key,
            int(manifest["started_ns"]),
            dict(manifest["signatures"]),
            dict(manifest["hashes"]),
            _findings(manifest["findings"]),
            frames,
            superseded,
            files,
        )
    except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError):
        return None


def spool(root: Path, cache: bool) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for the files of the reader's workers: in the project's cache folder
    when it is cached, so that :func:`save` keeps them by renaming, not by writing them again."""
    where = directory(root) if cache else None
    if where is not None:
        try:
            where.mkdir(parents=True, exist_ok=True)
        except OSError:
            where = None
    return tempfile.TemporaryDirectory(prefix="spool-", dir=where, ignore_cleanup_errors=True)


def map_arrow(path: str | Path) -> pl.DataFrame:
    """A table from an Arrow IPC file this process's own workers just wrote, mapped into memory
    rather than copied (pages are read only when used). Not for files from elsewhere: the
    buffers are not checked, and a corrupt file could crash the process."""
    import polars as pl
    import pyarrow as pa

    with pa.memory_map(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    return cast("pl.DataFrame", pl.from_arrow(table, rechunk=False))


def save(root: Path, cached: Cached, previous: Cached | None, changed: set[str]) -> None:
    """Write the cache; a project that cannot be written to simply goes uncached.

    When ``previous`` (the read on disk) differs from ``cached`` only in the rows of a few
    files (``changed``, by ``_file``), only those rows are written, beside the tables on disk.
    Otherwise the tables are written whole, or, when ``cached.files`` holds them (the reader's
    workers wrote them, into :func:`spool`), those files are moved into the cache.
    """
    import polars as pl

    folder = directory(root)
    superseded = sorted({*previous.superseded, *changed}) if previous else []
    files = 2 * len(cached.signatures)  # article.yaml and raw.txt of each folder
    rewrite = previous is None or len(superseded) > DELTA_LIMIT * files
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MANIFEST).unlink(missing_ok=True)  # no manifest while the tables change
        tables = {}
        for name, frame in cached.tables.items():
            if previous is None or rewrite:
                tables[name] = _keep(folder, cached, name)
            else:
                tables[name] = [Path(file).name for file in previous.files[name]]
                frame.filter(pl.col("_file").is_in(superseded)).write_ipc(folder / "delta.tmp")
                os.replace(folder / "delta.tmp", folder / f"{name}{DELTA}")
        manifest: dict[str, Any] = {
            "key": cached.key,
            "started_ns": cached.started_ns,
            "signatures": cached.signatures,
            "hashes": cached.hashes,
            "findings": _json(cached.findings),
            "superseded": [] if rewrite else superseded,
            "tables": tables,
        }
        _write(folder / MANIFEST, manifest)
        (folder / CHECKS).unlink(missing_ok=True)  # they were of the read this one replaces
        used = {file for names in tables.values() for file in names}
        if not rewrite:
            used |= {f"{name}{DELTA}" for name in tables}
        for old in folder.glob("*.arrow"):  # the files of the read this one replaces
            if old.name not in used:
                old.unlink(missing_ok=True)
    except OSError:
        return


def _keep(folder: Path, cached: Cached, name: str) -> list[str]:
    """The names of the files in ``folder`` that now hold the table ``name`` of ``cached``."""
    if cached.files.get(name):
        for file in cached.files[name]:
            os.replace(file, folder / Path(file).name)
        return [Path(file).name for file in cached.files[name]]
    file = f"{name}-{cached.started_ns}.arrow"
    cached.tables[name].write_ipc(folder / f"{file}.tmp")
    os.replace(folder / f"{file}.tmp", folder / file)
    return [file]


def stamp(cached: Cached) -> str:
    """What identifies a read: the checks of its folders are cached under it."""
    return f"{cached.key}:{cached.started_ns}"


def load_checks(root: Path, read_stamp: str) -> dict[str, list[Finding]] | None:
    """The per-article check findings cached for the read ``read_stamp`` (a folder with none is
    left out), or None when none are cached for that read."""
    try:
        checks = json.loads((directory(root) / CHECKS).read_text(encoding="utf-8"))
        return _findings(checks["findings"]) if checks["stamp"] == read_stamp else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_checks(root: Path, read_stamp: str, findings: dict[str, list[Finding]]) -> None:
    """Cache the per-article check findings of every folder of the read ``read_stamp``."""
    try:
        _write(directory(root) / CHECKS, {"stamp": read_stamp, "findings": _json(findings)})
    except OSError:
        return


def _write(path: Path, data: dict[str, Any]) -> None:
    path.with_suffix(".tmp").write_text(json.dumps(data), encoding="utf-8")
    os.replace(path.with_suffix(".tmp"), path)


def _json(findings: dict[str, list[Finding]]) -> dict[str, list[dict[str, Any]]]:
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
    return {
        article: [
            Finding(f["code"], f["file"], f["message"], f["line"], f["id"], tuple(f["path"]))
            for f in found
        ]
        for article, found in data.items()
    }
