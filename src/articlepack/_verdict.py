"""The last validation's report, kept in the project's cache folder and given again while nothing
the validation could have read has changed: a warm ``articlepack validate`` of an unchanged project
stats its files and reads none of them, nor imports polars or pandera.

What validation reads is the project's own files (``schemas/`` and ``corpus/`` at any depth, and
the files at the project's top, such as datacard.md) and articlepack's (its code, and the
``init`` template some checks compare with). A report is kept under a digest of the name, size,
mtime, ctime and inode of each of these, and of each folder on the way (a folder's mtime changes
when an entry is added to it, removed or renamed); and of the reader's cache files, which a
run may find damaged and warn about. As git does with its index, a report made within
:data:`~articlepack._cachefiles.RACY_NS` of a file's mtime is not kept: a second change in the
same clock tick could leave every time unchanged.

An article folder holds article.yaml and raw.txt: the digest of a warm run stats those two in
each folder without listing it (its mtime shows that nothing was added); a folder that holds
more has its entries kept with the report. Reports with findings about the cache itself are not
kept: they describe a run, not the project.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articlepack import _cachedir, _cachefiles
from articlepack._files import ANNOTATIONS_DIR, ARTICLE_FILES, ARTICLES_DIR
from articlepack.report import Finding, Report

VERDICT = "verdict.json"
STANDARD = tuple(sorted(ARTICLE_FILES))  # what an article folder holds, in listing order
_WALKED = ("corpus", "schemas")  # the project's folders whose every file validation may read
_NOT_CACHE = {VERDICT, _cachedir.LOCK, _cachedir.MARKER}  # cache files a run changes unread
_DEPTH = 8  # folders deeper than this are not looked into (a symlink loop)


@dataclass
class _Stats:
    """The stat of each path, in a fixed order, and the names that fix the order: what the
    digest is taken over."""

    names: list[str] = field(default_factory=list)
    numbers: array[int] = field(default_factory=lambda: array("q"))
    extras: dict[str, list[str]] = field(default_factory=dict)  # folder -> entries, if not STANDARD

    def add(self, path: str, name: str | None = None, dir_fd: int | None = None) -> None:
        """The stat of ``path`` (relative to ``dir_fd`` if given), under ``name`` if given."""
        if name is not None:
            self.names.append(name)
        try:
            st = os.stat(path, dir_fd=dir_fd)
        except (OSError, ValueError):
            self.numbers.extend(_MISSING)
            return
        self.numbers.extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))

    def digest(self) -> str:
        digest = hashlib.sha256("\0".join(self.names).encode("utf-8", "surrogateescape"))
        digest.update(json.dumps(self.extras, sort_keys=True).encode())
        digest.update(self.numbers.tobytes())
        return digest.hexdigest()

    def newest(self) -> int:
        """The latest mtime among the paths."""
        return max([*self.numbers[1::4], 0])


_MISSING = (-1, -1, -1, -1)


def _listing(path: str, depth: int = 1) -> list[str]:
    """Everything in the folder ``path``, at any depth, relative to it, each folder before what
    it holds. Symlinks are followed, as the reader follows them; :data:`_DEPTH` stops a loop."""
    if depth > _DEPTH:
        return []
    try:
        with os.scandir(path) as found:
            entries = sorted((e.name, e.is_dir()) for e in found)
    except OSError:
        return []
    out = []
    for name, is_dir in entries:
        out.append(name)
        if is_dir:
            out += [f"{name}/{inner}" for inner in _listing(f"{path}/{name}", depth + 1)]
    return out


def _tree(stats: _Stats, path: str, name: str) -> None:
    """Stat ``path`` and everything in it."""
    stats.add(path, name)
    for inner in _listing(path):
        stats.add(f"{path}/{inner}", f"{name}/{inner}")


def _articles(stats: _Stats, root: Path, extras: dict[str, list[str]] | None) -> None:
    """The article folders and their files; each folder listed when ``extras`` is None, else
    taken to hold :data:`STANDARD` unless ``extras`` says otherwise. The files are named once
    for all (by the folder's name, and ``extras``): this runs for every article."""
    base = f"{root}/{ARTICLES_DIR.as_posix()}"
    try:
        folders = sorted(os.listdir(base))
        fd = os.open(base, os.O_RDONLY)
    except OSError:
        return
    names, numbers, listed = stats.names, stats.numbers, extras or {}
    first, second = (f"/{name}" for name in STANDARD)
    try:
        for folder in folders:
            names.append(folder)
            if extras is None:
                found = _listing(f"{base}/{folder}")
                if tuple(found) != STANDARD:
                    listed[folder] = found
            inner = listed.get(folder)
            if inner is None:  # the hottest loop of a warm run: no call but os.stat's
                paths: tuple[str, ...] = (folder, folder + first, folder + second)
            else:
                paths = (folder, *(f"{folder}/{entry}" for entry in inner))
            for path in paths:
                try:
                    st = os.stat(path, dir_fd=fd)
                except (OSError, ValueError):
                    numbers.extend(_MISSING)
                else:
                    numbers.extend((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    finally:
        os.close(fd)
    stats.extras = listed


def _project(root: Path, extras: dict[str, list[str]] | None) -> _Stats:
    """The stats of what validating the project at ``root`` may read."""
    stats = _Stats()
    stats.add(str(root), ".")
    for entry in sorted(os.listdir(root)):
        path = f"{root}/{entry}"
        if entry not in _WALKED:
            if not os.path.isdir(path):
                stats.add(path, entry)
            continue
        stats.add(path, entry)
        for inner in sorted(os.listdir(path)) if os.path.isdir(path) else ():
            if entry == "corpus" and inner == ARTICLES_DIR.name:
                stats.add(f"{path}/{inner}", f"{entry}/{inner}")
                _articles(stats, root, extras)
            elif (
                entry == "corpus"
                and inner != ANNOTATIONS_DIR.name
                and os.path.isdir(path + "/" + inner)
            ):
                stats.add(f"{path}/{inner}", f"{entry}/{inner}")  # a folder validation never reads
            else:
                _tree(stats, f"{path}/{inner}", f"{entry}/{inner}")
    return stats


def _package() -> str:
    """A digest of articlepack's own files (its code and templates), as installed."""
    stats = _Stats()
    package = Path(__file__).parent
    for where, folders, files in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(files):
            stats.add(f"{where}/{name}", f"{where}/{name}")
    return stats.digest()


def _cache(folder: Path) -> str:
    """A digest of the reader's cache files (not the verdict, lock, marker or workers' spools)."""
    stats = _Stats()
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for name in names:
        if name not in _NOT_CACHE and not name.startswith("spool-"):
            stats.add(f"{folder}/{name}", name)
    return stats.digest()


@dataclass
class Verdict:
    """The kept report of a project, if it still holds; else what keeps this run's."""

    root: Path
    report: Report | None = None
    started_ns: int = 0
    stats: _Stats | None = None

    @classmethod
    def of(cls, root: Path | str) -> Verdict:
        """The kept report of the project at ``root`` if nothing it read changed since; else
        the stats to keep this run's report under. Never raises."""
        root, started = Path(root).resolve(), time.time_ns()
        try:
            if not (root / "corpus").is_dir():
                return cls(root)
            folder = _cachedir.directory(root)
            kept = _read(folder) if _trusted(folder) else None
            if kept is not None:
                now = _project(root, kept["extras"])
                if (
                    now.digest() == kept["project"]
                    and now.newest() < kept["started_ns"] - _cachefiles.RACY_NS
                    and _package() == kept["package"]
                    and _cache(folder) == kept["cache"]
                ):
                    return cls(root, _report(kept))
            return cls(root, None, started, _project(root, None))
        except (OSError, ValueError, KeyError, TypeError):
            return cls(root)

    def keep(self, report: Report) -> None:
        """Keep ``report`` for the next run, unless the project changed too lately, or it
        speaks of the cache. Never raises."""
        stats = self.stats
        if stats is None or stats.newest() >= self.started_ns - _cachefiles.RACY_NS:
            return
        if any(f.code.startswith("cache-") for f in report.findings):
            return
        folder = _cachedir.directory(self.root)
        try:
            if not _trusted(folder):
                return
            body = {
                "project": stats.digest(),
                "extras": stats.extras,
                "package": _package(),
                "cache": _cache(folder),
                "started_ns": self.started_ns,
                "summary": report.summary,
                "findings": _cachefiles.dump_findings(report.findings),
            }
            text = json.dumps(body)
            wrapper = {"sha256": hashlib.sha256(text.encode()).hexdigest(), "body": text}
            (folder / f"{VERDICT}.tmp").write_text(json.dumps(wrapper), encoding="utf-8")
            os.replace(folder / f"{VERDICT}.tmp", folder / VERDICT)
        except (OSError, ValueError, TypeError):
            return


def _trusted(folder: Path) -> bool:
    """Whether the project's cache folder exists and is its owner's alone."""
    try:
        return folder.is_dir() and _cachedir.untrusted(folder) is None
    except OSError:
        return False


def _read(folder: Path) -> dict[str, Any] | None:
    """The kept verdict, if there is one whose body has its recorded sha256."""
    try:
        wrapper = json.loads((folder / VERDICT).read_bytes())
        text = wrapper["body"]
        if hashlib.sha256(text.encode()).hexdigest() != wrapper["sha256"]:
            return None
        body: dict[str, Any] = json.loads(text)
        return body
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _report(kept: dict[str, Any]) -> Report:
    """The kept report; a finding articlepack does not write raises ValueError."""
    try:
        findings: list[Finding] = _cachefiles.load_findings(kept["findings"])
    except _cachefiles.Discarded as exc:
        raise ValueError(str(exc)) from None
    return Report.of(findings, {str(k): int(v) for k, v in kept["summary"].items()})
