"""Where a release is written, and how it replaces the previous one without harm.

A release goes to ``OUT/<name>-<version>/``. Before anything is written, the path is guarded:
it must not be or hold the project, ``OUT`` must not lie in the project's sources, and a folder
already there is replaced only when it carries the mark of a release articlepack wrote (its
``datapackage.json`` record) and holds nothing the record does not list. Files are written into
a staging folder beside the target, marked as articlepack's, and renamed into place under a lock
(``filelock``), so that two builds into the same ``OUT`` take turns instead of removing each
other's staging folders, and an interrupted build leaves the previous release intact.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from articlepack.errors import BuildBusyError, ReleasePathError

RECORD = "datapackage.json"
STAGING_MARK = ".articlepack-staging"
SOURCES = ("corpus", "schemas", ".git")  # the project's own files: never a place for releases
LOCK_WAIT = "ARTICLEPACK_LOCK_WAIT"  # seconds a build waits for another one (default 1800)
_MAX_RECORD = 64 << 20


def guard(project: Path, out: Path, target: Path) -> None:
    """Refuse a release path that would overwrite, or be written into, the project itself."""
    project, out = project.resolve(), out.resolve()
    target = out / target.name  # never resolved: a link at the release path is itself refused
    if project == target or project.is_relative_to(target):
        raise ReleasePathError(
            f"the release folder {target} would replace the project {project} itself; "
            "choose another --out"
        )
    for source in SOURCES:
        if out.is_relative_to(project / source):
            raise ReleasePathError(
                f"--out {out} lies inside the project's {source}/; choose a folder outside it "
                "(dist/ is the usual place)"
            )
    if target.is_symlink() or (target.exists() and not _is_release(target)):
        raise ReleasePathError(
            f"{target} exists and is not a release articlepack wrote (or holds files its record "
            "does not list); move it away or choose another --out"
        )


@contextmanager
def lock(target: Path) -> Iterator[None]:
    """Hold the lock of ``target``; a second build into it waits, then fails with its own error."""
    from filelock import FileLock, Timeout

    held = FileLock(target.with_name(f".{target.name}.lock"))
    try:
        held.acquire(timeout=0)
    except Timeout:
        wait = float(os.environ.get(LOCK_WAIT) or 1800)
        print(f"waiting for another build of {target.name} to finish…", file=sys.stderr)
        try:
            held.acquire(timeout=wait)
        except Timeout:
            raise BuildBusyError(
                f"another build into {target} held its lock for {wait:g} s; try again later"
            ) from None
    try:
        yield
    finally:
        held.release()


def staging(target: Path) -> Path:
    """A new, marked staging folder beside ``target``."""
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    (folder / STAGING_MARK).touch()
    return folder


def discard(folder: Path) -> None:
    """Remove a staging folder, which this build made."""
    shutil.rmtree(folder, ignore_errors=True)


def swap(folder: Path, target: Path) -> None:
    """Move the finished release into place; the old one goes only after the new one is in."""
    (folder / STAGING_MARK).unlink()
    os.chmod(folder, 0o755)
    if not target.exists():
        os.rename(folder, target)
        return
    backup = _backup(target)
    if backup.exists():
        _remove_release(backup)
    os.rename(target, backup)
    os.rename(folder, target)
    _remove_release(backup)


def recover(target: Path) -> None:
    """Undo a swap interrupted between its two renames; drop partial builds of ours."""
    backup = _backup(target)
    if backup.exists() and not target.exists() and _is_release(backup):
        os.rename(backup, target)
    for partial in target.parent.glob(f".{target.name}.*.partial"):
        if not partial.is_symlink() and (partial / STAGING_MARK).is_file():
            shutil.rmtree(partial, ignore_errors=True)


def _backup(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


def _remove_release(folder: Path) -> None:
    if not _is_release(folder):
        raise ReleasePathError(f"{folder} is in the way and is not a release articlepack wrote")
    shutil.rmtree(folder)


def _is_release(folder: Path) -> bool:
    """Whether ``folder`` is a release articlepack wrote: a record, and nothing it does not list."""
    record = folder / RECORD
    try:
        if folder.is_symlink() or not folder.is_dir() or not record.is_file():
            return False
        if record.is_symlink() or record.stat().st_size > _MAX_RECORD:
            return False
        files = json.loads(record.read_text(encoding="utf-8"))["x-articlepack"]["files"]
        listed = {str(entry["path"]) for entry in files} | {RECORD}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    for path in folder.rglob("*"):
        if path.is_symlink() or (not path.is_dir() and not path.is_file()):
            return False
        if path.is_file() and path.relative_to(folder).as_posix() not in listed:
            return False
    return True
