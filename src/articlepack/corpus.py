"""Read a dataset project into polars tables whose rows remember their file and YAML path.

Reading is the only stage that loops over YAML values in Python: it flattens each article into
rows and checks the *shape* of what it reads (known keys, value types). Everything else about the
values (enums, patterns, ranges, keys, spans) is checked by :mod:`articlepack.checks` on whole
columns. Articles are parsed in parallel across cores.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import reprlib
import stat
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from articlepack import _cache, _yaml
from articlepack.errors import ProjectError as ProjectError  # re-exported: callers import it here
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

    @cached_property
    def spec(self) -> dict[str, Col]:
        return {
            "start": Col(self.raw_start, "int"),
            "end": Col(self.raw_end, "int"),
            "text": Col(self.text),
        }


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
_SEGMENT: dict[str, Any] = {
    "start": Col("raw_start", "int"),
    "end": Col("raw_end", "int"),
    "text": Col("text"),
}
_MENTION: dict[str, Any] = {
    "id": Col("id"),
    "start": Col("raw_start", "int"),
    "end": Col("raw_end", "int"),
    "text": Col("text"),
    "entity": Col("entity_id"),
}
_EVENT: dict[str, Any] = {
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
_QUOTE: dict[str, Any] = {
    "id": Col("id"),
    "speaker": Col("speaker"),
    "kind": Col("kind"),
    "cue": _span("cue"),
    "content": _span("content"),
}
#: article.yaml list key -> (table, item spec)
_LISTS: dict[str, tuple[str, dict[str, Any]]] = {
    "body": ("segments", _SEGMENT),
    "mentions": ("mentions", _MENTION),
    "events": ("events", _EVENT),
    "quotes": ("quotes", _QUOTE),
}
_ENTITY: dict[str, Any] = {
    "id": Col("id"),
    "name": Col("name"),
    "type": Col("type"),
    "aliases": Col("aliases", "strs"),
    "country": Col("country"),
    "sector": Col("sector"),
    "wikidata": Col("wikidata"),
}
_TABLE_SPECS: dict[str, dict[str, Any]] = {
    "articles": _ARTICLE,
    "entities": _ENTITY,
    **{t: spec for t, spec in _LISTS.values()},
    "event_arguments": {"actors": Col("mention_id")},
}


def _paths(spec: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, target in spec.items():
        if isinstance(target, dict):
            out.update(_paths(target, (*prefix, key)))
        elif isinstance(target, SpanOf):
            out.update(
                {
                    target.raw_start: (*prefix, key, "start"),
                    target.raw_end: (*prefix, key, "end"),
                    target.text: (*prefix, key, "text"),
                }
            )
        elif isinstance(target, Col):
            out[target.name] = (*prefix, key)
    return out


_COLUMN_PATHS = {table: _paths(spec) for table, spec in _TABLE_SPECS.items()}
#: table -> the columns the reader fills, which the project's Table Schemas must declare
_IDS = {
    c.name
    for spec in _TABLE_SPECS.values()
    for c in spec.values()
    if isinstance(c, Col) and c.kind == "ids"
}
_NEEDED: dict[str, set[str]] = {
    **{table: set(paths) - _IDS for table, paths in _COLUMN_PATHS.items()},
    **{table: {*_COLUMN_PATHS[table], "article_id"} - _IDS for table, _ in _LISTS.values()},
    "segments": {*_COLUMN_PATHS["segments"], "article_id", "seq"},
    "event_arguments": {"article_id", "event_id", "role", "mention_id"},
}


def column_path(table: str, column: str) -> tuple[str, ...]:
    """The YAML keys below a row's own path that hold ``column`` (empty when not read from YAML)."""
    if table == "event_arguments":
        return ()
    return _COLUMN_PATHS.get(table, {}).get(column, ())


_KINDS: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "date": (str,)}
_KIND_NAMES = {
    "str": "a string",
    "int": "an integer",
    "date": "a date string",
    "strs": "a list of strings",
    "ids": "a list of ids",
}


