"""Check a release's files against its own record (``datapackage.json`` → ``x-articlepack.files``).

Every file is opened through :class:`~articlepack.release_folder.ReleaseFolder` (no link followed, only
regular files, never read past the recorded size) and re-hashed; each Parquet file's footer is
checked against the table it holds; the card's ``configs`` (which ``datasets.load_dataset``
follows) may name only the release's own files. A problem with the record itself is raised as
an :class:`IntegrityError` naming it: a malformed record is a tampered release.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from articlepack.errors import IntegrityError
from articlepack.record import CARD, RECORD, Entry, Record, read_record
from articlepack.release_folder import ReleaseFolder, digest_of, path_problem
from articlepack.report import printable

#: The card's front matter is read from its first bytes only (the card of 100,000 articles is
#: ~40 MB, its front matter ~10 KB).
MAX_FRONT_MATTER = 1 << 20
#: Keys of a card config that articlepack writes; others (``data_dir``, ``features``,
#: ``filters``...) would change what ``load_dataset`` reads.
CONFIG_KEYS = {"config_name", "data_files", "default"}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """The sha256 of a file of articlepack's own making, read as a stream."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def folder_of(release: Path | str | ReleaseFolder) -> ReleaseFolder:
    return release if isinstance(release, ReleaseFolder) else ReleaseFolder(Path(release))


def record(release: Path | str | ReleaseFolder) -> dict[str, dict[str, Any]]:
    """path -> {bytes, sha256} as the release recorded them (the record's shape checked)."""
    files = read_record(folder_of(release)).files
    return {p: {"path": p, "bytes": e.bytes, "sha256": e.sha256} for p, e in files.items()}


@contextmanager
def open_verified(folder: ReleaseFolder, found: Record, path: str) -> Iterator[BinaryIO]:
    """``path`` opened and re-hashed against the record, positioned at its start."""
    entry = _entry(folder, found, path)
    with folder.open(path, entry.bytes) as handle:
        if digest_of(handle, entry.bytes) != entry.sha256:
            raise _changed(folder, path)
        handle.seek(0)
        yield handle


def read_verified(folder: ReleaseFolder, found: Record, path: str) -> bytes:
    """The bytes of ``path``, read once and hashed against the record: what was checked is what
    the caller uses, with no second read during which the file could change."""
    entry = _entry(folder, found, path)
    with folder.open(path, entry.bytes) as handle:
        data = handle.read(entry.bytes)
    if len(data) != entry.bytes or hashlib.sha256(data).hexdigest() != entry.sha256:
        raise _changed(folder, path)
    return data


def _entry(folder: ReleaseFolder, found: Record, path: str) -> Entry:
    entry = found.files.get(path)
    if entry is None:
        raise folder.refuse(f"{path} is not in the release record")
    return entry


def _changed(folder: ReleaseFolder, path: str) -> IntegrityError:
    return folder.refuse(f"{path} has changed (its sha256 differs from the release record)")


def problems(
    release: Path | str | ReleaseFolder,
    only: Iterable[str] | None = None,
    *,
    expect: str | None = None,
    extras: bool | None = None,
) -> list[str]:
    """Every changed, missing, unsafe or extra file; ``only`` restricts the check to those paths.

    Extra files are looked for when ``extras`` (default: when checking every file). Raises
    :class:`IntegrityError` when the record itself is malformed or, with ``expect``, is not the
    record of that sha256.
    """
    folder = folder_of(release)
    found = read_record(folder, expect=expect)
    wanted = sorted(found.files) if only is None else sorted(set(only))
    tables = {r.path: r for r in found.resources.values()}
    out = []
    for path in wanted:
        try:
            with open_verified(folder, found, path) as handle:
                if path in tables:
                    from articlepack import tablefile

                    tablefile.open_checked(folder, tables[path], handle, found.files[path].bytes)
                if path == CARD:
                    out += card_problems(front_matter(folder, found), found)
        except IntegrityError as exc:
            out += exc.problems
    if extras if extras is not None else only is None:
        try:
            present = sorted(folder.walk())
        except IntegrityError as exc:
            return out + exc.problems
        out += [
            f"{printable(p)} is not part of the release"
            for p in present
            if p not in found.files and p != RECORD
        ]
    return out


def verify(
    release: Path | str | ReleaseFolder,
    only: Iterable[str] | None = None,
    *,
    expect: str | None = None,
    extras: bool | None = None,
) -> None:
    """Raise :class:`IntegrityError` naming each tampered, missing, unsafe or extra file."""
    found = problems(release, only, expect=expect, extras=extras)
    if found:
        raise IntegrityError(str(folder_of(release).root), found)


def front_matter(folder: ReleaseFolder, found: Record) -> dict[str, Any]:
    """The card's YAML front matter, found and parsed as ``huggingface_hub`` (and so ``datasets``)
    does: its block pattern, a safe loader (libyaml's, ten times faster)."""
    import yaml
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    with open_verified(folder, found, CARD) as handle:
        head = handle.read(min(found.files[CARD].bytes, MAX_FRONT_MATTER))
    match = REGEX_YAML_BLOCK.search(head.decode("utf-8", errors="replace"))
    if match is None:
        raise folder.refuse(
            f"{CARD} has no YAML front matter within its first {MAX_FRONT_MATTER:,} bytes"
        )
    try:
        data = yaml.load(match.group(2), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError) as exc:
        raise folder.refuse(f"{CARD}: its front matter is not YAML ({exc})") from None
    if not isinstance(data, dict):
        raise folder.refuse(f"{CARD}: its front matter is not a mapping")
    return data


def card_problems(card: dict[str, Any], found: Record) -> list[str]:
    """Why ``datasets.load_dataset`` could read anything but a table's own file from this card.

    Every config must be a table of the release whose ``data_files`` match exactly that table's
    file among the recorded ones, through patterns that stay inside the release.
    """
    configs = card.get("configs", [])
    if not isinstance(configs, list):
        return [f"{CARD}: configs is not a list"]
    out = []
    for i, config in enumerate(configs):
        name = config.get("config_name") if isinstance(config, dict) else None
        where = f"{CARD}: config {printable(name) if isinstance(name, str) else i}"
        resource = found.resources.get(name) if isinstance(name, str) else None
        if not isinstance(config, dict) or resource is None:
            out.append(f"{where} is no table of the release")
            continue
        keys = sorted(str(k) for k in set(config) - CONFIG_KEYS)
        wrong = []
        if keys:
            wrong.append(
                f"{where} sets {', '.join(map(printable, keys))}, which articlepack never writes"
            )
        patterns = _patterns(config.get("data_files"))
        wrong += [
            f"{where}: data_files path {problem}"
            for problem in map(path_problem, patterns)
            if problem is not None
        ]
        matched = {
            p for p in found.files for pattern in patterns if fnmatch.fnmatchcase(p, str(pattern))
        }
        if not wrong and matched != {resource.path}:
            wrong.append(
                f"{where}: data_files match {sorted(matched)}, not the table's file {resource.path}"
            )
        out += wrong
    return out


def _patterns(data_files: object) -> list[object]:
    """Every path pattern of a config's ``data_files``, in any form ``datasets`` accepts: a
    string, a list of strings or of ``{split, path}``, or split → path(s)."""
    if isinstance(data_files, dict):
        items = list(data_files.values())
    elif isinstance(data_files, list):
        items = [i.get("path") if isinstance(i, dict) else i for i in data_files]
    else:
        items = [data_files]
    return [p for item in items for p in (item if isinstance(item, list) else [item])]
