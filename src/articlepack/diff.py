"""Changes between two versions of a dataset, and the SemVer bump they require.

Each side of a diff is a release folder (``datapackage.json`` + Parquet), a dataset project folder,
or a git revision of a project (a tag such as ``v1.0.0``, ``HEAD``, a commit). A revision is
materialised with ``git archive`` (``corpus/``, ``schemas/`` and, when ``schemas`` is a symlink,
the folder it points to) into a temporary folder; projects are read and validated, and their
published tables are computed in memory (no release is written).

The bump follows the Data Package version recipe (https://datapackage.org/recipes/data-package-version/):

- **major**: a table or field removed, renamed or retyped (type or format); a constraint tightened
  (``required``/``unique`` added, enum values removed, a higher minimum or lower maximum, a pattern
  added or changed, a foreign key added, the primary key changed); a required field added; fields
  re-ordered; enum values inserted before existing ones in a Hugging Face ``ClassLabel`` column
  (their integer codes shift); rows removed from ``articles`` or from a table that another table's
  foreign key refers to (``entities``, ``mentions``, ``events``); the dataset renamed.
- **minor**: a table or optional field added; a constraint loosened; rows added (articles,
  annotations, entities).
- **patch**: rows changed (corrected annotations or article metadata); rows removed from a table
  nothing refers to (``quotes``, ``event_arguments``, ``segments``: a correction); descriptions,
  titles and dataset metadata (title, description, licence, keywords, homepage) changed.

Renames: a field that disappears and a field that appears are one renamed field when they have the
same type and hold the same values in every row the two versions share (joined on the primary
key). When there is no shared row to compare, or the old field holds only nulls, they must also
stand at the same position among the table's fields. Anything else is a removal plus an addition
(both major, so the bump is the same either way).

Rows are matched on each table's primary key with polars joins (each side reduced to its key and
a hash of its other columns; rows whose hashes differ are then compared column by column). A row
is *changed* when a column that both versions have with the same type differs (null-aware).
Dropped, added and retyped columns are reported as schema changes, not as changed rows.

A project compared with a release is seen as its release would describe it: a release's
``datapackage.json`` declares list columns ``any`` and leaves out array item enums and foreign
keys over optional fields, so those are not compared across the two kinds.

Not compared: GUIDELINES.md, datacard.md, waivers, and dataset.yaml's contributors and
text_rights (nothing of them reaches the published tables).

Also here: the version gate (:func:`version_gate`), :func:`bump`, which writes the required
version into corpus/dataset.yaml, and :func:`changelog`, which prepends an entry to CHANGELOG.md.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from articlepack.errors import ArticlepackError
from articlepack.versions import is_valid, parse, required_version, sort_tags, tag_version

if TYPE_CHECKING:
    import pyarrow
    from rich.console import Console

    from articlepack.corpus import Corpus

Bump = Literal["none", "patch", "minor", "major"]
BUMPS: tuple[Bump, ...] = ("none", "patch", "minor", "major")
DATASET = Path("corpus", "dataset.yaml")
CHANGELOG = "CHANGELOG.md"
CHANGELOG_HEADER = (
    "# Changelog\n\n"
    "Every release of this dataset, newest first. Versions follow SemVer under the\n"
    "Data Package version recipe: MAJOR for removed, renamed or retyped fields,\n"
    "tightened constraints or removed articles; MINOR for added articles, annotations,\n"
    "fields or tables; PATCH for corrections. `articlepack changelog` writes each entry\n"
    "from `articlepack diff` against the previous release's tag.\n"
)
_SUFFIX = "__articlepack_new"
_HASH = "__articlepack_hash"
_LIST_NOTE = re.compile(r"\s*A list of \w+ values \(Parquet list<\w+>\)\.$")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength")
_SHOWN_IDS = 10


class DiffError(ArticlepackError, ValueError):
    """A side of a diff is unusable: not a release, project or git revision, or not readable."""


class VersionTooLow(DiffError):
    """The declared version is lower than the changes require (``changelog`` refuses to write)."""


# -- the two sides ----------------------------------------------------------------------------


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
        return {"source": self.source, "kind": self.kind, "version": self.version}


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
    from articlepack.checks import check
    from articlepack.corpus import read
    from articlepack.errors import ProjectError

    root = Path(root)
    label = label or str(root)
    try:  # a revision's temporary checkout is never cached: its cache would outlive it
        corpus = read(root, cache=kind != "revision")
    except ProjectError as exc:
        raise DiffError(f"{label}: {str(exc).replace(str(root.resolve()), label)}") from None
    report = check(corpus)
    if not report.valid:
        raise DiffError(
            f"{label} is not a valid dataset project ({len(report.errors)} errors; "
            f"`articlepack validate` lists them)"
        )
    return snapshot(corpus, label=label, kind=kind)


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
    metadata = {
        "name": dataset.get("name"),
        "title": dataset.get("title"),
        "description": str(dataset.get("description") or "").strip() or None,
        "license": license_entry(str(dataset["license"]))["name"]
        if dataset.get("license")
        else None,
        "keywords": [str(k) for k in dataset.get("keywords") or []],
        "homepage": dataset.get("homepage"),
    }
    side = Side(label or str(corpus.root), kind, str(version) if version is not None else None)
    return Snapshot(side, tables, metadata, released)


def read_release(root: Path | str) -> Snapshot:
    """Read a release folder as untrusted: its record checked for shape, each Parquet file
    re-hashed and checked against its declared schema and row count before its rows are used."""
    from articlepack import tablefile
    from articlepack.errors import IntegrityError
    from articlepack.record import ReleaseFolder, read_record
    from articlepack.verify import open_verified

    folder = ReleaseFolder(Path(root))
    tables = {}
    try:
        record = read_record(folder)
        for name, resource in record.resources.items():
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
    metadata = {
        "name": package.get("name"),
        "title": package.get("title"),
        "description": str(package.get("description") or "").strip() or None,
        "license": first.get("name") if isinstance(first, dict) else None,
        "keywords": [str(k) for k in keywords] if isinstance(keywords, list) else [],
        "homepage": package.get("homepage"),
    }
    side = Side(str(root), "release", package["version"])
    return Snapshot(side, tables, metadata)


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


# -- git revisions ----------------------------------------------------------------------------


def read_revision(revision: str, project: Path) -> Snapshot:
    """Materialise ``revision`` of the project at ``project`` with ``git archive`` and read it."""
    if not revision or revision.startswith("-"):
        raise DiffError(f"{revision!r} is neither a folder nor a git revision")
    top = _git(project, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise DiffError(
            f"{revision!r} is not a folder, and {project} is not inside a git repository, "
            "so it cannot be a git revision either"
        )
    root = Path(top.stdout.strip())
    prefix = _git(project, "rev-parse", "--show-prefix").stdout.strip().rstrip("/")
    commit = _commit(project, revision)
    if commit is None:
        raise DiffError(f"{revision!r} is neither a folder nor a git revision of {project}")
    paths = _archive_paths(root, commit, prefix, revision)
    with tempfile.TemporaryDirectory(prefix="articlepack-diff-") as tmp:
        _extract(root, commit, paths, Path(tmp), revision)
        return read_project(Path(tmp, prefix), label=revision, kind="revision")


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False, timeout=300
        )
    except FileNotFoundError:
        raise DiffError("git is not installed, so git revisions cannot be read") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} took longer than 5 minutes") from None


def _commit(project: Path, revision: str) -> str | None:
    done = _git(project, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    return done.stdout.strip() if done.returncode == 0 else None


def _ls_tree(root: Path, commit: str, paths: list[str]) -> dict[str, tuple[str, str]]:
    done = _git(root, "ls-tree", "-z", commit, "--", *paths)
    out = {}
    for entry in filter(None, done.stdout.split("\0")):
        meta, _, path = entry.partition("\t")
        mode, _kind, sha = meta.split()
        out[path] = (mode, sha)
    return out


def _archive_paths(root: Path, commit: str, prefix: str, revision: str) -> list[str]:
    """The project's ``corpus`` and ``schemas`` at ``commit``, and where ``schemas`` links to."""
    corpus, schemas = posixpath.join(prefix, "corpus"), posixpath.join(prefix, "schemas")
    entries = _ls_tree(root, commit, [corpus, schemas])
    for path in (corpus, schemas):
        if path not in entries:
            raise DiffError(
                f"revision {revision} has no {path}/ (not a dataset project at that revision)"
            )
    paths, current = [corpus, schemas], schemas
    for _ in range(8):  # follow a chain of symlinks, within reason
        mode, sha = entries[current]
        if mode != "120000":
            return paths
        target = _git(root, "cat-file", "blob", sha).stdout
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
        if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
            raise DiffError(
                f"at revision {revision}, {current} is a symlink that leads outside the repository"
            )
        entries = _ls_tree(root, commit, [resolved])
        if resolved not in entries:
            raise DiffError(
                f"at revision {revision}, {current} is a symlink to {resolved}, "
                "which does not exist"
            )
        paths.append(resolved)
        current = resolved
    raise DiffError(f"at revision {revision}, {schemas} is a chain of too many symlinks")