@dataclass
class _Rows:
    """Rows (one dict each) per table, plus the findings met while reading them."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    raw: dict[str, list[Any]] = field(
        default_factory=lambda: {"article_id": [], "raw": [], "sha256": [], "_file": []}
    )

    def table(self, name: str) -> list[dict[str, Any]]:
        return self.tables.setdefault(name, [])


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


def read(root: Path | str, *, workers: int | None = None, cache: bool = True) -> Corpus:
    """Read the project at ``root``. Problems in the data become findings, not exceptions.

    Raises :class:`ProjectError` only when ``root`` is not a usable project at all (no folder,
    no ``corpus/``, no usable ``schemas/``).
    """
    import polars as pl

    root = Path(root).resolve()
    if not root.is_dir():
        raise ProjectError(f"{root} is not a folder")
    if not (root / "corpus").is_dir():
        raise ProjectError(f"{root} is not a dataset project: it has no corpus/ folder")
    for folder in ("corpus", "schemas"):
        if (root / folder).exists() and not _inside(root, root / folder):
            raise ProjectError(
                f"{root / folder} leads outside the project (a symlink?); "
                "articlepack reads nothing through it"
            )
    schemas = _schemas(root)

    rows = _Rows()
    dataset = _read_mapping(root, DATASET, rows)
    entities = _read_mapping(root, ENTITIES, rows, optional=True) or {}
    _only_keys(entities, ("entities",), ENTITIES.as_posix(), rows)
    _flatten_list(entities, "entities", _ENTITY, ENTITIES.as_posix(), (), rows, {})
    waivers = _waivers(_read_mapping(root, WAIVERS, rows, optional=True) or {}, rows)

    folders = list(_article_folders(root, rows))
    for folder in folders:
        _read_files(root, folder, rows)
    tables = _tables(rows, schemas, ("entities",))
    article_tables = tuple(t for t in TABLES if t != "entities")
    hashes = {f: _cache.file_hash(root / ARTICLES_DIR / f / "article.yaml") for f in folders}
    cache_key = _cache.key(root / "schemas")
    cached = _cache.load(root, cache_key, article_tables) if cache else None
    fresh = [
        f for f in folders if cached is None or cached.hashes.get(f) != hashes[f] or not hashes[f]
    ]
    parsed, new = _parse(root, fresh, workers, schemas, article_tables)
    findings: dict[str, list[Finding]] = {f: [] for f in folders} | (
        cached.findings if cached else {}
    )
    for finding in parsed:
        findings.setdefault(finding.file.split("/")[2], []).append(finding)
    if cached is not None:
        kept = [
            f"{ARTICLES_DIR.as_posix()}/{f}/article.yaml" for f in folders if f not in set(fresh)
        ]
        new = {
            t: pl.concat([cached.tables[t].filter(pl.col("_file").is_in(kept)), new[t]])
            for t in article_tables
        }
    new = {t: frame.sort("_file", maintain_order=True) for t, frame in new.items()}
    findings = {f: findings.get(f, []) for f in folders}
    if cache and (fresh or cached is None or set(cached.hashes) != set(folders)):
        _cache.save(root, _cache.Cached(cache_key, hashes, findings, new))
    raw = pl.DataFrame(
        rows.raw,
        schema={"article_id": pl.String, "raw": pl.String, "sha256": pl.String, "_file": pl.String},
    )
    every = [*rows.findings, *(f for found in findings.values() for f in found)]
    return Corpus(root, dataset or {}, schemas, {**tables, **new}, raw, folders, every, waivers)


def _parse(
    root: Path,
    folders: list[str],
    workers: int | None,
    schemas: dict[str, TableSchema],
    names: tuple[str, ...],
) -> tuple[list[Finding], dict[str, pl.DataFrame]]:
    """Parse and flatten the article.yaml files of ``folders``, in parallel when there are many.

    Workers send back typed polars tables (Arrow buffers), not Python rows, so that the parent
    does not spend as long unpickling as the workers spent parsing.
    """
    import polars as pl

    chunks = [folders[i : i + _CHUNK] for i in range(0, len(folders), _CHUNK)]
    workers = workers or min(os.cpu_count() or 1, len(chunks)) or 1
    if len(folders) >= PARALLEL_FROM and workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            n = len(chunks)
            parts = list(pool.map(_parse_chunk, [root] * n, chunks, [schemas] * n, [names] * n))
    else:
        parts = [_parse_chunk(root, chunk, schemas, names) for chunk in chunks]
    parts.append(([], _tables(_Rows(), schemas, names)))  # the empty tables fix every dtype
    findings = [f for found, _ in parts for f in found]
    tables = {name: pl.concat([frames[name] for _, frames in parts]) for name in names}
    return findings, tables


def _parse_chunk(
    root: Path, folders: list[str], schemas: dict[str, TableSchema], names: tuple[str, ...]
) -> tuple[list[Finding], dict[str, pl.DataFrame]]:
    rows = _read_articles(root, folders)
    return rows.findings, _tables(rows, schemas, names)


def _tables(
    rows: _Rows, schemas: dict[str, TableSchema], names: tuple[str, ...]
) -> dict[str, pl.DataFrame]:
    """Rows as typed polars tables (columns the build derives are left out)."""
    import polars as pl

    out = {}
    for name in names:
        schema = schemas[name]
        found = rows.tables.get(name, [])
        dtypes: dict[str, Any] = {**schema.polars(), "_file": pl.String, "_path": pl.String}
        data = {
            c: pl.Series(c, [r.get(c) for r in found], dtype=dtypes[c], strict=False)
            for c in [*schema.columns, "_file", "_path"]
            if c not in schema.derived
        }
        out[name] = pl.DataFrame(data)
    return out


DATASET = Path("corpus", "dataset.yaml")
ENTITIES = Path("corpus", "entities.yaml")
WAIVERS = Path("corpus", "waivers.yaml")


def _schemas(root: Path) -> dict[str, TableSchema]:
    """The project's Table Schemas, checked to describe every column the reader fills."""
    directory = root / "schemas"
    if not directory.is_dir():
        raise ProjectError(
            f"{root} is not a usable dataset project: it has no schemas/ folder (the Table Schemas "
            "of its tables; `articlepack init` writes them)"
        )
    try:
        schemas = load_schemas(directory)
    except ValueError as exc:
        raise ProjectError(str(exc)) from None
    for name, schema in schemas.items():
        where = f"schemas/{name}.schema.yaml"
        try:
            columns = set(schema.columns)
            schema.polars()
            _ = (
                schema.primary_key,
                schema.foreign_keys,
                schema.spans,
                schema.dates,
                schema.derived,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ProjectError(
                f"{where} is not a Table Schema articlepack can use ({exc!r})"
            ) from None
        missing = sorted(_NEEDED.get(name, set()) - columns)
        if missing:
            raise ProjectError(
                f"{where} lacks the field(s) {', '.join(missing)} that articlepack reads"
            )
    return schemas


def _waivers(doc: dict[str, Any], rows: _Rows) -> list[dict[str, Any]]:
    file = WAIVERS.as_posix()
    _only_keys(doc, ("waivers",), file, rows)
    items = doc.get("waivers")
    if items is None:
        return []
    if not isinstance(items, list):
        rows.findings.append(
            Finding("wrong-type", file, "`waivers` must be a list", path=("waivers",))
        )
        return []
    out = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            out.append(item)
        else:
            rows.findings.append(
                Finding(
                    "bad-waiver",
                    file,
                    f"`waivers[{i}]` must be a mapping {{code, file, id, reason}}",
                    path=("waivers", i),
                )
            )
    return out


def _only_keys(doc: dict[str, Any], allowed: tuple[str, ...], file: str, rows: _Rows) -> None:
    for key in doc:
        if key not in allowed:
            rows.findings.append(
                Finding(
                    "unknown-key",
                    file,
                    f"unknown key {_key(key)} (allowed here: {', '.join(allowed)})",
                    path=(key,),
                )
            )


def _article_folders(root: Path, rows: _Rows) -> Iterator[str]:
    base = root / ARTICLES_DIR
    if not base.is_dir():
        return
    if not _inside(root, base):
        rows.findings.append(
            Finding(
                "unsafe-path",
                ARTICLES_DIR.as_posix(),
                "corpus/articles/ leads outside the project (a symlink?)",
            )
        )
        return
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        rel = f"{ARTICLES_DIR.as_posix()}/{_printable(entry.name)}"
        if not _utf8(entry.name):
            rows.findings.append(Finding("not-utf8", rel, "the name is not valid UTF-8; rename it"))
        elif entry.is_symlink() and not _inside(root, Path(entry.path)):
            rows.findings.append(Finding("unsafe-path", rel, _OUTSIDE))
        elif entry.is_dir():
            yield entry.name
        else:
            rows.findings.append(
                Finding("stray-file", rel, "only article folders belong in corpus/articles/")
            )


_OUTSIDE = "symlink leads outside the project (or in a loop); nothing was read through it"


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes in a file name arrive as lone surrogates
        return False
    return True


def _printable(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)
_RAW_CHUNK = 1 << 20  # bytes; raw.txt is hashed and decoded a chunk at a time


def _open(root: Path, rel: Path, rows: _Rows, *, optional: bool = False) -> BinaryIO | None:
    """Open a regular file inside the project for reading; problems become findings.

    Never follows a symlink out of the project, and never blocks on a FIFO or device.
    """
    path, name = root / rel, rel.as_posix()
    if path.is_symlink() and not _inside(root, path):
        rows.findings.append(Finding("unsafe-path", name, _OUTSIDE))
        return None
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        if not optional:
            rows.findings.append(Finding("missing-file", name, f"{rel.name} is missing"))
        return None
    except OSError as exc:
        rows.findings.append(Finding("unreadable", name, f"cannot read the file: {exc.strerror}"))
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        rows.findings.append(
            Finding("unreadable", name, "not a regular file (a folder, pipe or device)")
        )
        return None
    return os.fdopen(fd, "rb")


def _read_text(root: Path, rel: Path, rows: _Rows, *, optional: bool = False) -> str | None:
    """Read and decode a small UTF-8 file (YAML); problems become findings."""
    handle = _open(root, rel, rows, optional=optional)
    if handle is None:
        return None
    name = rel.as_posix()
    try:
        with handle:
            data = handle.read()
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
            Finding(
                "not-utf8",
                name,
                f"byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8",
                line=line,
            )
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        rows.findings.append(Finding("nul-byte", name, "the file contains a NUL byte", line=line))
        return None
    return text


def _read_raw(root: Path, rel: Path, rows: _Rows) -> tuple[str, str] | None:
    """Decode raw.txt and hash its bytes as a stream: returns ``(text, sha256 hex)``.

    The bytes are never held whole: each chunk is hashed, then decoded. A byte-order mark is kept
    (offsets count it, as they count every code point) and reported as a warning.
    """
    handle = _open(root, rel, rows)
    if handle is None:
        return None
    name = rel.as_posix()
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    pieces: list[str] = []
    fed = lines = 0  # bytes given to the decoder so far; newlines decoded so far
    with handle:
        while True:
            try:
                chunk = handle.read(_RAW_CHUNK)
            except OSError as exc:
                rows.findings.append(
                    Finding("unreadable", name, f"cannot read the file: {exc.strerror}")
                )
                return None
            digest.update(chunk)
            pending = decoder.getstate()[0]
            try:
                piece = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                at = fed - len(pending) + exc.start
                line = lines + data[: exc.start].count(b"\n") + 1
                rows.findings.append(
                    Finding(
                        "not-utf8",
                        name,
                        f"byte {at} (0x{data[exc.start]:02x}) is not valid UTF-8",
                        line=line,
                    )
                )
                return None
            nul = piece.find("\x00")
            if nul >= 0:
                line = lines + piece[:nul].count("\n") + 1
                rows.findings.append(
                    Finding("nul-byte", name, "the file contains a NUL byte", line=line)
                )
                return None
            lines += piece.count("\n")
            fed += len(chunk)
            pieces.append(piece)
            if not chunk:
                break
    text = "".join(pieces)
    del pieces
    if text.startswith("\ufeff"):
        rows.findings.append(
            Finding(
                "raw-bom",
                name,
                "raw.txt starts with a byte-order mark (U+FEFF); offsets count it as character 0",
                line=1,
            )
        )
    return text, digest.hexdigest()


def _read_mapping(
    root: Path, rel: Path, rows: _Rows, *, optional: bool = False
) -> dict[Any, Any] | None:
    text = _read_text(root, rel, rows, optional=optional)
    if text is None:
        return None
    name = rel.as_posix()
    if not text.strip():
        rows.findings.append(Finding("empty-file", name, "the file is empty", line=1))
        return None
    try:
        data = _yaml.loads(text)
    except _yaml.YAMLProblem as exc:
        rows.findings.append(Finding(exc.code, name, exc.message, line=exc.line))
        return None
    if data is None:
        rows.findings.append(
            Finding(
                "empty-file", name, "the file holds no YAML (only comments or blank lines)", line=1
            )
        )
        return None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        rows.findings.append(
            Finding(
                "not-a-mapping",
                name,
                f"expected a mapping of keys, found {kind}",
                line=_first_content_line(text),
            )
        )
        return None
    return data


def _first_content_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "---", "%")):
            return number
    return 1


