"""A cached read, and its files in a project's cache folder, read back only once checked.

The folder holds the article tables and raw texts as Arrow IPC files (those the reader's workers
wrote are kept as they are), with the rows of files changed since in ``<table>.delta.arrow``;
``folders.json`` (each folder's file signatures, article.yaml sha256 and findings);
``checks.json`` (the findings of the checks within each article); and a small ``manifest.json``
that names them all with their sha256. It holds no code. A file is read only after its name is
shown not to leave the folder and its sha256 to be the one recorded; anything else raises
:class:`Discarded`. As git trusts its index, a file whose size, mtime, ctime and inode are those
the manifest recorded (a while after it was written) is not hashed again: a quarter of a second
of every run at 10,000 articles, and nothing a user edits by hand keeps all four.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack.report import CODES, Finding

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


def stamp(cached: Cached) -> str:
    """What identifies a read: the checks of its folders are cached under it."""
    return f"{cached.key}:{cached.started_ns}"


def stamp_of(manifest: dict[str, Any] | None) -> str | None:
    """The :func:`stamp` of the read a manifest describes."""
    return None if manifest is None else f"{manifest.get('key')}:{manifest.get('started_ns')}"


class Discarded(Exception):
    """A cached file failed its check; the message says which and how."""


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest on disk; raises OSError, ValueError or TypeError when it cannot be read."""
    return _json(folder / MANIFEST)


def current_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest on disk, if there is one that can be read."""
    try:
        return read_manifest(folder)
    except (OSError, ValueError, TypeError):
        return None


def load(folder: Path, manifest: dict[str, Any], schemas: dict[str, pl.Schema]) -> Cached:
    """The read ``manifest`` describes, its every file checked and its tables of ``schemas``."""
    import polars as pl

    digests: dict[str, str] = manifest["files"]
    stats = manifest.get("stats")
    _verify(folder, digests, stats if isinstance(stats, dict) else {})
    tables: dict[str, list[str]] = manifest["tables"]
    read = _json(folder / FOLDERS)
    superseded = [str(file) for file in read["superseded"]]
    files = {name: [str(folder / file) for file in tables[name]] for name in schemas}
    frames = {}
    for name, schema in schemas.items():
        parts = [*tables[name], *([f"{name}{DELTA}"] if superseded else [])]
        if not set(parts) <= set(digests):
            raise Discarded(f"the manifest lists a file of {name} without its sha256")
        frame = pl.concat(map(pl.read_ipc, files[name]), rechunk=False)
        if superseded:
            delta = pl.read_ipc(folder / f"{name}{DELTA}")
            kept = frame.filter(~pl.col("_file").is_in(superseded))
            frame = pl.concat([kept, delta], rechunk=False)
        if frame.schema != schema:
            raise Discarded(f"its {name} table does not have the expected columns and types")
        frames[name] = frame
    checks = _json(folder / CHECKS)["findings"] if CHECKS in digests else None
    return Cached(
        manifest["key"],
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


def save(folder: Path, cached: Cached, previous: Cached | None, changed: set[str]) -> None:
    """Write ``cached`` into ``folder``, replacing ``previous`` (the read on disk, if any).

    When ``previous`` differs from ``cached`` only in the rows of a few files (``changed``, by
    ``_file``), only those rows are written, beside the tables on disk. Otherwise the tables are
    written whole, or, when ``cached.files`` holds them (the reader's workers wrote them, into
    the folder's spool), those files are moved in. Raises OSError when it cannot be written.
    """
    import polars as pl

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
            digests[delta] = _sha256(folder / delta)
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
    _write(folder / MANIFEST, _stated(folder, manifest))
    for old in folder.iterdir():  # the files of the read this one replaces
        if _OURS.match(old.name) and old.name not in {*digests, MANIFEST}:
            old.unlink(missing_ok=True)
        elif old.name.startswith("spool-") and _age(old) > STALE_SPOOL_S:
            shutil.rmtree(old, ignore_errors=True)


def save_checks(folder: Path, manifest: dict[str, Any], findings: dict[str, list[Finding]]) -> None:
    """Add the per-article check findings to the read ``manifest`` describes. Raises KeyError
    or TypeError for a manifest this version does not write, OSError when it cannot write."""
    manifest["files"][CHECKS] = _write(folder / CHECKS, {"findings": _dump(findings)})
    _write(folder / MANIFEST, _stated(folder, manifest))


def _stated(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """``manifest`` with the stat of each of its files that is older than :data:`RACY_NS`
    (a younger one could change again within its mtime's clock tick): those are not hashed again."""
    now, stats = time.time_ns(), {}
    for name in manifest["files"]:
        st = os.lstat(folder / name)
        if st.st_mtime_ns < now - RACY_NS:
            stats[name] = _signature(st)
    return {**manifest, "stats": stats}


def _sha256(path: Path) -> str:
    from articlepack.verify import sha256_file  # here: a warm run's verdict never hashes

    return sha256_file(path)


def _signature(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def clear(folder: Path) -> None:
    """Remove what saves write (the manifest first); never the marker, lock or live spools."""
    try:
        (folder / MANIFEST).unlink(missing_ok=True)
        for path in folder.iterdir():
            if _OURS.match(path.name) and not path.is_dir():
                path.unlink(missing_ok=True)
    except OSError:
        return


def _verify(folder: Path, digests: dict[str, str], stats: dict[str, list[int]]) -> None:
    """Raise :class:`Discarded` unless every file of ``digests`` is a regular file of
    ``folder`` (by a plain name) with that sha256, or with the stat ``stats`` recorded for it.
    Files are hashed on several threads."""
    from concurrent.futures import ThreadPoolExecutor

    outside = [name for name in digests if not _NAME.match(str(name))]
    if outside:
        raise Discarded(f"its manifest names files outside its folder: {outside!r:.200}")
    if FOLDERS not in digests:
        raise Discarded(f"its manifest does not name {FOLDERS}")

    def differs(name: str) -> str | None:
        try:
            st = os.lstat(folder / name)
            same = stat.S_ISREG(st.st_mode) and (
                stats.get(name) == _signature(st) or _sha256(folder / name) == digests[name]
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
    digests[file] = _sha256(folder / file)
    return [file]


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
    return {article: dump_findings(found) for article, found in findings.items() if found}


def dump_findings(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings as JSON data, their YAML path included (which the report's JSON leaves out)."""
    return [
        {
            "code": f.code,
            "file": f.file,
            "message": f.message,
            "line": f.line,
            "id": f.id,
            "path": [p if isinstance(p, str | int) else repr(p) for p in f.path],
        }
        for f in findings
    ]


def load_findings(data: list[dict[str, Any]]) -> list[Finding]:
    """Findings as :func:`dump_findings` wrote them; anything else raises :class:`Discarded`."""
    return _findings({"": data})[""]


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
