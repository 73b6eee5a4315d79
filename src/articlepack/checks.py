"""Validate a read corpus: every check runs on whole columns (pandera, polars joins, string slicing).

Python loops run only over *failures*, to word their messages and find their lines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import _yaml
from articlepack.corpus import Corpus, column_path, decode_path, dotted, read
from articlepack.report import CODES, Finding, Report
from articlepack.schema import Span, TableSchema

if TYPE_CHECKING:
    import polars as pl

SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
ELLIPSIS = " … "
ABBREVIATE_FROM = 200
_MOJIBAKE = r"â€|Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf]"
_PANDERA_CODES = {
    "not_nullable": "missing-key",
    "field_uniqueness": "duplicate-id",
    "multiple_fields_uniqueness": "duplicate-id",
    "isin": "not-in-enum",
    "enum": "not-in-enum",
    "str_matches": "bad-pattern",
    "greater_than_or_equal_to": "out-of-range",
    "less_than_or_equal_to": "out-of-range",
    "str_length": "out-of-range",
}
_DATASET_KEYS = {"name", "title", "version", "description", "license", "text_rights",
                 "contributors", "hub", "keywords", "homepage"}
_DATASET_REQUIRED = ("name", "title", "version", "license")


def validate(path: Path | str) -> Report:
    """Read and validate the dataset project at ``path``.

    Raises :class:`articlepack.corpus.ProjectError` when ``path`` is not a project at all.
    """
    corpus = read(path)
    return check(corpus)


def check(corpus: Corpus) -> Report:
    """Run every check over a read corpus and return the report (waivers applied, lines resolved)."""
    findings = list(corpus.findings)
    findings += check_dataset(corpus.dataset)
    if not corpus.folders:
        findings.append(Finding("empty-corpus", "corpus/articles", "add at least one article folder"))
    for name, schema in corpus.schemas.items():
        findings += check_table(corpus.tables[name], schema)
    findings += check_dates(corpus)
    findings += check_keys(corpus)
    findings += check_hashes(corpus)
    findings += check_segments(corpus.tables["segments"])
    findings += check_spans(corpus)
    findings += check_event_dates(corpus)
    findings += check_raw_text(corpus.raw)
    findings = apply_waivers(findings, corpus.waivers)
    summary = {"articles": corpus.n_articles, **{n: t.height for n, t in corpus.tables.items()}}
    return Report.of(locate(corpus.root, findings), summary)


def check_dataset(dataset: dict[str, Any]) -> list[Finding]:
    file = "corpus/dataset.yaml"
    out = [Finding("unknown-key", file, f"unknown key `{k}` (allowed: {', '.join(sorted(_DATASET_KEYS))})",
                   path=(k,)) for k in dataset if k not in _DATASET_KEYS]
    out += [Finding("missing-key", file, f"`{k}` is required", path=(k,))
            for k in _DATASET_REQUIRED if not dataset.get(k)]
    version = dataset.get("version")
    if version is not None and not (isinstance(version, str) and SEMVER.match(version)):
        out.append(Finding("bad-version", file,
                           f"version {version!r} is not SemVer MAJOR.MINOR.PATCH (e.g. 1.0.0, no leading v)",
                           path=("version",)))
    name = dataset.get("name")
    if name is not None and not (isinstance(name, str) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name)):
        out.append(Finding("bad-pattern", file, f"name {name!r} must be lowercase words joined by -",
                           path=("name",)))
    return out


def check_table(table: pl.DataFrame, schema: TableSchema) -> list[Finding]:
    """Types, required values, enums, patterns, ranges and uniqueness, by the table's pandera schema."""
    import pandera.errors
    import polars as pl

    if table.height == 0:
        return []
    try:
        schema.pandera().validate(table, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases: pl.DataFrame = exc.failure_cases
    cases = cases.filter(pl.col("index").is_not_null())
    rows = table.select("_file", "_path").with_row_index("index")
    cases = cases.with_columns(pl.col("index").cast(pl.UInt32)).join(rows, on="index", how="left")
    out = []
    for case in cases.iter_rows(named=True):
        check_name = str(case["check"]).split("(")[0]
        code = _PANDERA_CODES.get(check_name, "wrong-type")
        column = case["column"]
        if code == "duplicate-id":
            key = ", ".join(schema.primary_key) if case["column"] is None else column
            column = schema.primary_key[-1] if case["column"] is None else column
            message = f"{schema.name}: duplicate {key} {case['failure_case']}"
        else:
            message = _column_message(schema, column, code, case["failure_case"])
        path = (*decode_path(case["_path"]), *column_path(schema.name, column))
        out.append(Finding(code, case["_file"], f"{_where(path)}: {message}", path=path))
    return out


def _column_message(schema: TableSchema, column: str, code: str, value: Any) -> str:
    constraints = schema.field(column).get("constraints", {})
    if code == "missing-key":
        return "a value is required"
    if code == "not-in-enum":
        allowed = constraints.get("enum") or schema.item(column).get("enum", [])
        return f"{value} is not one of {', '.join(map(str, allowed))}"
    if code == "bad-pattern":
        return f"{value!r} does not match {constraints['pattern']}"
    if code == "out-of-range":
        bounds = {k: constraints[k] for k in ("minimum", "maximum", "maxLength") if k in constraints}
        return f"{value} is outside {bounds}"
    return f"{value!r} has the wrong type"


def check_dates(corpus: Corpus) -> list[Finding]:
    """Calendar dates that cannot exist (2016-02-30, month 13)."""
    import polars as pl

    out = []
    for name, schema in corpus.schemas.items():
        for column in schema.dates:
            value = pl.col(column)
            full = value.str.len_chars() == 10
            padded = pl.when(full).then(value).otherwise(value.str.slice(0, 7) + "-01")
            bad = corpus.tables[name].filter(
                value.str.contains(r"^\d{4}-\d{2}(-\d{2})?$") & padded.str.to_date("%Y-%m-%d", strict=False).is_null()
            )
            out += _rows(bad, "bad-date", lambda r, c=column: f"{r[c]} is not a calendar date",
                         name, column)
    return out


def check_keys(corpus: Corpus) -> list[Finding]:
    """Foreign keys as anti-joins: references to missing entities, mentions, events."""
    import polars as pl

    out = []
    for name, schema in corpus.schemas.items():
        table = corpus.tables[name]
        for fk in schema.foreign_keys:
            if fk.resource == "articles":
                continue  # article_id is the article itself
            target = corpus.tables[fk.resource].select(
                [pl.col(r).alias(f) for f, r in zip(fk.fields, fk.reference, strict=True)]
            ).unique()
            missing = table.drop_nulls(list(fk.fields)).join(target, on=list(fk.fields), how="anti")
            column = fk.fields[-1]
            out += _rows(missing, "missing-reference",
                         lambda r, c=column, t=fk.resource: f"{r[c]!r} is not a known {t[:-1] if t != 'entities' else 'entity'} id",
                         name, column)
    return out


def check_hashes(corpus: Corpus) -> list[Finding]:
    import polars as pl

    joined = corpus.tables["articles"].join(
        corpus.raw.select("article_id", pl.col("sha256").alias("_actual"), pl.col("_file").alias("_raw")),
        left_on="id", right_on="article_id", how="inner",
    ).filter(pl.col("raw_sha256").is_not_null() & (pl.col("raw_sha256") != pl.col("_actual")))
    return _rows(joined, "hash-mismatch",
                 lambda r: f"{r['_raw']} has sha256 {r['_actual']}, but raw.sha256 records {r['raw_sha256']}",
                 "articles", "raw_sha256")


def check_segments(segments: pl.DataFrame) -> list[Finding]:
    import polars as pl

    prev = pl.col("raw_end").shift(1).over("article_id", order_by="seq")
    bad = segments.with_columns(_prev=prev).filter(pl.col("raw_start") < pl.col("_prev"))
    return _rows(bad, "segment-overlap",
                 lambda r: f"segment starts at {r['raw_start']}, before the previous one ends ({r['_prev']})",
                 "segments", "raw_start")


def check_spans(corpus: Corpus) -> list[Finding]:
    """Every span: ordered, inside the text, its text at its offsets, and (annotations) in the body."""
    import polars as pl

    raw = corpus.raw.select("article_id", "raw", _len=pl.col("raw").str.len_chars())
    out = []
    for name, schema in corpus.schemas.items():
        for span in schema.spans:
            table = corpus.tables[name]
            key = "id" if name == "articles" else "article_id"
            rows = table.select(
                pl.col(key).alias("_article"), "_file", "_path",
                pl.col(span.raw_start).alias("_s"), pl.col(span.raw_end).alias("_e"), pl.col(span.text).alias("_t"),
            ).filter(pl.col("_s").is_not_null() | pl.col("_e").is_not_null() | pl.col("_t").is_not_null())
            out += _span_findings(rows, raw, span, name, corpus.tables["segments"])
    return out


def _span_findings(rows: pl.DataFrame, raw: pl.DataFrame, span: Span, table: str,
                   segments: pl.DataFrame) -> list[Finding]:
    import polars as pl

    out = []
    incomplete = rows.filter(pl.col("_s").is_null() | pl.col("_e").is_null() | pl.col("_t").is_null())
    out += _rows(incomplete, "missing-key", lambda r: "a span needs start, end and text", table, span.text,
                 parent=True)
    rows = rows.drop_nulls(["_s", "_e", "_t"]).join(raw, left_on="_article", right_on="article_id", how="inner")
    order = rows.filter(pl.col("_e") <= pl.col("_s"))
    out += _rows(order, "span-order", lambda r: f"span {r['_s']}:{r['_e']} ends at or before its start",
                 table, span.text, parent=True)
    rows = rows.filter(pl.col("_e") > pl.col("_s"))
    outside = rows.filter(pl.col("_e") > pl.col("_len"))
    out += _rows(outside, "span-outside-text",
                 lambda r: f"span {r['_s']}:{r['_e']} ends after the text ({r['_len']} characters)",
                 table, span.text, parent=True)
    rows = rows.filter(pl.col("_e") <= pl.col("_len"))
    actual = pl.col("raw").str.slice(pl.col("_s"), pl.col("_e") - pl.col("_s"))
    parts = pl.col("_t").str.split_exact(ELLIPSIS, 1)
    head, tail = parts.struct.field("field_0"), parts.struct.field("field_1")
    abbreviated = (pl.col("_e") - pl.col("_s") > ABBREVIATE_FROM) & pl.col("_t").str.contains(ELLIPSIS, literal=True)
    matches = pl.when(abbreviated).then(
        actual.str.starts_with(head) & actual.str.ends_with(tail)
    ).otherwise(actual == pl.col("_t"))
    wrong = rows.with_columns(_actual=actual, _ok=matches).filter(~pl.col("_ok"))
    for r in wrong.iter_rows(named=True):
        out.append(_finding(r, "span-text-mismatch", _mismatch(r), table, span.text, parent=True))
    if span.within == "body":
        out += _outside_body(rows.filter(matches), segments, table, span)
    return out


def _mismatch(r: dict[str, Any]) -> str:
    """Say what is at the offsets and where the expected text does occur nearest."""
    text, raw, start, end = r["_t"], r["raw"], r["_s"], r["_e"]
    needle = text.split(ELLIPSIS)[0] if ELLIPSIS in text else text
    message = f"{start}:{end} is {r['_actual'][:60]!r}, not {text[:60]!r}"
    spots = [m.start() for m in re.finditer(re.escape(needle), raw)] if needle else []
    if spots:
        near = min(spots, key=lambda p: abs(p - start))
        shift = near - start
        where = f"{abs(shift)} character{'s' if abs(shift) != 1 else ''} {'later' if shift > 0 else 'earlier'}"
        length = len(text) if ELLIPSIS not in text else end - start
        message += f"; found {where}, at {near}:{near + length}"
        if len(spots) > 1:
            message += f" ({len(spots)} occurrences in the text)"
    else:
        message += "; the text does not occur in raw.txt"
    return message


def _outside_body(rows: pl.DataFrame, segments: pl.DataFrame, table: str, span: Span) -> list[Finding]:
    import polars as pl

    segs = segments.drop_nulls(["raw_start", "raw_end"]).select(
        pl.col("article_id").alias("_article"), pl.col("raw_start").alias("_s"), pl.col("raw_end").alias("_seg_end")
    ).sort("_article", "_s")
    placed = rows.sort("_article", "_s").join_asof(
        segs, on="_s", by="_article", strategy="backward", check_sortedness=False
    )
    bad = placed.filter(pl.col("_seg_end").is_null() | (pl.col("_e") > pl.col("_seg_end")))
    return _rows(bad, "span-outside-body",
                 lambda r: f"{r['_t'][:40]!r} at {r['_s']}:{r['_e']} is not inside a body segment",
                 table, span.text, parent=True)


def check_event_dates(corpus: Corpus) -> list[Finding]:
    import polars as pl

    events = corpus.tables["events"].filter((pl.col("realis") == "actual") & pl.col("date").is_not_null())
    joined = events.join(
        corpus.tables["articles"].select(pl.col("id").alias("article_id"), "published_date"),
        on="article_id", how="inner",
    ).drop_nulls("published_date")
    n = pl.min_horizontal(pl.col("date").str.len_chars(), pl.col("published_date").str.len_chars())
    late = joined.filter(pl.col("date").str.slice(0, n) > pl.col("published_date").str.slice(0, n))
    return _rows(late, "event-after-publication",
                 lambda r: f"event {r['id']} is `actual` but dated {r['date']}, after publication on {r['published_date']}",
                 "events", "date", id_column="id")


def check_raw_text(raw: pl.DataFrame) -> list[Finding]:
    import polars as pl

    bad = raw.filter(pl.col("raw").str.contains(_MOJIBAKE))
    out = []
    for r in bad.iter_rows(named=True):
        match = re.search(_MOJIBAKE, r["raw"])
        assert match is not None
        line = r["raw"][: match.start()].count("\n") + 1
        out.append(Finding("mojibake", r["_file"], f"{match.group()!r} looks like UTF-8 decoded as cp1252",
                           line=line, id=r["article_id"]))
    return out


def apply_waivers(findings: list[Finding], waivers: list[dict[str, Any]]) -> list[Finding]:
    """Drop warnings that a reviewed waiver covers; flag waivers that cover nothing."""
    file = "corpus/waivers.yaml"
    out, used = [], set()
    valid = []
    for i, w in enumerate(waivers):
        if not (w.get("code") in CODES and isinstance(w.get("file"), str) and w.get("reason")):
            out.append(Finding("bad-waiver", file, "a waiver needs a known code, a file and a reason",
                               path=("waivers", i)))
        else:
            valid.append((i, w))
    for f in findings:
        match = next((i for i, w in valid if f.severity == "warning" and w["code"] == f.code
                      and w["file"] == f.file and w.get("id") in (None, f.id)), None)
        if match is None:
            out.append(f)
        else:
            used.add(match)
    out += [Finding("unused-waiver", file, f"waiver of {w['code']} for {w['file']} matches no warning",
                    path=("waivers", i)) for i, w in valid if i not in used]
    return out


def locate(root: Path, findings: Iterable[Finding]) -> list[Finding]:
    """Fill in the line of each finding that has a YAML path, reading each file once."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    out = []
    for f in findings:
        (by_file[f.file] if f.line is None and f.path else out).append(f)
    for file, group in by_file.items():
        try:
            text = (root / file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            out += group
            continue
        for f in group:
            out.append(Finding(f.code, f.file, f.message, _yaml.line_of(text, f.path), f.id, f.path))
    return out


def _rows(frame: pl.DataFrame, code: str, message: Any, table: str, column: str, *,
          parent: bool = False, id_column: str | None = None) -> list[Finding]:
    return [_finding(r, code, message(r), table, column, parent=parent, id_column=id_column)
            for r in frame.iter_rows(named=True)]


def _finding(r: dict[str, Any], code: str, message: str, table: str, column: str, *,
             parent: bool = False, id_column: str | None = None) -> Finding:
    path = (*decode_path(r["_path"]), *column_path(table, column))
    if parent and path:
        path = path[:-1] if len(column_path(table, column)) > 0 else path
    ident = r.get(id_column) if id_column else None
    return Finding(code, r["_file"], f"{_where(path)}: {message}", path=path, id=ident)


def _where(path: tuple[str | int, ...]) -> str:
    return dotted(path) or "(document)"
