"""The reader's cache: what each article.yaml flattened to, keyed by the file's sha256.

Re-validating after a small change then parses only the article files that changed. The cache
lives outside the project, in ``$ARTICLEPACK_CACHE`` or ``$XDG_CACHE_HOME/articlepack`` (default
``~/.cache/articlepack``), one folder per project path: the article tables as Arrow IPC files,
and a JSON manifest with each file's sha256 and findings. It
holds no code (no pickle), so a planted cache can at worst make validation wrong until the files
it describes change; it is keyed by the articlepack version and the schemas, and any problem
reading it means a full read.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack.__about__ import __version__
from articlepack.report import Finding

if TYPE_CHECKING:
    import polars as pl

MANIFEST = "manifest.json"


def directory(root: Path) -> Path:
    """The cache folder of the project at ``root`` (read from the environment at call time)."""
    base = os.environ.get("ARTICLEPACK_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "articlepack"
    )
    return Path(base) / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Cached:
    """A previous read: the sha256 and findings of each article.yaml, and the rows it gave."""

    key: str
    hashes: dict[str, str]  # article folder -> sha256 of its article.yaml
    findings: dict[str, list[Finding]]
    tables: dict[str, pl.DataFrame]


def file_hash(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


def key(schema_dir: Path) -> str:
    """What invalidates the cache as a whole: articlepack's version and the Table Schemas."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(schema_dir.glob("*.schema.yaml")):
        digest.update(path.name.encode() + b"\0" + file_hash(path).encode())
    return digest.hexdigest()


def load(root: Path, cache_key: str, tables: tuple[str, ...]) -> Cached | None:
    import polars as pl

    folder = directory(root)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest["key"] != cache_key:
            return None
        frames = {name: pl.read_ipc(folder / f"{name}.arrow") for name in tables}
        findings = {
            article: [
                Finding(f["code"], f["file"], f["message"], f["line"], f["id"], tuple(f["path"]))
                for f in found
            ]
            for article, found in manifest["findings"].items()
        }
        return Cached(cache_key, dict(manifest["hashes"]), findings, frames)
    except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError):
        return None


def save(root: Path, cached: Cached) -> None:
    """Write the cache; a project that cannot be written to simply goes uncached."""
    folder = directory(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MANIFEST).unlink(missing_ok=True)  # no manifest while the tables change
        for name, frame in cached.tables.items():
            frame.write_ipc(folder / f"{name}.arrow.tmp")
            os.replace(folder / f"{name}.arrow.tmp", folder / f"{name}.arrow")
        manifest: dict[str, Any] = {
            "key": cached.key,
            "hashes": cached.hashes,
            "findings": {
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
                for article, found in cached.findings.items()
                if found
            },
        }
        (folder / f"{MANIFEST}.tmp").write_text(json.dumps(manifest), encoding="utf-8")
        os.replace(folder / f"{MANIFEST}.tmp", folder / MANIFEST)
    except OSError:
        return
