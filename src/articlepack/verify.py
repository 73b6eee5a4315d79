"""Check a release's files against its own record (``datapackage.json`` → ``x-articlepack.files``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from articlepack.errors import IntegrityError

RECORD = "datapackage.json"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """The sha256 of a file, read as a stream."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def record(release: Path) -> dict[str, dict[str, Any]]:
    """path -> {bytes, sha256} as the release recorded them."""
    try:
        package = json.loads((release / RECORD).read_text(encoding="utf-8"))
        files = package["x-articlepack"]["files"]
        return {str(f["path"]): f for f in files}
    except FileNotFoundError:
        raise IntegrityError(
            str(release), [f"{RECORD} is missing: this is not an articlepack release"]
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(str(release), [f"{RECORD} is unreadable ({exc})"]) from None


def problems(release: Path | str, only: Iterable[str] | None = None) -> list[str]:
    """Every changed, missing or extra file; ``only`` restricts the check to those paths."""
    release = Path(release)
    expected = record(release)
    wanted = set(only) if only is not None else None
    out = []
    for path, entry in sorted(expected.items()):
        if wanted is not None and path not in wanted:
            continue
        file = release / path
        if not file.is_file():
            out.append(f"{path} is missing")
        elif file.stat().st_size != entry["bytes"] or sha256_file(file) != entry["sha256"]:
            out.append(f"{path} has changed (its sha256 differs from the release record)")
    if wanted is None:
        present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
        out += [
            f"{p} is not part of the release" for p in sorted(present - set(expected) - {RECORD})
        ]
    return out


def verify(release: Path | str, only: Iterable[str] | None = None) -> None:
    """Raise :class:`IntegrityError` naming each tampered, missing or extra file."""
    found = problems(release, only)
    if found:
        raise IntegrityError(str(release), found)
