"""Load a release's tables: from a release folder, or from the Hub.

(A dataset's own pip package, made by ``articlepack package``, loads without articlepack: see
:mod:`articlepack.dataset_loader`.)

A release is untrusted wherever it comes from. Before any row is returned, ``load`` checks the
record's shape, re-hashes the files it reads, and checks the Parquet footer against the table's
declared schema and row count, reading rows within a bound on their decoded size
(:mod:`articlepack.tablefile`). For ``format="datasets"`` it also checks that the card sends
``load_dataset`` to that file only, with the features the record declares, and that the folder
holds nothing the record does not list. Each refusal is an :class:`articlepack.IntegrityError`
naming the file. ``expect=`` pins the sha256 of the release's ``datapackage.json``.

For ``arrow``, ``pandas`` and ``polars`` a table's file is read once into memory, hashed, and
parsed from those same bytes: what was checked is what is returned. What this costs beside a
raw read of the same file is measured by ``benchmarks/loadbench.py`` and explained, with the
cost of ``format="datasets"``, in ``docs/loading.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from articlepack.errors import IntegrityError
from articlepack.record import CARD, RECORD, Record, Resource, read_record
from articlepack.release_folder import ReleaseFolder
from articlepack.verify import card_problems, front_matter, open_verified, read_verified, verify

Format = Literal["datasets", "pandas", "polars", "arrow"]
FORMATS: tuple[str, ...] = ("datasets", "pandas", "polars", "arrow")
CITATION = "CITATION.cff"
MAX_CITATION_BYTES = 1 << 20

if TYPE_CHECKING:
    import datasets
    import pandas
    import polars
    import pyarrow

_TABLE = re.compile(r"[a-z][a-z0-9_]*")
_WHERE = (
    "pass release=<release folder> or repo=<org/name>; a dataset's own pip package "
    "(`articlepack package`) loads without them"
)


@dataclass(frozen=True)
class ReleaseInfo:
    """What a release is: name, version, tables with row counts, and how to cite it."""

    name: str
    version: str
    path: Path
    tables: dict[str, int]
    citation: str
    digest: str  # sha256 of its datapackage.json


def resolve(
    table: str, release: Path | str | None, repo: str | None, revision: str | None
) -> ReleaseFolder:
    """The local release folder to read ``table`` from, downloading it from the Hub if asked."""
    if release is not None and repo is not None:
        raise ValueError("pass either release= or repo=, not both")
    if release is None and repo is None:
        raise ValueError(_WHERE)
    if repo is not None:
        from huggingface_hub import snapshot_download

        from articlepack._hub_http import talking

        # datasets.load_dataset(folder, config) picks its builder from the files of the card's
        # first config (the record's first table), so those come too; a Hub failure becomes a
        # HubError.
        with talking(f"{repo}@{revision or 'main'}", cached=True):
            patterns = [RECORD, CARD, f"data/{table}/*"]
            folder = Path(
                snapshot_download(
                    repo_id=repo, repo_type="dataset", revision=revision, allow_patterns=patterns
                )
            )
            first = _first_table(folder)
            if first not in (None, table):
                patterns.append(f"data/{first}/*")
                folder = Path(
                    snapshot_download(
                        repo_id=repo,
                        repo_type="dataset",
                        revision=revision,
                        allow_patterns=patterns,
                    )
                )
        # The Hub cache's snapshot files are links into <repo cache>/blobs/.
        cache = folder.parents[1] if folder.parent.name == "snapshots" else None
        return ReleaseFolder(folder, links_within=cache)
    if revision is not None:
        raise ValueError("revision= needs repo=")
    return ReleaseFolder(Path(str(release)))


@overload
def load(
    table: str = "articles",
    *,
    release: Path | str | None = None,
    repo: str | None = None,
    revision: str | None = None,
    format: Literal["datasets"] = "datasets",
    expect: str | None = None,
) -> datasets.Dataset: ...


@overload
def load(
    table: str = "articles",
    *,
    release: Path | str | None = None,
    repo: str | None = None,
    revision: str | None = None,
    format: Literal["pandas"],
    expect: str | None = None,
) -> pandas.DataFrame: ...


@overload
def load(
    table: str = "articles",
    *,
    release: Path | str | None = None,
    repo: str | None = None,
    revision: str | None = None,
    format: Literal["polars"],
    expect: str | None = None,
) -> polars.DataFrame: ...


@overload
def load(
    table: str = "articles",
    *,
    release: Path | str | None = None,
    repo: str | None = None,
    revision: str | None = None,
    format: Literal["arrow"],
    expect: str | None = None,
) -> pyarrow.Table: ...


def load(
    table: str = "articles",
    *,
    release: Path | str | None = None,
    repo: str | None = None,
    revision: str | None = None,
    format: Format = "datasets",
    expect: str | None = None,
) -> Any:
    """One table of a release as a ``datasets.Dataset``, pandas or polars DataFrame, or Arrow table.

    ``release`` is a release folder, ``repo`` a Hub dataset repo (one of the two). With
    ``expect`` (the sha256 of the release's ``datapackage.json``, as ``articlepack build``
    prints it), only that release is accepted.

    The default, ``format="datasets"``, returns what ``datasets.load_dataset(release, table,
    split="train")`` returns, once the files it will read have been checked; it pays for what
    ``load_dataset`` does: its first load of a table converts the Parquet file into an Arrow file
    in the ``datasets`` cache, and every load parses the card, in all some 6 to 18 times a raw
    read of the file with polars. ``format="arrow"`` or ``"polars"`` returns the same rows,
    checked the same way, in 1.2 to 2.4 times a raw read, without ``datasets`` or its cache
    (figures and reasons: ``docs/loading.md``).
    """
    if not _TABLE.fullmatch(table):
        raise ValueError(
            f"unknown table {table!r}: a table's name is lowercase letters, digits and _"
        )
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    folder = resolve(table, release, repo, revision)
    found = read_record(folder, expect=expect)
    resource = found.resources.get(table)
    if resource is None:
        raise ValueError(f"unknown table {table!r}; choose one of: {', '.join(found.resources)}")
    if format == "datasets":
        return _dataset(folder, found, resource)
    import pyarrow as pa

    from articlepack import tablefile

    data = read_verified(folder, found, resource.path)
    arrow = tablefile.read(folder, resource, pa.BufferReader(data), len(data))
    if format == "polars":
        import polars as pl

        return pl.from_arrow(arrow)
    return arrow.to_pandas() if format == "pandas" else arrow


def _first_table(folder: Path) -> str | None:
    """The first table a downloaded record declares (the card's default config), if readable."""
    try:
        return next(
            iter(read_record(ReleaseFolder(folder, links_within=folder.parents[1])).resources)
        )
    except (IntegrityError, StopIteration, IndexError):
        return None


def _dataset(folder: ReleaseFolder, found: Record, resource: Resource) -> Any:
    """``datasets.load_dataset`` on the folder, once everything it will read has been checked."""
    import datasets
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCardData

    from articlepack import tablefile

    verify(folder, only=(), extras=True)
    card = front_matter(folder, found)
    wrong = card_problems(card, found)
    if wrong:
        raise folder.refuse(*wrong)
    with open_verified(folder, found, resource.path) as handle:
        for _ in tablefile.batches(folder, resource, handle, found.files[resource.path].bytes):
            pass
    try:
        infos = DatasetInfosDict.from_dataset_card_data(DatasetCardData(**card))
        info = infos.get(resource.name)
        features = tablefile.table_schema(resource).features()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise tablefile.unreadable(folder, resource, exc) from None
    if info is None or info.features != features:
        raise folder.refuse(
            f"{CARD}: the features of {resource.name} are not those the record declares"
        )
    # datasets keys its cache of a local folder by the folder's name and the config, not by the
    # files' contents: a second release of the same name and version (rebuilt after an edit, or
    # another copy) would be given the first one's rows. Each record's sha256, which pins every
    # file, gets a cache of its own.
    cache = Path(datasets.config.HF_DATASETS_CACHE) / "articlepack" / found.digest[:32]
    return datasets.load_dataset(
        str(folder.root.resolve()), resource.name, split="train", cache_dir=str(cache)
    )


def info(release: Path | str, *, expect: str | None = None) -> ReleaseInfo:
    """Name, version, tables with row counts and citation of the release folder ``release``.

    The row counts are those the record declares (``load`` checks them against each file).
    """
    folder = ReleaseFolder(Path(release))
    found = read_record(folder, expect=expect)
    citation = ""
    entry = found.files.get(CITATION)
    if entry is not None:
        if entry.bytes > MAX_CITATION_BYTES:
            raise folder.refuse(f"{CITATION} is larger than {MAX_CITATION_BYTES:,} bytes")
        citation = read_verified(folder, found, CITATION).decode("utf-8", errors="replace")
    counts = {name: r.rows for name, r in found.resources.items()}
    package = found.package
    return ReleaseInfo(
        package["name"], package["version"], folder.root, counts, citation, found.digest
    )
