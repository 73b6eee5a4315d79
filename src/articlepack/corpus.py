"""Read a dataset project into polars tables whose rows remember their file and YAML path.

Reading is the only stage that loops over YAML values in Python: it flattens each article into
rows and checks the *shape* of what it reads (known keys, value types). Everything else about the
values (enums, patterns, ranges, keys, spans) is checked by :mod:`articlepack.checks` on whole
columns. Articles are parsed in parallel across cores.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import _yaml
from articlepack.report import Finding
from articlepack.schema import TABLES, TableSchema, load_schemas

if TYPE_CHECKING:
    import polars as pl

ARTICLES_DIR = Path("corpus", "articles")
PARALLEL_FROM = 200  # articles; below this, process start-up costs more than it saves
_CHUNK = 250

# -- the article.yaml shape ------------------------------------------------------------------
# A spec maps each YAML key to a column (with its Python type) or to a nested spec.
# Kinds: str, int, strs (list of str), ids (list of id strings -> event_arguments), span, list.


@dataclass(frozen=True)
class Col:
    name: str
    kind: str = "str"


@dataclass(frozen=True)
class SpanOf:
    """A ``{start, end, text}`` mapping stored in three columns."""

    text: str
    raw_start: str
    raw_end: str


def _span(text: str, prefix: str | None = None) -> SpanOf:
    prefix = text if prefix is None else prefix
    return SpanOf(text, f"{prefix}_raw_start", f"{prefix}_raw_end")


_ARTICLE: dict[str, Any] = {
    "id": Col("id"),
    "source": {
        "record": Col("source_record"),
        "publisher": Col("source_publisher"),
        "publisher_basis": Col("source_publisher_basis"),
        "publisher_evidence": _span("source_publisher_evidence"),
        "url": Col("source_url"),
        "credited": Col("source_credited", "strs"),
    },
    "raw": {"sha256": Col("raw_sha256")},
    "published": {
        "date": Col("published_date", "date"),
        "basis": Col("published_basis"),
        "evidence": _span("published_evidence"),
    },
    "title": _span("title"),
    "language": Col("language"),
    "rights": {"statement": Col("rights_statement"), "distribution": Col("rights_distribution")},
    "tags": Col("tags", "strs"),
    "annotators": Col("annotators", "strs"),
}
_SEGMENT = {"start": Col("raw_start", "int"), "end": Col("raw_end", "int"), "text": Col("text")}
_MENTION = {
    "id": Col("id"),
    "start": Col("raw_start", "int"),
    "end": Col("raw_end", "int"),
    "text": Col("text"),
    "entity": Col("entity_id"),
}
_EVENT = {
    "id": Col("id"),
    "type": Col("type"),
    "mode": Col("mode"),
    "realis": Col("realis"),
    "trigger": SpanOf("trigger", "trigger_raw_start", "trigger_raw_end"),
    "actors": Col("actor", "ids"),
    "recipients": Col("recipient", "ids"),
    "location": Col("location"),
    "date": Col("date", "date"),
    "date_evidence": _span("date_evidence"),
    "context": Col("context", "strs"),
}
_QUOTE = {
    "id": Col("id"),
    "speaker": Col("speaker"),
    "kind": Col("kind"),
    "cue": _span("cue"),
    "content": _span("content"),
}
#: article.yaml list key -> (table, item spec)
_LISTS = {
    "body": ("segments", _SEGMENT),
    "mentions": ("mentions", _MENTION),
    "events": ("events", _EVENT),
    "quotes": ("quotes", _QUOTE),
}
_ENTITY = {
    "id": Col("id"),
    "name": Col("name"),
    "type": Col("type"),
    "aliases": Col("aliases", "strs"),
    "country": Col("country"),
    "sector": Col("sector"),
    "wikidata": Col("wikidata"),
}
_TABLE_SPECS = {"articles": _ARTICLE, "entities": _ENTITY, **{t: spec for t, spec in _LISTS.values()},
                "event_arguments": {"actors": Col("mention_id")}}


def _paths(spec: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, target in spec.items():
        if isinstance(target, dict):
            out.update(_paths(target, (*prefix, key)))
        elif isinstance(target, SpanOf):
            out.update({target.raw_start: (*prefix, key, "start"), target.raw_end: (*prefix, key, "end"),
                        target.text: (*prefix, key, "text")})
        elif isinstance(target, Col):
            out[target.name] = (*prefix, key)
    return out


_COLUMN_PATHS = {table: _paths(spec) for table, spec in _TABLE_SPECS.items()}


def column_path(table: str, column: str) -> tuple[str, ...]:
    """The YAML keys below a row's own path that hold ``column`` (empty when not read from YAML)."""
    if table == "event_arguments":
        return ()
    return _COLUMN_PATHS.get(table, {}).get(column, ())


