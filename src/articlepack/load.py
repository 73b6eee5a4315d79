"""Load a release's tables: from the pip-installed package, a release folder, or the Hub.

Every load first checks the sha256 of the files it reads against the release's record and raises
:class:`articlepack.IntegrityError` naming any file that differs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from articlepack.errors import ArticlepackError
from articlepack.schema import TABLES
from articlepack.verify import RECORD, record, verify

Format = Literal["datasets", "pandas", "polars", "arrow"]
FORMATS: tuple[str, ...] = ("datasets", "pandas", "polars", "arrow")
BUNDLE = "_release"


@dataclass(frozen=True)
class ReleaseInfo:
    """What a release is: name, version, tables with row counts, and how to cite it."""

    name: str
    version: str
    path: Path
    tables: dict[str, int]
    citation: str


def bundled() -> Path:
    """The release folder carried by the installed package."""
    root = resources.files("articlepack").joinpath(BUNDLE)
    folders = [Path(str(p)) for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    if len(folders) != 1:
        raise ArticlepackError(
            "this installation carries no dataset release (an editable or source install); "
            "pass release=<folder> or repo=<org/name>, or install the wheel"
        )
    return folders[0]


def resolve(table: str, release: Path | str | None, repo: str | None, revision: str | None) -> Path:
    """The local release folder to read ``table`` from, downloading it from the Hub if asked."""
    if release is not None and repo is not None:
        raise ValueError("pass either release= or repo=, not both")
    if repo is not None:
        from huggingface_hub import snapshot_download

        folder = snapshot_download(
            repo_id=repo,
            repo_type="dataset",
            revision=revision,
            allow_patterns=[RECORD, "README.md", f"data/{table}/*"],
        )
        return Path(folder)
    if revision is not None:
        raise ValueError("revision= needs repo=")
    return Path(release) if release is not None else bundled()


def load(
    table: str = "articles",
    *,
    release: Path | str | None = None,
    repo: str | None = None,
    revision: str | None = None,
    format: Format = "datasets",
) -> Any:
    """One table of a release as a ``datasets.Dataset``, pandas or polars DataFrame, or Arrow table.

    With no ``release`` or ``repo``, reads the release bundled in the installed package.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of: {', '.join(TABLES)}")
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    root = resolve(table, release, repo, revision)
    files = sorted(p for p in record(root) if p.startswith(f"data/{table}/"))
    verify(root, [*files, "README.md"] if format == "datasets" else files)
    paths = [str(root / f) for f in files]
    if format == "datasets":
        import datasets

        return datasets.load_dataset(str(root.resolve()), table, split="train")
    if format == "polars":
        import polars as pl

        return pl.read_parquet(paths)
    import pyarrow.parquet as pq

    arrow = pq.ParquetDataset(paths).read()
    return arrow.to_pandas() if format == "pandas" else arrow


def info(release: Path | str | None = None) -> ReleaseInfo:
    """Name, version, tables with row counts and citation of a release (default: the bundled one)."""
    import pyarrow.parquet as pq

    root = Path(release) if release is not None else bundled()
    package = json.loads((root / RECORD).read_text(encoding="utf-8"))
    counts = {}
    for resource in package["resources"]:
        paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
        counts[resource["name"]] = sum(pq.ParquetFile(root / p).metadata.num_rows for p in paths)
    citation = (
        (root / "CITATION.cff").read_text(encoding="utf-8")
        if (root / "CITATION.cff").exists()
        else ""
    )
    return ReleaseInfo(package["name"], package["version"], root, counts, citation)