def _read_articles(root: Path, folders: list[str]) -> _Rows:
    rows = _Rows()
    for folder in folders:
        _read_article(root, folder, rows)
    return rows


_ARTICLE_FILES = frozenset({"article.yaml", "raw.txt"})


def _read_files(root: Path, folder: str, rows: _Rows) -> None:
    """An article folder's raw.txt (decoded and hashed) and any stray files beside it."""
    base = ARTICLES_DIR / folder
    _stray_files(root, base, rows)
    raw = _read_raw(root, base / "raw.txt", rows)
    if raw is not None:
        text, sha256 = raw
        rows.raw["article_id"].append(folder)
        rows.raw["raw"].append(text)
        rows.raw["sha256"].append(sha256)
        rows.raw["_file"].append((base / "raw.txt").as_posix())


def _read_article(root: Path, folder: str, rows: _Rows) -> None:
    """An article.yaml, flattened into rows; everything found in it is reported against it."""
    base = ARTICLES_DIR / folder
    name = (base / "article.yaml").as_posix()
    article = _read_mapping(root, base / "article.yaml", rows)
    if article is None:
        return
    # Rows are keyed by the id the file declares; the folder name only stands in when there is
    # none. An id is never used to build a path: files are found by folder name alone.
    article_id = article.get("id") if isinstance(article.get("id"), str) else folder
    if article_id != folder:
        rows.findings.append(
            Finding(
                "id-folder-mismatch",
                name,
                f"id {article_id!r:.80} differs from its folder name {folder!r}",
                id=str(article_id),
                path=("id",),
            )
        )
    context = {"article_id": article_id}
    row: dict[str, Any] = {}
    _flatten(article, {**_ARTICLE, **dict.fromkeys(_LISTS)}, row, name, (), rows)
    rows.table("articles").append({**row, "_file": name, "_path": ""})
    for key, (table, spec) in _LISTS.items():
        _flatten_list(article, key, spec, name, (), rows, context, table=table)


