"""A release folder read as untrusted: its record, the paths in it, and bounded reads.

A release may come from anyone (a download, the Hub), so nothing in it is followed blindly:

- every path it names is a plain relative POSIX path (no ``..``, absolute path, backslash, drive
  letter or URL), opened one component at a time with ``O_NOFOLLOW``: a symbolic link anywhere on
  the way is refused, never followed out of the folder;
- a file is opened with ``O_NONBLOCK`` and checked with ``lstat`` and ``fstat`` before any read:
  only a regular file is read (a FIFO would block; ``/proc`` files report size 0 and never end),
  and never past the size its record announces;
- ``datapackage.json`` is read bounded (:data:`MAX_RECORD_BYTES`) and parsed strictly (no
  duplicate keys, no NaN); a record not of the shape articlepack writes is tampered, and the
  :class:`~articlepack.errors.IntegrityError` names each thing that is wrong.

The sha256 of ``datapackage.json`` (:func:`record_digest`) pins a whole release: the record holds
the sha256 of every other file. It proves that nothing changed since the record was written, not
who wrote it; a digest obtained from the author (``verify --expect``, ``load(expect=...)``) does.

``huggingface_hub`` downloads a release into a cache snapshot whose files are symbolic links
into the repository's ``blobs/`` folder; such a folder is read with ``links_within`` set to that
repository folder, and a link is followed only to a regular file inside it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from articlepack.errors import IntegrityError
from articlepack.report import printable

RECORD = "datapackage.json"
CARD = "README.md"
MAX_RECORD_BYTES = 8 << 20  # a record is ~30 KB, whatever the corpus size
_SHA256 = re.compile(r"[0-9a-f]{64}")
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


def path_problem(path: object) -> str | None:
    """Why ``path`` is no plain relative path inside a release, or None when it is one."""
    if not isinstance(path, str):
        return f"is {_kind(path)}, not a path"
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
class Entry:
    """One file as the record announces it."""

    path: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Resource:
    """One table as the record declares it: its file, row count and Table Schema."""

    name: str
    path: str
    rows: int
    schema: dict[str, Any]
    array_items: dict[str, Any]
    offsets: tuple[str, ...] = ()  # the published span offset columns


@dataclass(frozen=True)
class Record:
    """A release's ``datapackage.json``, checked for shape; ``digest`` is the sha256 of its bytes."""

    digest: str
    package: dict[str, Any]
    files: dict[str, Entry]
    resources: dict[str, Resource]


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


def normalise_digest(expect: str) -> str:
    """A sha256 as given by a person (any case, optional ``sha256:``) in the record's form."""
    value = expect.strip().lower().removeprefix("sha256:")
    if not _SHA256.fullmatch(value):
        raise ValueError(f"expected a sha256 (64 hexadecimal digits), got {printable(expect)}")
    return value


def record_digest(release: Path | str) -> str:
    """The sha256 of a release's ``datapackage.json``: the one value that pins the whole release."""
    return _record_bytes(ReleaseFolder(Path(release)))[1]


def read_record(folder: ReleaseFolder, *, expect: str | None = None) -> Record:
    """The release's record, checked for shape (and, with ``expect``, for its sha256).

    Raises :class:`IntegrityError` naming everything that is wrong with it.
    """
    wanted = normalise_digest(expect) if expect is not None else None
    data, digest = _record_bytes(folder)
    if wanted is not None and digest != wanted:
        raise folder.refuse(
            f"{RECORD} has sha256 {digest}, not the expected {wanted}: "
            "this is not the release you asked for"
        )
    package = _parse(folder, data)
    problems: list[str] = []
    files = _files(package, problems)
    resources = _resources(package, files, problems)
    for key in ("name", "version"):
        if not isinstance(package.get(key), str):
            problems.append(f"{key} is {_kind(package.get(key))}, not a string")
    if problems:
        raise folder.refuse(*(f"{RECORD}: {p}" for p in problems))
    return Record(digest, package, files, resources)


def _record_bytes(folder: ReleaseFolder) -> tuple[bytes, str]:
    try:
        handle = folder.open(RECORD, limit=MAX_RECORD_BYTES)
    except IntegrityError as exc:
        if exc.problems == [f"{RECORD} is missing"]:
            raise folder.refuse(
                f"{RECORD} is missing: this is not an articlepack release"
            ) from None
        raise
    with handle:
        data = handle.read(os.fstat(handle.fileno()).st_size)  # checked to be at most the limit
    return data, hashlib.sha256(data).hexdigest()


def _parse(folder: ReleaseFolder, data: bytes) -> dict[str, Any]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                raise ValueError(f"the key {printable(key)} appears twice in one object")
            seen.add(key)
        return dict(items)

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        package = json.loads(data.decode("utf-8"), object_pairs_hook=pairs, parse_constant=constant)
    except UnicodeDecodeError:
        raise folder.refuse(f"{RECORD} is not UTF-8") from None
    except RecursionError:
        raise folder.refuse(f"{RECORD} nests too deeply") from None
    except ValueError as exc:
        raise folder.refuse(f"{RECORD} is not valid JSON ({exc})") from None
    if not isinstance(package, dict):
        raise folder.refuse(f"{RECORD} holds {_kind(package)}, not an object")
    return package