_KINDS: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "date": (str,)}
_KIND_NAMES = {"str": "a string", "int": "an integer", "date": "a date string",
               "strs": "a list of strings", "ids": "a list of ids"}


@dataclass
class _Rows:
    """Column lists per table, plus the findings met while filling them."""

    tables: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    raw: dict[str, list[Any]] = field(
        default_factory=lambda: {"article_id": [], "raw": [], "sha256": [], "_file": []}
    )

    def table(self, name: str) -> dict[str, list[Any]]:
        return self.tables.setdefault(name, {})

    def extend(self, other: _Rows) -> None:
        for name, cols in other.tables.items():
            mine = self.table(name)
            size = len(next(iter(mine.values()))) if mine else 0
            for col, values in cols.items():
                mine.setdefault(col, [None] * size).extend(values)
            _pad(mine)
        for col, values in other.raw.items():
            self.raw[col].extend(values)
        self.findings.extend(other.findings)


def _pad(cols: dict[str, list[Any]]) -> None:
    size = max((len(v) for v in cols.values()), default=0)
    for values in cols.values():
        values.extend([None] * (size - len(values)))


@dataclass(frozen=True)
class Corpus:
    """A dataset project read into tables. Rows carry ``_file`` and ``_path`` (the YAML path)."""

    root: Path
    dataset: dict[str, Any]
    schemas: dict[str, TableSchema]
    tables: dict[str, pl.DataFrame]
    raw: pl.DataFrame  # article_id, raw, sha256, _file
    folders: list[str]
    findings: list[Finding]
    waivers: list[dict[str, Any]]

    @property
    def n_articles(self) -> int:
        return len(self.folders)


class ProjectError(ValueError):
    """The path is not a usable dataset project (exit code 2)."""


def read(root: Path | str, *, workers: int | None = None) -> Corpus:
    """Read the project at ``root``. Problems in the data become findings, not exceptions."""
    import polars as pl

    root = Path(root).resolve()
    if not root.is_dir():
        raise ProjectError(f"{root} is not a folder")
    if not (root / "corpus").is_dir():
        raise ProjectError(f"{root} is not a dataset project: it has no corpus/ folder")
    try:
        schemas = load_schemas(root / "schemas")
    except ValueError as exc:
        raise ProjectError(str(exc)) from None

    rows = _Rows()
    dataset = _read_mapping(root, Path("corpus/dataset.yaml"), rows) or {}
    entities = _read_mapping(root, Path("corpus/entities.yaml"), rows, optional=True)
    _flatten_list(entities or {}, "entities", _ENTITY, "corpus/entities.yaml", (), rows, {})
    waivers_doc = _read_mapping(root, Path("corpus/waivers.yaml"), rows, optional=True) or {}
    waivers = waivers_doc.get("waivers") or []

    folders = list(_article_folders(root, rows))
    chunks = [folders[i : i + _CHUNK] for i in range(0, len(folders), _CHUNK)]
    workers = workers or min(os.cpu_count() or 1, len(chunks)) or 1
    if len(folders) >= PARALLEL_FROM and workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            for part in pool.map(_read_articles, [root] * len(chunks), chunks):
                rows.extend(part)
    else:
        for chunk in chunks:
            rows.extend(_read_articles(root, chunk))

    tables = {}
    for name in TABLES:
        schema = schemas[name]
        cols = rows.tables.get(name, {})
        dtypes = {**schema.polars(), "_file": pl.String, "_path": pl.String}
        n = len(cols.get("_file", []))
        data = {c: pl.Series(c, cols.get(c) or [None] * n, dtype=dtypes[c], strict=False)
                for c in [*schema.columns, "_file", "_path"] if c not in schema.derived}
        tables[name] = pl.DataFrame(data)
    raw = pl.DataFrame(rows.raw, schema={"article_id": pl.String, "raw": pl.String,
                                         "sha256": pl.String, "_file": pl.String})
    return Corpus(root, dataset if isinstance(dataset, dict) else {}, schemas, tables, raw,
                  folders, rows.findings, [w for w in waivers if isinstance(w, dict)])


