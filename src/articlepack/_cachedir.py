"""The cache's folders: where they are, who may use them, and how large the cache may grow.

The cache root is ``$ARTICLEPACK_CACHE`` or the platform's user cache folder
(``~/.cache/articlepack`` on Linux), with one folder per project path (:func:`directory`).
articlepack makes each for its owner alone and marks it with a ``CACHEDIR.TAG``, whose mtime
says when it was last used. A folder is used only while no one but its owner may write there:
a sha256 shows that a file is as written, not who wrote it, and the owner could as well edit
the corpus itself.

The cache is bounded (:func:`max_bytes`): :func:`evict` removes the least recently used projects'
folders until it fits. It removes only folders that carry articlepack's marker (or, from older
versions, its manifest), never the project being written, never one that another run holds the
lock of (runs on one project take turns with it, through ``filelock``, to load and to save).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import filelock

MARKER = "CACHEDIR.TAG"  # marks a folder articlepack wrote; its mtime is when it was last used
LOCK = "lock"
MAX_BYTES = 2 << 30  # the default bound of the whole cache
LOCK_TIMEOUT = 120  # seconds a run waits for another run on the same project to load or save
_OLDER_MARKER = "manifest.json"  # what versions before the marker left in a folder
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# an articlepack cache folder\n"
_PROJECT = re.compile(r"[0-9a-f]{24}\Z")
_SIZE = re.compile(r"\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*\Z", re.IGNORECASE)


def base() -> Path:
    """The cache root: ``$ARTICLEPACK_CACHE``, else the platform's user cache folder."""
    import platformdirs

    found = os.environ.get("ARTICLEPACK_CACHE")
    return Path(found or platformdirs.user_cache_dir("articlepack", appauthor=False))


def directory(root: Path) -> Path:
    """The cache folder of the project at ``root`` (read from the environment at call time)."""
    return base() / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]


def max_bytes() -> int:
    """The bound on the whole cache: ``$ARTICLEPACK_CACHE_MAX_BYTES`` (bytes, or with a K, M,
    G or T suffix in powers of 1024), else :data:`MAX_BYTES`. Read at call time."""
    match = _SIZE.match(os.environ.get("ARTICLEPACK_CACHE_MAX_BYTES", ""))
    if match is None:
        return MAX_BYTES
    return int(match[1]) << 10 * " KMGT".index(match[2].upper() or " ")


def prepare(folder: Path) -> str | None:
    """Make ``folder`` (its owner's alone) and mark it as articlepack's; or say why it may hold
    files from someone else, and leave it as it is. Raises OSError when it cannot be made."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    problem = untrusted(folder)
    if problem is None and not (folder / MARKER).is_file():
        (folder / MARKER).write_text(_TAG, encoding="utf-8")
    return problem


def untrusted(folder: Path) -> str | None:
    """Why ``folder`` may hold files from someone else, if it may: it is not a folder (a
    symlink?), or, where there are owners, it is another user's or others may write in it."""
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return f"{folder} belongs to another user"
    if hasattr(os, "getuid") and info.st_mode & 0o022:
        return f"{folder} may be written by other users"
    return None


def lock(folder: Path, timeout: float | None = None) -> filelock.FileLock:
    """The project's lock: runs on one project load and save in turn, and evict in between."""
    import filelock

    return filelock.FileLock(folder / LOCK, timeout=LOCK_TIMEOUT if timeout is None else timeout)


def used(folder: Path) -> None:
    """Record that the project's cache was used now (its marker's mtime)."""
    try:
        os.utime(folder / MARKER)
    except OSError:
        return


def evict(current: Path) -> None:
    """Remove the least recently used projects' folders until the cache fits its bound;
    never ``current``, never a folder in use (locked) or not articlepack's."""
    try:
        others = sorted(_others(current))
    except OSError:
        return
    total = size(current) + sum(space for _, space, _ in others)
    for _, space, path in others:
        if total <= max_bytes():
            return
        try:
            with lock(path, timeout=0):
                shutil.rmtree(path)
        except OSError:
            continue
        total -= space


def size(folder: Path) -> int:
    """The bytes of the files under ``folder``."""
    total = 0
    for where, _, names in os.walk(folder):  # never follows a symlink
        for name in names:
            try:
                total += os.lstat(os.path.join(where, name)).st_size
            except OSError:
                continue
    return total


def _others(current: Path) -> Iterator[tuple[int, int, Path]]:
    """(last used, size, folder) of every other project folder articlepack wrote for this user."""
    for entry in os.scandir(current.parent):
        path = Path(entry.path)
        try:
            if path == current or not _PROJECT.match(entry.name) or untrusted(path):
                continue
            last = _last_used(path)
        except OSError:
            continue
        if last is not None:
            yield last, size(path), path


def _last_used(folder: Path) -> int | None:
    """When the project's cache was last used, or None if articlepack did not write it."""
    for name in (MARKER, _OLDER_MARKER):
        try:
            info = os.lstat(folder / name)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            return info.st_mtime_ns
    return None
