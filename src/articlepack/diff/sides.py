"""The two sides of a diff, read into one normalised form, whatever kind each side is.

A release folder is read as untrusted (its files re-hashed), a project is read and validated and
its published tables computed in memory, and a git revision is a project extracted by
:mod:`articlepack.diff.git`. All three become a :class:`Snapshot` of :class:`Table` objects, so
the comparing modules never ask where a side came from.

A project compared with a release is seen as its release would describe it: a release's
``datapackage.json`` declares list columns ``any`` and leaves out array item enums and foreign
keys over optional fields, so a project also keeps that lossy view (``Snapshot.released``).
A release's ``documents`` table is left out: it is derived from the other tables, so each of its
changes is one of theirs, graded there.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from articlepack.diff import git
from articlepack.errors import DiffError
from articlepack.layers import DOCUMENTS

if TYPE_CHECKING:
    import pyarrow

    from articlepack.corpus import Corpus

_LIST_NOTE = re.compile(r"\s*A list of \w+ values \(Parquet list<\w+>\)\.$")


@dataclass(frozen=True)
class Field:
    """A Table Schema field, normalised so that a project and a release compare equal."""

    name: str
    type: str
    item: str | None  # the item type of an array
    format: str | None
    constraints: dict[str, Any]
    item_enum: tuple[Any, ...] | None
    description: str

    @property
    def type_name(self) -> str:
        return f"array<{self.item}>" if self.type == "array" else self.type

    @property
    def class_label(self) -> bool:
        """Published as a Hugging Face ``ClassLabel`` (integer codes in the enum's order)."""
        c = self.constraints
        return self.type == "string" and bool(c.get("enum")) and c.get("required") is True


@dataclass(frozen=True)
class Table:
    name: str
    fields: list[Field]
    primary_key: tuple[str, ...]
    foreign_keys: frozenset[tuple[tuple[str, ...], str, tuple[str, ...]]]
    description: str
    data: pyarrow.Table = field(repr=False)
    offsets: tuple[str, ...] = ()  # span offsets into the published text

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def position(self, name: str) -> int:
        return next(i for i, f in enumerate(self.fields) if f.name == name)


@dataclass(frozen=True)
class Side:
    """Where one side of a diff came from."""

    source: str
    kind: Literal["release", "project", "revision"]
    version: str | None

    def describe(self) -> str:
        kind = {
            "release": "release folder",
            "project": "project folder",
            "revision": "git revision",
        }[self.kind]
        return f"{self.source} ({kind}, version {self.version or 'unknown'})"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Snapshot:
    """One side read into memory: its tables (schemas and published rows) and dataset metadata."""

    side: Side
    tables: dict[str, Table]
    metadata: dict[str, Any]
    #: A project's tables as a release would describe them (``frictionless(parquet=True)``
    #: is lossy: array item enums and some foreign keys are not in it). None for a release.
    released: dict[str, Table] | None = None

    def view(self, *, as_released: bool) -> dict[str, Table]:
        return self.released if as_released and self.released is not None else self.tables


def load(source: str | Path | Snapshot, project: Path | str = ".") -> Snapshot:
    """Read one side: a folder (release or project), else a git revision of ``project``."""
    if isinstance(source, Snapshot):
        return source
    path = Path(source)
    if path.name == "datapackage.json" and path.is_file():
        path = path.parent
    if path.is_dir():
        if (path / "datapackage.json").is_file():
            return read_release(path)
        if (path / "corpus").is_dir():
            return read_project(path)
        raise DiffError(
            f"{path} is neither a release folder (no datapackage.json) nor a dataset project "
            "(no corpus/ folder)"
        )
    return read_revision(str(source), Path(project))


def read_project(
    root: Path | str, *, label: str | None = None, kind: Literal["project", "revision"] = "project"
) -> Snapshot:
    """Read and validate a project; its published tables are computed in memory."""
    from articlepack.checks import check, check_articles
    from articlepack.corpus import read_checked
    from articlepack.errors import ProjectError

    root = Path(root)
    label = label or str(root)
    try:  # a revision's temporary checkout is never cached: its cache would outlive it
        corpus, checked = read_checked(root, cache=kind != "revision", check=check_articles)
    except ProjectError as exc:
        raise DiffError(f"{label}: {str(exc).replace(str(root.resolve()), label)}") from None
    report = check(corpus, checked)
    if not report.valid:
        raise DiffError(
            f"{label} is not a valid dataset project ({len(report.errors)} errors; "
            f"`articlepack validate` lists them)"
        )
    return snapshot(corpus, label=label, kind=kind)


def read_revision(revision: str, project: Path) -> Snapshot:
    """Materialise ``revision`` of the project at ``project`` with ``git archive`` and read it."""
    with git.checkout(revision, project) as root:
        return read_project(root, label=revision, kind="revision")


def snapshot(
    corpus: Corpus, *, label: str | None = None, kind: Literal["project", "revision"] = "project"
) -> Snapshot:
    """A snapshot of an already read and *valid* corpus."""
    from articlepack.builder.datapackage import license_entry
    from articlepack.builder.tables import publish

    published = publish(corpus)
    tables, released = {}, {}
    for name, schema in corpus.schemas.items():
        items = {
            f["name"]: schema.item(f["name"]) for f in schema.fields if f.get("type") == "array"
        }
        offsets = tuple(c for s in schema.spans for c in (s.start, s.end) if c)
        tables[name] = _table(name, schema.frictionless(), published[name], items, offsets)
        plain = {column: {"type": item["type"]} for column, item in items.items()}
        released[name] = _table(
            name, schema.frictionless(parquet=True), published[name], plain, offsets
        )
    dataset = corpus.dataset
    version = dataset.get("version")
    metadata = _metadata(
        dataset,
        license_entry(str(dataset["license"]))["name"] if dataset.get("license") else None,
        [str(k) for k in dataset.get("keywords") or []],
    )
    side = Side(label or str(corpus.root), kind, str(version) if version is not None else None)
    return Snapshot(side, tables, metadata, released)


def read_release(root: Path | str) -> Snapshot:
    """Read a release folder as untrusted: its record checked for shape, each Parquet file
    re-hashed and checked against its declared schema and row count before its rows are used."""
    from articlepack import tablefile
    from articlepack.errors import IntegrityError
    from articlepack.record import read_record
    from articlepack.release_folder import ReleaseFolder
    from articlepack.verify import open_verified

    folder = ReleaseFolder(Path(root))
    tables = {}
    try:
        record = read_record(folder)
        for name, resource in record.resources.items():
            if name == DOCUMENTS:  # derived from the other tables: its changes are theirs
                continue
            with open_verified(folder, record, resource.path) as handle:
                data = tablefile.read(folder, resource, handle, record.files[resource.path].bytes)
            tables[name] = _table(
                name, resource.schema, data, resource.array_items, resource.offsets
            )
    except IntegrityError as exc:
        raise DiffError(f"{root} is not a sound release: {'; '.join(exc.problems)}") from None
    package = record.package
    licenses, keywords = package.get("licenses"), package.get("keywords")
    first = licenses[0] if isinstance(licenses, list) and licenses else None
    metadata = _metadata(
        package,
        first.get("name") if isinstance(first, dict) else None,
        [str(k) for k in keywords] if isinstance(keywords, list) else [],
    )
    side = Side(str(root), "release", package["version"])
    return Snapshot(side, tables, metadata)


def _metadata(source: dict[str, Any], license: str | None, keywords: list[str]) -> dict[str, Any]:
    """The dataset metadata that reaches a release (dataset.yaml and datapackage.json share the
    names of its keys; the licence and keywords are spelled differently in each)."""
    return {
        "name": source.get("name"),
        "title": source.get("title"),
        "description": str(source.get("description") or "").strip() or None,
        "license": license,
        "keywords": keywords,
        "homepage": source.get("homepage"),
    }


def _table(
    name: str,
    descriptor: dict[str, Any],
    data: pyarrow.Table,
    items: dict[str, dict[str, Any]],
    offsets: tuple[str, ...],
) -> Table:
    fields = []
    for f in descriptor.get("fields", []):
        kind = str(f.get("type", "string"))
        item = items.get(f["name"])
        if kind == "any" and item is not None:  # a release declares list columns `any`
            kind = "array"
        enum = item.get("enum") if item else None
        text = " ".join(str(f.get(k) or "") for k in ("title", "description")).strip()
        fields.append(
            Field(
                name=str(f["name"]),
                type=kind,
                item=str(item.get("type", "string")) if kind == "array" and item else None,
                format=f.get("format"),
                constraints=dict(f.get("constraints") or {}),
                item_enum=tuple(enum) if enum else None,
                description=_LIST_NOTE.sub("", text),
            )
        )
    foreign = set()
    for fk in descriptor.get("foreignKeys", []):
        reference = fk.get("reference", {})
        foreign.add(
            (
                _names(fk.get("fields")),
                str(reference.get("resource") or name),
                _names(reference.get("fields")),
            )
        )
    text = " ".join(str(descriptor.get(k) or "").strip() for k in ("title", "description")).strip()
    key = _names(descriptor.get("primaryKey"))
    return Table(name, fields, key, frozenset(foreign), text, data, offsets)


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)