def _extract(root: Path, commit: str, paths: list[str], dest: Path, revision: str) -> None:
    """Stream ``git archive`` into ``dest`` (never the whole archive in memory)."""
    process = subprocess.Popen(
        ["git", "-C", str(root), "archive", "--format=tar", commit, "--", *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    problem = None
    try:
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            archive.extractall(dest, filter="data")
    except (tarfile.TarError, OSError) as exc:
        problem = str(exc)
        process.kill()
    error = process.stderr.read().decode("utf-8", "replace").strip()
    code = process.wait()
    process.stdout.close()
    process.stderr.close()
    if code != 0 or problem:
        raise DiffError(f"cannot read revision {revision} with git archive: {error or problem}")


def tags(project: Path | str) -> list[str]:
    """The project's ``v<SemVer>`` git tags, oldest first (none outside a git repository)."""
    done = _git(Path(project), "tag", "--list", "v*")
    if done.returncode != 0:
        return []
    return sort_tags(done.stdout.split())


def latest_tag(project: Path | str) -> str | None:
    """The project's latest ``v*`` tag by SemVer, or None."""
    found = tags(project)
    return found[-1] if found else None


# -- comparing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One schema (or dataset metadata) change and the bump it requires."""

    table: str | None
    field: str | None
    kind: str
    detail: str
    bump: Bump

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "field": self.field,
            "kind": self.kind,
            "detail": self.detail,
            "bump": self.bump,
        }


@dataclass(frozen=True)
class TableChanges:
    """Rows added, removed and changed in one table, by primary key (``a/b`` when composite)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    #: column -> how many rows changed their value in it
    changed_columns: dict[str, int] = field(default_factory=dict)
    #: another table's foreign key (or, for articles, the corpus itself) refers to these rows
    referenced: bool = False
    #: span offset column -> how many rows no longer publish a value there (text withheld)
    withdrawn: dict[str, int] = field(default_factory=dict)

    @property
    def bump(self) -> Bump:
        """Removed rows: major if referenced, else patch; added: minor; changed: patch; span
        offsets no longer published: major (a reader's slices of the text stop working)."""
        bumps: list[Bump] = ["none"]
        if self.removed:
            bumps.append("major" if self.referenced else "patch")
        if self.withdrawn:
            bumps.append("major")
        if self.added:
            bumps.append("minor")
        if self.changed:
            bumps.append("patch")
        return max(bumps, key=BUMPS.index)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "changed_columns": self.changed_columns,
            "withdrawn": self.withdrawn,
        }


@dataclass(frozen=True)
class Diff:
    """What changed from ``old`` to ``new``, and the SemVer bump it requires."""

    old: Side
    new: Side
    schema_changes: list[Change]
    data_changes: dict[str, TableChanges]
    metadata_changes: list[Change] = field(default_factory=list)

    @property
    def required_bump(self) -> Bump:
        bumps = [c.bump for c in (*self.schema_changes, *self.metadata_changes)]
        bumps += [t.bump for t in self.data_changes.values()]
        return max(bumps, key=BUMPS.index, default="none")

    @property
    def required_version(self) -> str | None:
        """The lowest version NEW may carry, or None when OLD has no SemVer version."""
        if not is_valid(self.old.version):
            return None
        return required_version(self.old.version, self.required_bump)

    @property
    def articles(self) -> TableChanges:
        return self.data_changes.get("articles", TableChanges())

    def to_dict(self) -> dict[str, Any]:
        return {
            "required_bump": self.required_bump,
            "required_version": self.required_version,
            "old": self.old.as_dict(),
            "new": self.new.as_dict(),
            "schema_changes": [c.as_dict() for c in self.schema_changes],
            "metadata_changes": [c.as_dict() for c in self.metadata_changes],
            "data_changes": {name: t.as_dict() for name, t in self.data_changes.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def diff(
    old: str | Path | Snapshot, new: str | Path | Snapshot, project: Path | str = Path(".")
) -> Diff:
    """Compare two releases, projects or git revisions (revisions of ``project``).

    Raises :class:`DiffError` when a side is unusable (not found, unreadable, or an invalid corpus).
    """
    return compare(load(old, project), load(new, project))


def compare(old: Snapshot, new: Snapshot) -> Diff:
    """The diff of two snapshots already in memory."""
    schema: list[Change] = []
    data: dict[str, TableChanges] = {}
    # Against a release, a project is seen as its release would describe it.
    as_released = "release" in (old.side.kind, new.side.kind)
    olds, news = old.view(as_released=as_released), new.view(as_released=as_released)
    referenced = {"articles"} | {
        fk[1] for s in (old, new) for t in s.tables.values() for fk in t.foreign_keys
    }
    for name in [*olds, *(n for n in news if n not in olds)]:
        before, after = olds.get(name), news.get(name)
        if before is None and after is not None:
            schema.append(
                Change(
                    name, None, "table-added", f"new table ({after.data.num_rows} rows)", "minor"
                )
            )
            data[name] = TableChanges(added=_ids(after), referenced=name in referenced)
        elif after is None and before is not None:
            schema.append(
                Change(
                    name,
                    None,
                    "table-removed",
                    f"table removed ({before.data.num_rows} rows)",
                    "major",
                )
            )
            data[name] = TableChanges(removed=_ids(before), referenced=name in referenced)
        elif before is not None and after is not None:
            renames = _renames(before, after)
            schema += _compare_table(before, after, renames)
            data[name] = _compare_rows(before, after, renames, referenced=name in referenced)
    return Diff(old.side, new.side, schema, data, _compare_metadata(old.metadata, new.metadata))


def _compare_metadata(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = []
    for key in old.keys() | new.keys():
        if old.get(key) != new.get(key):
            bump: Bump = "major" if key == "name" else "patch"
            detail = (
                f"{old.get(key)!r} → {new.get(key)!r}"
                if key in ("name", "license")
                else f"{key} changed"
            )
            out.append(
                Change(
                    None,
                    key,
                    "dataset-renamed" if key == "name" else "metadata-changed",
                    detail,
                    bump,
                )
            )
    return sorted(out, key=lambda c: str(c.field))


def _renames(old: Table, new: Table) -> dict[str, str]:
    """Old field name -> new field name for the fields judged renamed (see the module docstring)."""
    import polars as pl

    gone = [f for f in old.fields if new.field(f.name) is None]
    came = [f for f in new.fields if old.field(f.name) is None]
    if not gone or not came:
        return {}
    key = list(old.primary_key)
    shared = None
    if (
        key
        and old.primary_key == new.primary_key
        and all(new.field(k) and old.field(k) for k in key)
    ):
        left = _frame(old.data.select([*key, *(f.name for f in gone)]))
        right = _frame(new.data.select([*key, *(f.name for f in came)]))
        try:
            shared = left.join(right, on=key, how="inner")
        except pl.exceptions.PolarsError:
            shared = None
    out: dict[str, str] = {}
    for f in gone:
        candidates = [g for g in came if g.name not in out.values() and g.type_name == f.type_name]
        same_place = [g for g in candidates if old.position(f.name) == new.position(g.name)]
        if shared is None or shared.height == 0 or shared[f.name].null_count() == shared.height:
            candidates = same_place
        else:
            candidates = [g for g in candidates if _same(shared[f.name], shared[g.name])]
            candidates = [g for g in candidates if g in same_place] or candidates
        if candidates:
            out[f.name] = candidates[0].name
    return out


def _same(a: Any, b: Any) -> bool:
    import polars as pl

    try:
        return bool(a.eq_missing(b).all())
    except pl.exceptions.PolarsError:
        return False


def _compare_table(old: Table, new: Table, renames: dict[str, str]) -> list[Change]:
    name, out = new.name, []
    for f in old.fields:
        g = new.field(renames.get(f.name, f.name))
        if f.name in renames and g is not None:
            out.append(
                Change(
                    name, f.name, "field-renamed", f"renamed to `{g.name}` ({f.type_name})", "major"
                )
            )
            out += _compare_field(name, f, g)
        elif g is None:
            out.append(
                Change(name, f.name, "field-removed", f"{f.type_name} field removed", "major")
            )
        else:
            out += _compare_field(name, f, g)
    renamed = set(renames.values())
    for g in new.fields:
        if old.field(g.name) is None and g.name not in renamed:
            required = g.constraints.get("required") is True
            out.append(
                Change(
                    name,
                    g.name,
                    "field-added",
                    f"{'required' if required else 'optional'} {g.type_name} field added",
                    "major" if required else "minor",
                )
            )
    kept = [
        renames.get(f.name, f.name) for f in old.fields if new.field(renames.get(f.name, f.name))
    ]
    order = [g.name for g in new.fields if g.name in set(kept)]
    if kept != order:
        out.append(
            Change(
                name,
                None,
                "fields-reordered",
                "fields that both versions have are in a different order: " + ", ".join(order),
                "major",
            )
        )
    if old.primary_key != new.primary_key:
        out.append(
            Change(
                name,
                None,
                "primary-key-changed",
                f"primary key ({', '.join(old.primary_key)}) → ({', '.join(new.primary_key)})",
                "major",
            )
        )
    for fk in sorted(new.foreign_keys - old.foreign_keys):
        out.append(
            Change(name, None, "constraint-tightened", f"foreign key added: {_fk(fk)}", "major")
        )
    for fk in sorted(old.foreign_keys - new.foreign_keys):
        out.append(
            Change(name, None, "constraint-loosened", f"foreign key removed: {_fk(fk)}", "minor")
        )
    if old.description != new.description:
        out.append(
            Change(name, None, "description-changed", "table title or description changed", "patch")
        )
    return out


def _fk(fk: tuple[tuple[str, ...], str, tuple[str, ...]]) -> str:
    return f"({', '.join(fk[0])}) → {fk[1]}({', '.join(fk[2])})"


def _compare_field(table: str, old: Field, new: Field) -> list[Change]:
    name = new.name
    out = []
    if old.type_name != new.type_name:
        out.append(
            Change(table, name, "field-retyped", f"type {old.type_name} → {new.type_name}", "major")
        )
    if old.format != new.format:
        out.append(
            Change(
                table,
                name,
                "field-retyped",
                f"format {old.format or 'none'} → {new.format or 'none'}",
                "major",
            )
        )
    if old.class_label and not new.class_label and old.type_name == new.type_name:
        out.append(
            Change(
                table,
                name,
                "field-retyped",
                "no longer a required enum, so its Hugging Face ClassLabel (integer codes) "
                "becomes a string",
                "major",
            )
        )
    keys = sorted(old.constraints.keys() | new.constraints.keys())
    for key in keys:
        before, after = old.constraints.get(key), new.constraints.get(key)
        if before != after:
            out += [
                Change(table, name, kind, detail, bump)
                for kind, detail, bump in _constraint(
                    key, before, after, class_label=new.class_label
                )
            ]
    if old.item_enum != new.item_enum:
        out += [
            Change(table, name, kind, f"items: {detail}", bump)
            for kind, detail, bump in _constraint(
                "enum", old.item_enum, new.item_enum, class_label=False
            )
        ]
    if old.description != new.description:
        out.append(
            Change(
                table, name, "description-changed", "field title or description changed", "patch"
            )
        )
    return out


def _constraint(key: str, old: Any, new: Any, *, class_label: bool) -> list[tuple[str, str, Bump]]:
    """How one constraint changed: (kind, detail, bump) items."""
    tight, loose = "constraint-tightened", "constraint-loosened"
    if key in ("required", "unique"):
        return [(tight, f"{key} added", "major")] if new else [(loose, f"{key} removed", "minor")]
    if key == "enum":
        if old is None:
            return [(tight, f"enum added: {_values(new)}", "major")]
        if new is None:
            return [(loose, "enum removed", "minor")]
        removed = [v for v in old if v not in new]
        added = [v for v in new if v not in old]
        out: list[tuple[str, str, Bump]] = []
        if removed:
            out.append((tight, f"enum values removed: {_values(removed)}", "major"))
        if added:
            out.append((loose, f"enum values added: {_values(added)}", "minor"))
        if not removed and class_label and list(new[: len(old)]) != list(old):
            out.append(
                (
                    "enum-reordered",
                    "existing enum values moved, so the integer codes of the Hugging Face "
                    "ClassLabel change",
                    "major",
                )
            )
        return out
    if key == "pattern":
        if old is None:
            return [(tight, f"pattern added: {new}", "major")]
        if new is None:
            return [(loose, f"pattern removed: {old}", "minor")]
        return [
            (
                "constraint-changed",
                f"pattern {old} → {new} (treated as tightened: a pattern cannot be proven looser)",
                "major",
            )
        ]
    if key in _LOWER_BOUNDS or key in _UPPER_BOUNDS:
        if old is None:
            return [(tight, f"{key} {new} added", "major")]
        if new is None:
            return [(loose, f"{key} {old} removed", "minor")]
        try:
            higher = new > old
        except TypeError:
            return [("constraint-changed", f"{key} {old} → {new}", "major")]
        tighter = higher if key in _LOWER_BOUNDS else not higher
        return (
            [(tight, f"{key} {old} → {new}", "major")]
            if tighter
            else [(loose, f"{key} {old} → {new}", "minor")]
        )
    return [("constraint-changed", f"{key} {old!r} → {new!r}", "major")]


def _values(values: Any) -> str:
    return ", ".join(map(str, values))


def _frame(table: pyarrow.Table) -> Any:
    import polars as pl

    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _id_expr(key: list[str]) -> Any:
    import polars as pl

    return pl.concat_str(
        [pl.col(k).cast(pl.String) for k in key], separator="/", ignore_nulls=False
    )


def _ids(table: Table) -> list[str]:
    frame = _frame(table.data)
    key = [k for k in table.primary_key if k in frame.columns]
    if not key:
        return [str(i) for i in range(frame.height)]
    return sorted(frame.select(_id_expr(key).alias("id"))["id"].to_list())


def _compare_rows(
    old: Table, new: Table, renames: dict[str, str], *, referenced: bool
) -> TableChanges:
    """Rows added, removed and changed, by joins on the primary key.

    Each side is reduced to its key and a 64-bit hash of its other columns; only the rows whose
    hashes differ are compared column by column (a hash collision could hide a change: odds of
    about 1 in 2**64 per changed row).
    """
    import polars as pl

    before = _frame(old.data).rename(
        {k: v for k, v in renames.items() if k in old.data.column_names}
    )
    after = _frame(new.data)
    comparable = []
    for g in new.fields:
        f = old.field(next((k for k, v in renames.items() if v == g.name), g.name))
        if (
            f is not None
            and f.type_name == g.type_name
            and g.name in before.columns
            and g.name in after.columns
        ):
            comparable.append(g.name)
    simple = [c for c in comparable if not isinstance(after.schema[c], pl.List)]
    for candidate in (list(new.primary_key), [renames.get(k, k) for k in old.primary_key], simple):
        if candidate and all(c in simple for c in candidate):
            key = candidate
            break
    else:
        key = []
    if not key:
        return TableChanges(removed=_ids(old), added=_ids(new), referenced=referenced)
    values = [c for c in comparable if c not in key]
    digest = pl.struct(values).hash(seed=0) if values else pl.lit(0, pl.UInt64)
    left = before.lazy().select(*key, digest.alias(_HASH))
    right = after.lazy().select(*key, digest.alias(_HASH))
    ident = _id_expr(key).alias("id")
    added, removed, differ = pl.collect_all(
        [
            right.join(left, on=key, how="anti").select(ident).sort("id"),
            left.join(right, on=key, how="anti").select(ident).sort("id"),
            left.join(right, on=key, how="inner", suffix=_SUFFIX)
            .filter(pl.col(_HASH) != pl.col(_HASH + _SUFFIX))
            .select(key),
        ]
    )
    changed: list[str] = []
    counts: dict[str, int] = {}
    withdrawn: dict[str, int] = {}
    if differ.height:  # exact, column by column, on the few rows whose hashes differ
        pair = (
            before.join(differ, on=key, how="semi")
            .select(*key, *values)
            .join(
                after.join(differ, on=key, how="semi").select(*key, *values),
                on=key,
                how="inner",
                suffix=_SUFFIX,
            )
        )
        cells = pair.select(
            ident, *[pl.col(c).ne_missing(pl.col(c + _SUFFIX)).alias(c) for c in values]
        )
        changed = cells.filter(pl.any_horizontal(values))["id"].sort().to_list()
        counts = {
            c: int(n) for c, n in cells.select(pl.col(values).sum()).row(0, named=True).items() if n
        }
        offsets = [c for c in new.offsets if c in values]
        lost = pair.select(
            (pl.col(c).is_not_null() & pl.col(c + _SUFFIX).is_null()).sum() for c in offsets
        )
        withdrawn = {c: int(n) for c, n in lost.row(0, named=True).items() if n} if offsets else {}
    return TableChanges(
        added=added["id"].to_list(),
        removed=removed["id"].to_list(),
        changed=changed,
        changed_columns=counts,
        referenced=referenced,
        withdrawn=withdrawn,
    )


# -- versions ----------------------------------------------------------------------------------


def _base_version(result: Diff, against: str) -> str:
    """OLD's declared version; for a ``v<SemVer>`` tag without one, the tag's."""
    version = result.old.version
    if is_valid(version):
        return version
    if (tagged := tag_version(against)) is not None:
        return tagged
    raise DiffError(f"{against} declares no SemVer version to bump from")


@dataclass(frozen=True)
class Gate:
    """The verdict of the version gate."""

    passed: bool
    message: str
    against: str | None = None
    declared: str | None = None
    required_bump: Bump = "none"
    required_version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "message": self.message,
            "against": self.against,
            "declared_version": self.declared,
            "required_bump": self.required_bump,
            "required_version": self.required_version,
        }

    def add_to_json(self, report: str) -> str:
        """A validation report's JSON with this verdict under ``version_gate``."""
        body = {**json.loads(report), "version_gate": self.as_dict()}
        return json.dumps(body, indent=2, ensure_ascii=False)

    def to_github(self, project: Path | str) -> str:
        """A GitHub workflow annotation on corpus/dataset.yaml's version line."""
        line = version_line(project)
        where = f"file={DATASET.as_posix()}" + (f",line={line}" if line else "")
        level = "notice" if self.passed else "error"
        message = self.message.replace("%", "%25").replace("\n", "%0A")
        return f"::{level} {where},title=version gate::{message}"


def version_gate(
    project: Path | str = ".", against: str | None = None, *, corpus: Corpus | None = None
) -> Gate:
    """Check the project's declared version against ``against`` (default: the latest ``v*`` tag).

    Fails when the declared version is lower than the bump the changes require, or when it is
    already tagged and the tagged content differs. ``corpus``: the project already read and valid.
    """
    project = Path(project)
    current = snapshot(corpus, label=str(project)) if corpus is not None else read_project(project)
    declared = current.side.version
    if against is None:
        against = latest_tag(project)
        if against is None:
            return Gate(
                True,
                f"no v* git tag in {project}: nothing to compare version {declared} against",
                declared=declared,
            )
    result = compare(load(against, project), current)
    base = _base_version(result, against)
    needed = required_version(base, result.required_bump)

    def verdict(passed: bool, message: str) -> Gate:
        return Gate(passed, message, against, declared, result.required_bump, needed)

    if not is_valid(declared):
        return verdict(False, f"{DATASET.as_posix()} declares no SemVer version")
    if parse(declared) < parse(needed):
        why = (
            f"the changes since {against} (version {base}) require a {result.required_bump} bump"
            if result.required_bump != "none"
            else f"it is lower than {against}'s version {base}"
        )
        return verdict(
            False,
            f"{DATASET.as_posix()} declares version {declared}, but {why}: declare at least "
            f"{needed} (`articlepack bump` writes it)",
        )
    tag = f"v{declared}"
    if tag in tags(project):
        same = _commit(project, tag) == _commit(project, against)
        tagged = result if same else compare(load(tag, project), current)
        if tagged.required_bump != "none":
            return verdict(
                False,
                f"version {declared} is already tagged {tag}, and the corpus differs from that "
                f"tag (a {tagged.required_bump} change); a tagged release is immutable, "
                "so declare at "
                f"least {required_version(declared, tagged.required_bump)}",
            )
    if result.required_bump == "none":
        return verdict(True, f"no changes since {against}; version {declared} is fine")
    return verdict(
        True,
        f"version {declared} carries the {result.required_bump} bump that the changes since "
        f"{against} (version {base}) require",
    )


@dataclass(frozen=True)
class Bumped:
    """What ``bump`` did."""

    against: str
    previous: str | None  # the version declared before
    version: str  # the version declared now
    written: bool
    diff: Diff

    def summary(self) -> str:
        change = f"the {self.diff.required_bump} change since {self.against}"
        if self.written:
            return f"{DATASET.as_posix()}: version {self.previous} -> {self.version} ({change})"
        return (
            f"{DATASET.as_posix()}: version {self.version} already covers {change}; left unchanged"
        )


def bump(project: Path | str = ".", against: str | None = None) -> Bumped:
    """Write the version that the changes since ``against`` (default: latest ``v*`` tag) require.

    Only the ``version:`` line of corpus/dataset.yaml changes; a version already high enough stays.
    """
    project = Path(project)
    current = read_project(project)
    against = against or latest_tag(project)
    if against is None:
        raise DiffError(f"no v* git tag in {project} to compare against; pass --against REV")
    result = compare(load(against, project), current)
    needed = required_version(_base_version(result, against), result.required_bump)
    declared = current.side.version
    if is_valid(declared) and parse(declared) >= parse(needed):
        return Bumped(against, declared, declared, False, result)
    set_version(project / DATASET, needed)
    return Bumped(against, declared, needed, True, result)


_VERSION_LINE = re.compile(r"^(version[ \t]*:[ \t]*)([\"']?)([^\"'\s#]*)\2", re.MULTILINE)


def set_version(path: Path, version: str) -> None:
    """Rewrite the top-level ``version:`` line of a dataset.yaml; every other byte stays."""
    if not is_valid(version):
        raise ValueError(f"{version!r} is not SemVer")
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffError(f"cannot read {path}: {exc}") from None
    new, count = _VERSION_LINE.subn(lambda m: f"{m[1]}{m[2]}{version}{m[2]}", text, count=1)
    if not count:
        raise DiffError(f"{path} has no top-level `version:` line to update")
    path.write_bytes(new.encode("utf-8"))


def version_line(project: Path | str) -> int | None:
    """The 1-based line of the ``version:`` key in corpus/dataset.yaml, for annotations."""
    try:
        text = (Path(project) / DATASET).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _VERSION_LINE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


# -- changelog ---------------------------------------------------------------------------------

_SECTIONS = ("Breaking changes", "Added", "Changed", "Fixed")


def changelog_entry(result: Diff | None, version: str, when: date | str) -> str:
    """A Markdown changelog entry (``## [version] - date``); ``result`` None: a first release."""
    day = when.isoformat() if isinstance(when, date) else str(when)
    lines = [f"## [{version}] - {day}", ""]
    if result is None:
        return "\n".join([*lines, "First release.", ""])
    against = result.old.source
    if result.required_bump == "none":
        return "\n".join(
            [*lines, f"No changes to the data, schemas or metadata since {against}.", ""]
        )
    lines += [
        f"Changes since {against} (version {result.old.version or 'unknown'}); they require a "
        f"**{result.required_bump}** version bump.",
        "",
    ]
    sections: dict[str, list[str]] = {s: [] for s in _SECTIONS}
    for c in (*result.schema_changes, *result.metadata_changes):
        where = ".".join(p for p in (c.table, c.field) if p)
        text = f"- `{where}`: {c.kind.replace('-', ' ')}, {c.detail}" if where else f"- {c.detail}"
        if c.bump == "major":
            sections["Breaking changes"].append(text)
        elif c.kind in ("table-added", "field-added"):
            sections["Added"].append(text)
        else:
            sections["Changed"].append(text)
    for name, t in result.data_changes.items():
        noun = "article" if name == "articles" else f"{name} row"
        if t.removed:
            sections["Breaking changes" if t.referenced else "Fixed"].append(
                f"- {_count(len(t.removed), noun)} removed: {_some(t.removed)}"
            )
        for column, n in t.withdrawn.items():
            sections["Breaking changes"].append(
                f"- `{name}.{column}`: span offsets of {_count(n, noun)} no longer published"
            )
        if t.added:
            sections["Added"].append(f"- {_count(len(t.added), noun)}: {_some(t.added)}")
        if t.changed:
            columns = ", ".join(f"`{c}`" for c in t.changed_columns)
            sections["Fixed"].append(
                f"- {_count(len(t.changed), noun)} corrected ({columns}): {_some(t.changed)}"
            )
    for title in _SECTIONS:
        if sections[title]:
            lines += [f"### {title}", "", *sections[title], ""]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _some(ids: list[str]) -> str:
    shown = ", ".join(f"`{i}`" for i in ids[:_SHOWN_IDS])
    return shown + (f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else "")


def today() -> date:
    """SOURCE_DATE_EPOCH's date when set (reproducible), else today's (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.date()


def add_entry(path: Path, entry: str, version: str) -> bool:
    """Put ``entry`` above the newest entry of ``path`` (created if missing).

    Returns False, writing nothing, when ``version`` already has an entry.
    """
    try:
        text = path.read_bytes().decode("utf-8") if path.exists() else CHANGELOG_HEADER
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffError(f"cannot read {path}: {exc}") from None
    if re.search(rf"^## \[?v?{re.escape(version)}\]?(?:\s|$)", text, re.MULTILINE):
        return False
    first = re.search(r"^## ", text, re.MULTILINE)
    if first:
        text = f"{text[: first.start()]}{entry.rstrip()}\n\n{text[first.start() :]}"
    else:
        text = f"{text.rstrip()}\n\n{entry.rstrip()}\n"
    path.write_bytes(text.encode("utf-8"))
    return True


@dataclass(frozen=True)
class Logged:
    """What ``changelog`` did."""

    path: Path
    version: str
    written: bool
    entry: str
    diff: Diff | None

    def summary(self) -> str:
        if self.written:
            return f"{self.path}: added the entry for {self.version}"
        return f"{self.path}: already has an entry for {self.version}; left unchanged"


def changelog(
    project: Path | str = ".", against: str | None = None, *, when: date | str | None = None
) -> Logged:
    """Prepend the entry for the declared version to PROJECT/CHANGELOG.md (idempotent per version).

    Compares with ``against`` (default: the latest ``v*`` tag; with no tag, a first release).
    Refuses (:class:`DiffError`) a declared version lower than the changes require.
    """
    if isinstance(when, str):
        try:
            date.fromisoformat(when)
        except ValueError:
            raise DiffError(f"{when!r} is not a date YYYY-MM-DD") from None
    project = Path(project)
    current = read_project(project)
    version = current.side.version
    if not is_valid(version):
        raise DiffError(f"{DATASET.as_posix()} declares no SemVer version")
    against = against or latest_tag(project)
    result = compare(load(against, project), current) if against else None
    if result is not None and against is not None:
        needed = required_version(_base_version(result, against), result.required_bump)
        if parse(version) < parse(needed):
            raise VersionTooLow(
                f"{DATASET.as_posix()} declares version {version}, but the changes since {against} "
                f"require at least {needed}; run `articlepack bump` first"
            )
    entry = changelog_entry(result, version, when or today())
    path = project / CHANGELOG
    return Logged(path, version, add_entry(path, entry, version), entry, result)


# -- rendering ---------------------------------------------------------------------------------

_COLOURS = {"major": "red", "minor": "yellow", "patch": "cyan", "none": "green"}


def print_gate(gate: Gate, console: Console | None = None) -> None:
    """The version gate's verdict, for people at a terminal."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(highlight=False)
    verdict = (
        "[bold green]version gate passed:[/]"
        if gate.passed
        else "[bold red]version gate failed:[/]"
    )
    console.print(f"{verdict} {escape(gate.message)}", soft_wrap=True)


def print_diff(result: Diff, console: Console | None = None) -> None:
    """A readable summary for people at a terminal."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table as Grid

    console = console or Console(highlight=False)
    console.print(f"[bold]old[/] {escape(result.old.describe())}")
    console.print(f"[bold]new[/] {escape(result.new.describe())}")
    changes = [*result.schema_changes, *result.metadata_changes]
    if changes:
        grid = Grid(title="Schema and metadata changes", title_justify="left", show_edge=False)
        for column in ("bump", "table", "field", "change", "detail"):
            grid.add_column(column, overflow="fold")
        for c in changes:
            colour = _COLOURS[c.bump]
            grid.add_row(
                f"[{colour}]{c.bump}[/]",
                escape(c.table or "—"),
                escape(c.field or "—"),
                c.kind,
                escape(c.detail),
            )
        console.print(grid)
    else:
        console.print("No schema or metadata changes.")
    touched = {name: t for name, t in result.data_changes.items() if t}
    if touched:
        grid = Grid(
            title="Data changes (rows by primary key)", title_justify="left", show_edge=False
        )
        for column in ("bump", "table", "added", "removed", "changed", "examples"):
            grid.add_column(column, overflow="fold")
        for name, t in touched.items():
            colour = _COLOURS[t.bump]
            examples = "; ".join(
                f"{sign}{', '.join(ids[:3])}{' …' if len(ids) > 3 else ''}"
                for sign, ids in (("+", t.added), ("-", t.removed), ("~", t.changed))
                if ids
            )
            grid.add_row(
                f"[{colour}]{t.bump}[/]",
                name,
                str(len(t.added)),
                str(len(t.removed)),
                str(len(t.changed)),
                escape(examples),
            )
        console.print(grid)
    else:
        console.print("No data changes.")
    bump_ = result.required_bump
    target = (
        f" (from {result.old.version}: at least {result.required_version})"
        if result.required_version
        else ""
    )
    console.print(f"Required bump: [bold {_COLOURS[bump_]}]{bump_.upper()}[/]{escape(target)}")