def _article_folders(root: Path, rows: _Rows) -> Iterator[str]:
    base = root / ARTICLES_DIR
    if not base.is_dir():
        return
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        rel = f"{ARTICLES_DIR.as_posix()}/{entry.name}"
        if entry.is_symlink() and not _inside(root, Path(entry.path)):
            rows.findings.append(Finding("unsafe-path", rel, "symlink points outside the project"))
        elif entry.is_dir():
            yield entry.name
        else:
            rows.findings.append(Finding("stray-file", rel, "only article folders belong in corpus/articles/"))


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _read_text(root: Path, rel: Path, rows: _Rows, *, optional: bool = False) -> tuple[str, bytes] | None:
    """Read and decode a UTF-8 file; problems become findings."""
    path, name = root / rel, rel.as_posix()
    if path.is_symlink() and not _inside(root, path):
        rows.findings.append(Finding("unsafe-path", name, "symlink points outside the project"))
        return None
    try:
        data = _read_bytes(path)
    except FileNotFoundError:
        if not optional:
            rows.findings.append(Finding("missing-file", name, f"{rel.name} is missing"))
        return None
    except OSError as exc:
        rows.findings.append(Finding("unreadable", name, f"cannot read the file: {exc.strerror}"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        rows.findings.append(Finding("bom", name, "remove the UTF-8 byte-order mark", line=1))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        rows.findings.append(
            Finding("not-utf8", name, f"byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8", line=line)
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        rows.findings.append(Finding("nul-byte", name, "the file contains a NUL byte", line=line))
        return None
    return text, data


def _read_bytes(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _read_mapping(root: Path, rel: Path, rows: _Rows, *, optional: bool = False) -> dict[str, Any] | None:
    read = _read_text(root, rel, rows, optional=optional)
    if read is None:
        return None
    text, _ = read
    name = rel.as_posix()
    if not text.strip():
        rows.findings.append(Finding("empty-file", name, "the file is empty", line=1))
        return None
    try:
        data = _yaml.loads(text)
    except _yaml.YAMLProblem as exc:
        rows.findings.append(Finding(exc.code, name, exc.message, line=exc.line))
        return None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a scalar"
        rows.findings.append(Finding("not-a-mapping", name, f"expected a mapping of keys, found {kind}", line=1))
        return None
    return data


def _read_articles(root: Path, folders: list[str]) -> _Rows:
    rows = _Rows()
    for folder in folders:
        _read_article(root, folder, rows)
    return rows


def _read_article(root: Path, folder: str, rows: _Rows) -> None:
    base = ARTICLES_DIR / folder
    name = (base / "article.yaml").as_posix()
    article = _read_mapping(root, base / "article.yaml", rows)
    raw = _read_text(root, base / "raw.txt", rows)
    if raw is not None:
        text, data = raw
        rows.raw["article_id"].append(folder)
        rows.raw["raw"].append(text)
        rows.raw["sha256"].append(hashlib.sha256(data).hexdigest())
        rows.raw["_file"].append((base / "raw.txt").as_posix())
    if article is None:
        return
    article_id = article.get("id") if isinstance(article.get("id"), str) else folder
    if article_id != folder:
        rows.findings.append(Finding(
            "id-folder-mismatch", name, f"id `{article_id}` differs from its folder name `{folder}`",
            id=str(article_id), path=("id",),
        ))
    context = {"article_id": article_id}
    row: dict[str, Any] = {}
    _flatten(article, {**_ARTICLE, **dict.fromkeys(_LISTS)}, row, name, (), rows)
    _append(rows.table("articles"), {**row, "_file": name, "_path": ""})
    for key, (table, spec) in _LISTS.items():
        _flatten_list(article, key, spec, name, (), rows, context, table=table)


def _flatten_list(
    doc: Mapping[str, Any], key: str, spec: dict[str, Any], file: str, path: tuple[str | int, ...],
    rows: _Rows, context: dict[str, Any], *, table: str | None = None,
) -> None:
    table = table or key
    items = doc.get(key)
    if items is None:
        return
    if not isinstance(items, list):
        rows.findings.append(Finding("wrong-type", file, f"`{key}` must be a list", path=(*path, key)))
        return
    cols = rows.table(table)
    for i, item in enumerate(items):
        item_path = (*path, key, i)
        if not isinstance(item, dict):
            rows.findings.append(
                Finding("wrong-type", file, f"`{key}[{i}]` must be a mapping", path=item_path)
            )
            continue
        row: dict[str, Any] = {**context, "_file": file, "_path": encode_path(item_path)}
        if table == "segments":
            row["seq"] = i
        ids = _flatten(item, spec, row, file, item_path, rows)
        _append(cols, row)
        for role, values in ids.items():
            for j, mention in enumerate(values):
                _append(rows.table("event_arguments"), {
                    "article_id": context.get("article_id"), "event_id": row.get("id"), "role": role,
                    "mention_id": mention, "_file": file,
                    "_path": encode_path((*item_path, f"{role}s", j)),
                })


def _append(cols: dict[str, list[Any]], row: dict[str, Any]) -> None:
    size = len(next(iter(cols.values()))) if cols else 0
    for key, value in row.items():
        cols.setdefault(key, [None] * size).append(value)
    for values in cols.values():
        if len(values) == size:
            values.append(None)


def _flatten(
    doc: Mapping[str, Any], spec: dict[str, Any], row: dict[str, Any], file: str,
    path: tuple[str | int, ...], rows: _Rows,
) -> dict[str, list[Any]]:
    """Copy ``doc``'s values into ``row`` by ``spec``; report unknown keys and wrong types."""
    ids: dict[str, list[Any]] = {}
    for key, value in doc.items():
        where = (*path, key)
        target = spec.get(key, _UNKNOWN) if isinstance(key, str) else _UNKNOWN
        if target is _UNKNOWN:
            allowed = ", ".join(sorted(spec))
            rows.findings.append(
                Finding("unknown-key", file, f"unknown key `{dotted(where)}` (allowed here: {allowed})", path=where)
            )
        elif target is None or value is None:
            continue
        elif isinstance(target, dict):
            if isinstance(value, dict):
                ids.update(_flatten(value, target, row, file, where, rows))
            else:
                rows.findings.append(Finding("wrong-type", file, f"`{dotted(where)}` must be a mapping", path=where))
        elif isinstance(target, SpanOf):
            _flatten_span(value, target, row, file, where, rows)
        elif _typed(value, target.kind):
            if target.kind == "ids":
                ids[target.name] = value
            else:
                row[target.name] = value
        else:
            rows.findings.append(Finding(
                "wrong-type", file,
                f"`{dotted(where)}` must be {_KIND_NAMES[target.kind]}, not {type(value).__name__} {value!r:.40}",
                path=where,
            ))
    return ids


def _flatten_span(value: Any, target: SpanOf, row: dict[str, Any], file: str,
                  where: tuple[str | int, ...], rows: _Rows) -> None:
    spec = {"start": Col(target.raw_start, "int"), "end": Col(target.raw_end, "int"), "text": Col(target.text)}
    if isinstance(value, dict):
        _flatten(value, spec, row, file, where, rows)
    else:
        rows.findings.append(
            Finding("wrong-type", file, f"`{dotted(where)}` must be a span {{start, end, text}}", path=where)
        )


_UNKNOWN = object()


def _typed(value: Any, kind: str) -> bool:
    if kind in ("strs", "ids"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, _KINDS[kind]) and not isinstance(value, bool)


def encode_path(path: tuple[str | int, ...]) -> str:
    """A YAML path as a string column value: ``mentions/3/start``."""
    return "/".join(map(str, path))


def decode_path(text: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in text.split("/") if p)


def dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