def _stray_files(root: Path, base: Path, rows: _Rows) -> None:
    """Warn about anything in an article folder besides article.yaml and raw.txt."""
    try:
        names = sorted(os.listdir(root / base))
    except OSError:
        return
    for entry in names:
        if entry not in _ARTICLE_FILES:
            rows.findings.append(
                Finding(
                    "stray-file",
                    f"{base.as_posix()}/{_printable(entry)}",
                    "an article folder holds only article.yaml and raw.txt",
                )
            )


def _flatten_list(
    doc: Mapping[Any, Any],
    key: str,
    spec: dict[str, Any],
    file: str,
    path: tuple[Any, ...],
    rows: _Rows,
    context: dict[str, Any],
    *,
    table: str | None = None,
) -> None:
    table = table or key
    items = doc.get(key)
    if items is None:
        return
    if not isinstance(items, list):
        rows.findings.append(
            Finding(
                "wrong-type", file, f"`{key}` must be a list, not {_kind(items)}", path=(*path, key)
            )
        )
        return
    out = rows.table(table)
    for i, item in enumerate(items):
        item_path = (*path, key, i)
        if not isinstance(item, dict):
            rows.findings.append(
                Finding(
                    "wrong-type",
                    file,
                    f"`{key}[{i}]` must be a mapping, not {_kind(item)}",
                    path=item_path,
                )
            )
            continue
        row: dict[str, Any] = {**context, "_file": file, "_path": encode_path(item_path)}
        if table == "segments":
            row["seq"] = i
        ids = _flatten(item, spec, row, file, item_path, rows)
        out.append(row)
        for role, values in ids.items():
            for j, mention in enumerate(values):
                rows.table("event_arguments").append(
                    {
                        "article_id": context.get("article_id"),
                        "event_id": row.get("id"),
                        "role": role,
                        "mention_id": mention,
                        "_file": file,
                        "_path": encode_path((*item_path, f"{role}s", j)),
                    }
                )