def _files(package: dict[str, Any], problems: list[str]) -> dict[str, Entry]:
    own = package.get("x-articlepack")
    listed = own.get("files") if isinstance(own, dict) else None
    if not isinstance(listed, list):
        problems.append("x-articlepack.files, the list of the release's files, is missing")
        return {}
    files: dict[str, Entry] = {}
    folded: set[str] = set()
    for i, item in enumerate(listed):
        where = f"x-articlepack.files[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} is {_kind(item)}, not an object")
            continue
        path: Any = item.get("path")
        size: Any = item.get("bytes")
        sha: Any = item.get("sha256")
        found = [
            f"{where}.path {problem}" for problem in [path_problem(path)] if problem is not None
        ]
        if not (type(size) is int and size >= 0):
            found.append(f"{where}.bytes is {_kind(size)}, not a whole number of bytes")
        if not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
            found.append(f"{where}.sha256 is {_kind(sha)}, not 64 lowercase hexadecimal digits")
        if not found and (path == RECORD or path.casefold() in folded):
            what = "the record itself" if path == RECORD else "listed twice"
            found.append(f"{where}.path {path!r} is {what}")
        problems += found
        if not found:
            files[path] = Entry(path, size, sha)
            folded.add(path.casefold())
    return files


def _resources(
    package: dict[str, Any], files: dict[str, Entry], problems: list[str]
) -> dict[str, Resource]:
    listed = package.get("resources")
    if not isinstance(listed, list) or not listed:
        problems.append("resources, the list of the release's tables, is missing")
        return {}
    resources: dict[str, Resource] = {}
    for i, item in enumerate(listed):
        where = f"resources[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} is {_kind(item)}, not an object")
            continue
        own: Any = item.get("x-articlepack")
        own = own if isinstance(own, dict) else {}
        name: Any = item.get("name")
        path: Any = item.get("path")
        rows: Any = own.get("rows")
        items: Any = own.get("array_items", {})
        offsets: Any = own.get("offsets", [])
        found = [] if isinstance(name, str) and name else [f"{where}.name is {_kind(name)}"]
        if name in resources:
            found.append(f"{where}.name {name!r} is declared twice")
        problem = path_problem(path)
        if problem is not None:
            found.append(f"{where}.path {problem}")
        elif path not in files:
            found.append(f"{where}.path {path!r} is not in x-articlepack.files (it is unhashed)")
        elif item.get("hash", f"sha256:{files[path].sha256}") != f"sha256:{files[path].sha256}":
            found.append(f"{where}.hash disagrees with the sha256 of {path} in x-articlepack.files")
        if not (type(rows) is int and rows >= 0):
            found.append(f"{where}.x-articlepack.rows is {_kind(rows)}, not a row count")
        if not isinstance(items, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("type"), str) for v in items.values()
        ):
            found.append(f"{where}.x-articlepack.array_items is not an item type per list column")
        if not isinstance(offsets, list) or not all(isinstance(c, str) for c in offsets):
            found.append(f"{where}.x-articlepack.offsets is not a list of column names")
        found += [f"{where}.schema {p}" for p in _schema_problems(item.get("schema"))]
        problems += found
        if not found:
            resources[name] = Resource(name, path, rows, item["schema"], items, tuple(offsets))
    return resources


def _schema_problems(schema: object) -> list[str]:
    """What keeps ``schema`` from being a Table Schema of the shape articlepack writes."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return ["is not a Table Schema with a list of fields"]
    problems = []
    names: list[str] = []
    for i, f in enumerate(schema["fields"]):
        ok = isinstance(f, dict) and isinstance(f.get("name"), str)
        ok = ok and isinstance(f.get("type", "string"), str)
        if not ok or not isinstance(f.get("constraints", {}), dict):
            problems.append(f"fields[{i}] is not a field with a name, a type and constraints")
        elif f["name"] in names:
            problems.append(f"fields[{i}].name {f['name']!r} is declared twice")
        else:
            names.append(f["name"])
    if not _names(schema.get("primaryKey", [])):
        problems.append("primaryKey is not a field name or a list of them")
    keys = schema.get("foreignKeys", [])
    if not isinstance(keys, list):
        return [*problems, "foreignKeys is not a list"]
    for i, fk in enumerate(keys):
        reference = fk.get("reference") if isinstance(fk, dict) else None
        if not (
            isinstance(reference, dict)
            and _names(fk.get("fields"))
            and _names(reference.get("fields"))
            and isinstance(reference.get("resource", ""), str)
        ):
            problems.append(f"foreignKeys[{i}] is not a foreign key")
    return problems


def _names(value: object) -> bool:
    """Whether ``value`` is a field name or a list of them."""
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    )


def _kind(value: object) -> str:
    """How a value of the record is described in a message: its JSON type and a short preview."""
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
