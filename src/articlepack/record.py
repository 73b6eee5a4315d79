"""A release's record, ``datapackage.json``, read as untrusted and checked for shape.

The record is read bounded (:data:`MAX_RECORD_BYTES`) through a
:class:`~articlepack.release_folder.ReleaseFolder` and parsed strictly (no duplicate keys, no
NaN); a record not of the shape articlepack writes is tampered, and the
:class:`~articlepack.errors.IntegrityError` names each thing that is wrong.

The sha256 of ``datapackage.json`` (:func:`record_digest`) pins a whole release: the record holds
the sha256 of every other file. It proves that nothing changed since the record was written, not
who wrote it; a digest obtained from the author (``verify --expect``, ``load(expect=...)``) does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from articlepack.errors import IntegrityError
from articlepack.release_folder import ReleaseFolder, describe, path_problem
from articlepack.report import printable

RECORD = "datapackage.json"
CARD = "README.md"
#: A record lists every file of its release in ~200 bytes, and the review site has a page per
#: article and per registry entry: 3.2 MB at 10,000 articles; 64 MB holds some 300,000 files.
MAX_RECORD_BYTES = 64 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")


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
    found = _CHECKED.get(digest)
    if found is None:
        found = _checked(folder, data, digest)
        if len(_CHECKED) >= _REMEMBERED:
            _CHECKED.pop(next(iter(_CHECKED)), None)  # the oldest; None: another thread did
        _CHECKED[digest] = found
    return found


#: Records already checked in this process, by the sha256 of their bytes: a record is a pure
#: function of its bytes, so loading a second table of a release skips parsing its record again
#: (25 ms at 1,000 articles, 110 ms at 10,000). The bytes are still read and hashed every time.
#: A Record and its dicts are shared by every caller: read them, never change them.
_CHECKED: dict[str, Record] = {}
_REMEMBERED = 4


def _checked(folder: ReleaseFolder, data: bytes, digest: str) -> Record:
    package = _parse(folder, data)
    problems: list[str] = []
    files = _files(package, problems)
    resources = _resources(package, files, problems)
    for key in ("name", "version"):
        if not isinstance(package.get(key), str):
            problems.append(f"{key} is {describe(package.get(key))}, not a string")
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
        found = dict(items)
        seen: set[str] = set()
        for key, _ in items if len(found) != len(items) else ():  # slow: only to name the key
            if key in seen:
                raise ValueError(f"the key {printable(key)} appears twice in one object")
            seen.add(key)
        return found

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
        raise folder.refuse(f"{RECORD} holds {describe(package)}, not an object")
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
            problems.append(f"{where} is {describe(item)}, not an object")
            continue
        path: Any = item.get("path")
        size: Any = item.get("bytes")
        sha: Any = item.get("sha256")
        found = [
            f"{where}.path {problem}" for problem in [path_problem(path)] if problem is not None
        ]
        if not (type(size) is int and size >= 0):
            found.append(f"{where}.bytes is {describe(size)}, not a whole number of bytes")
        if not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
            found.append(f"{where}.sha256 is {describe(sha)}, not 64 lowercase hexadecimal digits")
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
            problems.append(f"{where} is {describe(item)}, not an object")
            continue
        own: Any = item.get("x-articlepack")
        own = own if isinstance(own, dict) else {}
        name: Any = item.get("name")
        path: Any = item.get("path")
        rows: Any = own.get("rows")
        items: Any = own.get("array_items", {})
        offsets: Any = own.get("offsets", [])
        found = [] if isinstance(name, str) and name else [f"{where}.name is {describe(name)}"]
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
            found.append(f"{where}.x-articlepack.rows is {describe(rows)}, not a row count")
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