_INT64 = (-(2**63), 2**63 - 1)


_FAST = {"str": str, "date": str, "int": int}  # kinds whose values are checked by exact type


def _flatten(
    doc: Mapping[Any, Any],
    spec: dict[str, Any],
    row: dict[str, Any],
    file: str,
    path: tuple[Any, ...],
    rows: _Rows,
) -> dict[str, list[Any]]:
    """Copy ``doc``'s values into ``row`` by ``spec``; report unknown keys and wrong types."""
    ids: dict[str, list[Any]] = {}
    for key, value in doc.items():
        target: Any = spec.get(key, _UNKNOWN) if type(key) is str else _UNKNOWN
        # The common case, checked with as little work as possible: a well-typed scalar or span.
        if type(target) is Col and type(value) is _FAST.get(target.kind):
            if type(value) is str or _INT64[0] <= cast(int, value) <= _INT64[1]:
                row[target.name] = value
                continue
        elif type(target) is SpanOf and type(value) is dict:
            _flatten(value, target.spec, row, file, (*path, key), rows)
            continue
        _flatten_value(key, value, spec, ids, row, file, path, rows)
    return ids


def _flatten_value(
    key: Any,
    value: Any,
    spec: dict[str, Any],
    ids: dict[str, list[Any]],
    row: dict[str, Any],
    file: str,
    path: tuple[Any, ...],
    rows: _Rows,
) -> None:
    """Everything but the common case: nesting, lists, nulls and every kind of mistake."""
    where = (*path, key)
    target: Any = spec.get(key, _UNKNOWN) if isinstance(key, str) else _UNKNOWN
    if not isinstance(key, str):
        rows.findings.append(
            Finding(
                "wrong-type",
                file,
                f"key {_key(key)} in `{dotted(path) or '(document)'}` is "
                f"{_kind(key)}; keys are strings",
                path=where,
            )
        )
    elif target is _UNKNOWN:
        allowed = ", ".join(sorted(spec))
        rows.findings.append(
            Finding(
                "unknown-key",
                file,
                f"unknown key `{dotted(where)}` (allowed here: {allowed})",
                path=where,
            )
        )
    elif target is None or value is None:
        return
    elif isinstance(target, dict):
        if isinstance(value, dict):
            ids.update(_flatten(value, target, row, file, where, rows))
        else:
            rows.findings.append(
                Finding(
                    "wrong-type",
                    file,
                    f"`{dotted(where)}` must be a mapping, not {_kind(value)}",
                    path=where,
                )
            )
    elif isinstance(target, SpanOf):
        rows.findings.append(
            Finding(
                "wrong-type",
                file,
                f"`{dotted(where)}` must be a span {{start, end, text}}, not {_kind(value)}",
                path=where,
            )
        )
    elif not _typed(value, target.kind):
        rows.findings.append(
            Finding(
                "wrong-type",
                file,
                f"`{dotted(where)}` must be {_KIND_NAMES[target.kind]}, not {_kind(value)}",
                path=where,
            )
        )
    elif target.kind == "int" and not _INT64[0] <= value <= _INT64[1]:
        rows.findings.append(
            Finding(
                "out-of-range",
                file,
                f"`{dotted(where)}`: {value} does not fit in 64 bits",
                path=where,
            )
        )
    elif target.kind == "ids":
        ids[target.name] = value
    else:
        row[target.name] = value


_UNKNOWN = object()


def _typed(value: Any, kind: str) -> bool:
    if kind in ("strs", "ids"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, _KINDS[kind]) and not isinstance(value, bool)


_GLIMPSE = reprlib.Repr()
_GLIMPSE.maxlevel, _GLIMPSE.maxstring, _GLIMPSE.maxother, _GLIMPSE.maxlong = 2, 40, 40, 40


def _kind(value: Any) -> str:
    """``int 5``, ``list [1, 2]``: a value's type and a short glimpse of it, for messages."""
    return f"{type(value).__name__} {_GLIMPSE.repr(value)}"


def _key(key: Any) -> str:
    return f"`{key}`" if isinstance(key, str) else repr(key)


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
