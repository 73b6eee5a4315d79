"""A release folder read as untrusted: plain relative paths, files opened without following links,
and bounded reads.

A release may come from anyone (a download, the Hub), so nothing in it is followed blindly:

- every path it names is a plain relative POSIX path (no ``..``, absolute path, backslash, drive
  letter or URL), opened one component at a time with ``O_NOFOLLOW``: a symbolic link anywhere on
  the way is refused, never followed out of the folder;
- a file is opened with ``O_NONBLOCK`` and checked with ``lstat`` and ``fstat`` before any read:
  only a regular file is read (a FIFO would block; ``/proc`` files report size 0 and never end),
  and never past the size its record announces.

``huggingface_hub`` downloads a release into a cache snapshot whose files are symbolic links
into the repository's ``blobs/`` folder; such a folder is read with ``links_within`` set to that
repository folder, and a link is followed only to a regular file inside it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from articlepack.errors import IntegrityError
from articlepack.report import printable

_FILE = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_FOLDER = (
    os.O_RDONLY
    | getattr(os, "O_DIRECTORY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


#: A plain relative path of ASCII letters, digits, ``_ - .`` in which no part is empty, ``.`` or
#: ``..``: what articlepack writes, accepted without the checks below (a record lists thousands).
_PLAIN = re.compile(r"\.*[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/\.*[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


def path_problem(path: object) -> str | None:
    """Why ``path`` is no plain relative path inside a release, or None when it is one."""
    if isinstance(path, str) and _PLAIN.fullmatch(path):
        return None
    if not isinstance(path, str):
        return f"is {describe(path)}, not a path"
    if not path:
        return "is empty"
    if not path.isprintable():
        return f"{printable(path)} holds control characters"
    reasons = [
        (path.startswith(("/", "~")), "is absolute"),
        ("\\" in path, "holds a backslash"),
        (":" in path, "holds a colon (a drive letter or URL)"),
        (".." in path.split("/"), "climbs out of the release"),
        (any(part in ("", ".") for part in path.split("/")), "is not in normal form"),
    ]
    reason = next((why for bad, why in reasons if bad), None)
    return f"{path!r} {reason}" if reason else None


@dataclass(frozen=True)
class ReleaseFolder:
    """A release folder whose files are opened without following links out of it."""

    root: Path
    links_within: Path | None = None

    def refuse(self, *problems: str) -> IntegrityError:
        return IntegrityError(str(self.root), list(problems))

    def open(self, path: str, size: int | None = None, *, limit: int | None = None) -> BinaryIO:
        """``path`` opened for reading: a regular file of ``size`` bytes (or at most ``limit``).

        Raises :class:`IntegrityError` naming the file when it is missing, a link, not a regular
        file or of another size; nothing is read from it before those checks.
        """
        problem = path_problem(path)
        if problem:
            raise self.refuse(f"the path {problem}")
        try:
            fd = self._open(path)
        except FileNotFoundError:
            raise self.refuse(f"{path} is missing") from None
        except OSError as exc:
            raise self.refuse(f"{path} cannot be opened safely ({_reason(exc)})") from None
        try:
            found = os.fstat(fd)
            if not stat.S_ISREG(found.st_mode):
                raise self.refuse(f"{path} is not a regular file")
            if size is not None and found.st_size != size:
                raise self.refuse(
                    f"{path} has changed ({found.st_size:,} bytes; the record says {size:,})"
                )
            if limit is not None and found.st_size > limit:
                raise self.refuse(f"{path} is larger than {limit:,} bytes")
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def _open(self, path: str) -> int:
        """Open ``path`` one component at a time, never through a link (except into the cache)."""
        *folders, name = path.split("/")
        parent = os.open(self.root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            for folder in folders:
                child = os.open(folder, _FOLDER, dir_fd=parent)
                os.close(parent)
                parent = child
            found = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if stat.S_ISLNK(found.st_mode):
                if self.links_within is None:
                    raise OSError(errno.ELOOP, "a symbolic link")
                return self._open_link(path)
            if not stat.S_ISREG(found.st_mode):
                raise OSError(errno.EINVAL, "not a regular file")
            fd = os.open(name, _FILE, dir_fd=parent)
            opened = os.fstat(fd)
            if (opened.st_ino, opened.st_dev) != (found.st_ino, found.st_dev):
                os.close(fd)
                raise OSError(errno.EAGAIN, "replaced while it was opened")
            return fd
        finally:
            os.close(parent)

    def _open_link(self, path: str) -> int:
        assert self.links_within is not None
        target = Path(os.path.realpath(self.root / path))
        if not target.is_relative_to(os.path.realpath(self.links_within)):
            raise OSError(errno.ELOOP, "a symbolic link out of the download cache")
        return os.open(target, _FILE)

    def walk(self) -> Iterator[str]:
        """The relative path of every entry that is not a folder (links, FIFOs included)."""
        folders = [""]
        while folders:  # a loop, not recursion: a hostile folder may nest thousands deep
            folder = folders.pop()
            try:
                with os.scandir(self.root / folder) as entries:
                    found = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
            except OSError as exc:
                raise self.refuse(
                    f"{printable(folder or '.')} cannot be listed ({_reason(exc)})"
                ) from None
            for name, is_folder in found:
                relative = f"{folder}/{name}" if folder else name
                if is_folder:
                    folders.append(relative)
                else:
                    yield relative


def digest_of(handle: BinaryIO, size: int, chunk: int = 1 << 20) -> str:
    """The sha256 of the first ``size`` bytes of ``handle``, read in chunks; never past them."""
    digest = hashlib.sha256()
    left = size
    while left > 0 and (block := handle.read(min(chunk, left))):
        digest.update(block)
        left -= len(block)
    return digest.hexdigest() if left == 0 else ""


def describe(value: object) -> str:
    """A value read from a release as a message names it: its JSON type and a short preview."""
    if value is None:
        return "missing"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    kind = names.get(type(value), "a list" if isinstance(value, list) else "an object")
    preview = repr(value) if isinstance(value, (bool, int, float, str)) else ""
    return f"{kind} {preview[:40]}".strip() if preview else kind


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ELOOP, errno.EMLINK):
        return "a symbolic link"
    if exc.errno == errno.ENOTDIR:
        return "a file stands where a folder belongs"
    if exc.errno in (errno.EINVAL, errno.ENXIO):
        return "not a regular file"
    return exc.strerror or str(exc)
