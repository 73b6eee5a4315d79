"""Validate a read corpus: every check runs on whole columns (pandera, polars joins, slicing).

Python loops run only over *failures*, to word their messages and find their lines. Failure rows
never carry a whole raw text into Python: what a message quotes is sliced out by polars first.
"""

from __future__ import annotations

import re
import reprlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import _cache, _yaml, rai, versions
from articlepack.corpus import (
    DATASET,
    Corpus,
    article_file,
    article_folder,
    read,
)
from articlepack.hub import check_repo_id, licenses
from articlepack.report import CODES, Finding, Report
from articlepack.schema import TableSchema, article_tables, table_of
from articlepack.shape import column_path, decode_path, dotted

if TYPE_CHECKING:
    import polars as pl

ELLIPSIS = " … "
ABBREVIATE_FROM = 200
NEAR = 2_000  # characters either side of a wrong span searched for where its text really is
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
_DATASET_KEYS = {
    "name",
    "title",
    "version",
    "description",
    "license",
    "text_rights",
    "contributors",
    "hub",
    "keywords",
    "homepage",
    "rai",
}
_DATASET_REQUIRED = ("name", "title", "version", "license")
_DATASET_STRINGS = ("name", "title", "version", "description", "license", "text_rights", "homepage")
_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlevel = 60, 60, 2


def validate(path: Path | str) -> Report:
    """Read and validate the dataset project at ``path``.

    Raises :class:`articlepack.errors.ProjectError` when ``path`` is not a project at all.
    """
    corpus = read(path)
    return check(corpus)


def check(corpus: Corpus) -> Report:
    """Run every check over a read corpus; return the report (waivers applied, lines found)."""
    findings = list(corpus.findings)
    dataset_file = DATASET.as_posix()
    if not any(f.file == dataset_file and f.severity == "error" for f in corpus.findings):
        findings += check_dataset(corpus.dataset)
    if not corpus.folders:
        findings.append(
            Finding("empty-corpus", "corpus/articles", "add at least one article folder")
        )
    registry = table_of(corpus.schemas, "registry")
    for name in (registry,) if registry else ():
        findings += check_table(corpus.tables[name], corpus.schemas[name])
        findings += check_dates(corpus, (name,))
    findings += check_keys(corpus, to_entities=True)
    findings += _article_checks(corpus)
    findings = apply_waivers(findings, corpus.waivers)
    summary = {"articles": corpus.n_articles, **{n: t.height for n, t in corpus.tables.items()}}
    return Report.of(locate(corpus.root, findings), summary)


def check_articles(corpus: Corpus) -> list[Finding]:
    """The checks that look within one article at a time (its rows, its raw text).

    When every article's id is its folder name, what they find in an article depends on that
    article's files alone; references to entities are checked by :func:`check_keys` apart.
    """
    findings = []
    names = article_tables(corpus.schemas)
    for name in names:
        findings += check_table(corpus.tables[name], corpus.schemas[name])
    findings += check_dates(corpus, names)
    findings += check_keys(corpus, to_entities=False)
    findings += check_hashes(corpus)
    findings += check_segments(corpus)
    findings += check_spans(corpus)
    findings += check_not_after(corpus)
    findings += check_raw_text(corpus.raw)
    return findings


def _article_checks(corpus: Corpus) -> list[Finding]:
    """:func:`check_articles`, run only on the articles whose findings the cache lacks."""
    import polars as pl

    articles = corpus.tables[table_of(corpus.schemas, "document") or ""]
    own = articles.height == 0 or bool(
        articles.select((pl.col("id") == pl.col("_file").str.split("/").list.get(2)).all()).item()
    )  # each article's rows are its own: ids are folder names, hence unique
    reuse = corpus.checked if own else {}
    todo = [f for f in corpus.folders if f not in reuse]
    found = check_articles(_only(corpus, todo) if reuse else corpus) if todo else []
    if own and corpus.stamp is not None:
        by_folder: dict[str, list[Finding]] = {f: [] for f in todo}
        for finding in found:
            by_folder[article_folder(finding.file)].append(finding)
        found += _cache.save_checks(corpus.root, corpus.stamp, {**reuse, **by_folder})
    return [*found, *(f for kept in reuse.values() for f in kept)]


def _only(corpus: Corpus, folders: list[str]) -> Corpus:
    """``corpus`` with only the article rows and raw texts of ``folders``."""
    import polars as pl

    yaml = pl.col("_file").is_in([article_file(f, "article.yaml") for f in folders])
    registry = table_of(corpus.schemas, "registry")
    tables = {n: t if n == registry else t.filter(yaml) for n, t in corpus.tables.items()}
    raw = corpus.raw.filter(pl.col("_file").is_in([article_file(f, "raw.txt") for f in folders]))
    return replace(corpus, tables=tables, raw=raw)


def short(value: Any) -> str:
    """A value's repr, cut short for a message."""
    return _SHORT.repr(value)


# -- dataset.yaml -------------------------------------------------------------------------------


def check_dataset(dataset: dict[Any, Any]) -> list[Finding]:
    file = DATASET.as_posix()
    allowed = ", ".join(sorted(_DATASET_KEYS))
    out = [
        Finding("unknown-key", file, f"unknown key {short(k)} (allowed: {allowed})", path=(k,))
        for k in dataset
        if k not in _DATASET_KEYS
    ]
    out += [
        Finding("missing-key", file, f"`{k}` is required", path=(k,))
        for k in _DATASET_REQUIRED
        if dataset.get(k) is None or dataset.get(k) == ""
    ]

    def wrong(path: tuple[Any, ...], must: str, value: Any) -> None:
        out.append(
            Finding(
                "wrong-type",
                file,
                f"`{dotted(path)}` must be {must}, not {type(value).__name__} {short(value)}",
                path=path,
            )
        )

    for key in _DATASET_STRINGS:
        value = dataset.get(key)
        if value is not None and not isinstance(value, str) and key != "version":
            wrong((key,), "a string", value)
    version = dataset.get("version")
    if version is not None and not versions.is_valid(version):
        out.append(
            Finding(
                "bad-version",
                file,
                f"version {short(version)} is not SemVer "
                "MAJOR.MINOR.PATCH (e.g. 1.0.0, no leading v)",
                path=("version",),
            )
        )
    name = dataset.get("name")
    if isinstance(name, str) and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        out.append(
            Finding(
                "bad-pattern",
                file,
                f"name {short(name)} must be lowercase words joined by -",
                path=("name",),
            )
        )
    license = dataset.get("license")
    if isinstance(license, str) and license and license.lower() not in licenses():
        out.append(
            Finding(
                "bad-license",
                file,
                f"license {short(license)} is not a licence id the Hub accepts "
                "(e.g. cc-by-4.0, mit, other; see huggingface.co/docs/hub/repositories-licenses)",
                path=("license",),
            )
        )
    keywords = dataset.get("keywords")
    if keywords is not None and not _strings(keywords):
        wrong(("keywords",), "a list of strings", keywords)
    hub = dataset.get("hub")
    if hub is not None:
        if not isinstance(hub, dict):
            wrong(("hub",), "a mapping {repo: org/name}", hub)
        elif hub.get("repo") is not None:
            repo = hub["repo"]
            why = check_repo_id(repo) if isinstance(repo, str) else "a dataset repo id is ORG/NAME"
            if why:  # what publish would refuse, reported first
                out.append(
                    Finding(
                        "bad-pattern",
                        file,
                        f"hub.repo {short(repo)} is not a repo id the Hub accepts: {why}",
                        path=("hub", "repo"),
                    )
                )
    contributors = dataset.get("contributors")
    if contributors is not None:
        if not isinstance(contributors, list):
            wrong(("contributors",), "a list", contributors)
        else:
            for i, person in enumerate(contributors):
                if not isinstance(person, dict):
                    wrong(("contributors", i), "a mapping {name, roles, email}", person)
                    continue
                if not isinstance(person.get("name"), str):
                    wrong(("contributors", i, "name"), "a string", person.get("name"))
                roles = person.get("roles")
                if roles is not None and not _strings(roles):
                    wrong(("contributors", i, "roles"), "a list of strings", roles)
                email = person.get("email")
                if email is not None and not isinstance(email, str):
                    wrong(("contributors", i, "email"), "a string or null", email)
    out += _check_rai(dataset.get("rai"), wrong)
    return out


def _check_rai(answers: Any, wrong: Callable[[tuple[Any, ...], str, Any], None]) -> list[Finding]:
    """``rai``: the maintainers' answers to the Croissant RAI properties articlepack cannot compute."""
    if answers is None:
        return []
    if not isinstance(answers, dict):
        wrong(("rai",), "a mapping of Croissant RAI properties to answers", answers)
        return []
    allowed = rai.written()
    out = []
    for key, answer in answers.items():
        if key not in allowed:
            message = (
                f"rai: {short(key)} is computed from the corpus, not written"
                if key in rai.properties()
                else f"unknown key {short(key)} under rai (allowed: {', '.join(allowed)})"
            )
            out.append(Finding("unknown-key", DATASET.as_posix(), message, path=("rai", key)))
        elif answer is not None and not isinstance(answer, str) and not _strings(answer):
            wrong(("rai", key), "a string, a list of strings or null", answer)
    return out


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# -- table checks -------------------------------------------------------------------------------


def check_table(table: pl.DataFrame, schema: TableSchema) -> list[Finding]:
    """Types, required values, enums, patterns, ranges and uniqueness, by the pandera schema."""
    import polars as pl

    if table.height == 0:
        return []
    import pandera.errors

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
            message = f"{schema.name}: duplicate {key} {short(case['failure_case'])}"
        else:
            message = _column_message(schema, column, code, case["failure_case"])
        path = (*decode_path(case["_path"]), *column_path(schema, column))
        out.append(Finding(code, case["_file"], f"{_where(path)}: {message}", path=path))
    return out


def _column_message(schema: TableSchema, column: str, code: str, value: Any) -> str:
    constraints = schema.field(column).get("constraints", {})
    if code == "missing-key":
        return "a value is required"
    if code == "not-in-enum":
        allowed = constraints.get("enum") or schema.item(column).get("enum", [])
        return f"{short(value)} is not one of {', '.join(map(str, allowed))}"
    if code == "bad-pattern":
        return f"{short(value)} does not match {constraints['pattern']}"
    if code == "out-of-range":
        bounds = {
            k: constraints[k] for k in ("minimum", "maximum", "maxLength") if k in constraints
        }
        return f"{short(value)} is outside {bounds}"
    return f"{short(value)} has the wrong type"


def check_dates(corpus: Corpus, names: tuple[str, ...]) -> list[Finding]:
    """Calendar dates that cannot exist (2016-02-30, month 13, year 0000), in the tables ``names``.

    Year 0000 parses in polars' proleptic calendar but not in Python's, which the build uses.
    """
    import polars as pl

    out = []
    for name in names:
        for column in corpus.schemas[name].dates:
            value = pl.col(column)
            full = value.str.len_chars() == 10
            padded = pl.when(full).then(value).otherwise(value.str.slice(0, 7) + "-01")
            bad = corpus.tables[name].filter(
                value.str.starts_with("0000")
                | value.str.contains(r"^\d{4}-\d{2}(-\d{2})?$")
                & padded.str.to_date("%Y-%m-%d", strict=False).is_null()
            )
            says = _says("{} is not a calendar date", column)
            out += _rows(bad, "bad-date", says, corpus.schemas[name], column)
    return out


def check_keys(corpus: Corpus, *, to_entities: bool) -> list[Finding]:
    """Foreign keys as anti-joins: references into the registry (``to_entities``), or else to
    the rows of other article tables (keys to the document table are the article itself)."""
    import polars as pl

    out = []
    document, registry = table_of(corpus.schemas, "document"), table_of(corpus.schemas, "registry")
    for name, schema in corpus.schemas.items():
        table = corpus.tables[name]
        for fk in schema.foreign_keys:
            if fk.resource == document or (fk.resource == registry) != to_entities:
                continue
            target = (
                corpus.tables[fk.resource]
                .select([pl.col(r).alias(f) for f, r in zip(fk.fields, fk.reference, strict=True)])
                .unique()
            )
            missing = table.drop_nulls(list(fk.fields)).join(target, on=list(fk.fields), how="anti")
            column = fk.fields[-1]
            noun = "entity" if fk.resource == registry else fk.resource.removesuffix("s")
            out += _rows(
                missing,
                "missing-reference",
                _says(f"{{}} is not a known {noun} id", column, quote=True),
                schema,
                column,
            )
    return out


def check_hashes(corpus: Corpus) -> list[Finding]:
    """raw.txt against the sha256 its article.yaml records (``raw.sha256``)."""
    import polars as pl

    document = table_of(corpus.schemas, "document") or ""
    if "raw_sha256" not in corpus.schemas[document].columns:
        return []
    joined = (
        corpus.tables[document]
        .join(
            corpus.raw.select(
                "article_id", pl.col("sha256").alias("_actual"), pl.col("_file").alias("_raw")
            ),
            left_on="id",
            right_on="article_id",
            how="inner",
        )
        .filter(pl.col("raw_sha256").is_not_null() & (pl.col("raw_sha256") != pl.col("_actual")))
    )
    return _rows(
        joined,
        "hash-mismatch",
        lambda r: (
            f"{r['_raw']} has sha256 {r['_actual']}, but raw.sha256 records {r['raw_sha256']}"
        ),
        corpus.schemas[document],
        "raw_sha256",
    )


def check_segments(corpus: Corpus) -> list[Finding]:
    """The body's segments in order, none starting before the previous one ends."""
    import polars as pl

    body = table_of(corpus.schemas, "body")
    if body is None:
        return []
    schema = corpus.schemas[body]
    span, index = schema.spans[0], schema.source.index
    if index is None:
        return []
    prev = pl.col(span.raw_end).shift(1).over("article_id", order_by=index)
    bad = (
        corpus.tables[body]
        .with_columns(_prev=prev)
        .filter(pl.col(span.raw_start) < pl.col("_prev"))
    )
    return _rows(
        bad,
        "segment-overlap",
        lambda r: (
            f"segment starts at {r[span.raw_start]}, before the previous one ends ({r['_prev']})"
        ),
        schema,
        span.raw_start,
    )


# -- spans --------------------------------------------------------------------------------------


def check_spans(corpus: Corpus) -> list[Finding]:
    """Every span: ordered, inside the text, its text at its offsets, annotations in the body.

    The spans of all tables are stacked into one frame and joined to the raw texts once: a join
    copies each raw text it gathers, which for large texts is the dominant cost.
    """
    import polars as pl

    frames = []
    document = table_of(corpus.schemas, "document")
    for name, schema in corpus.schemas.items():
        key = "id" if name == document else "article_id"
        for span in schema.spans:
            frames.append(
                corpus.tables[name].select(
                    pl.col(key).cast(pl.String).alias("_article"),
                    "_file",
                    "_path",
                    pl.col(span.raw_start).cast(pl.Int64).alias("_s"),
                    pl.col(span.raw_end).cast(pl.Int64).alias("_e"),
                    pl.col(span.text).cast(pl.String).alias("_t"),
                    _table=pl.lit(name),
                    _column=pl.lit(span.text),
                    _body=pl.lit(span.within == "body"),
                )
            )
    if not frames:
        return []
    spans = pl.concat(frames).filter(pl.any_horizontal(pl.col("_s", "_e", "_t").is_not_null()))
    out = _span_rows(
        corpus.schemas,
        spans.filter(pl.any_horizontal(pl.col("_s", "_e", "_t").is_null())),
        "missing-key",
        lambda r: "a span needs start, end and text",
    )

    raw = corpus.raw.select("article_id", "raw", _len=pl.col("raw").str.len_chars()).rechunk()
    # A negative offset is reported by the table check (out-of-range) and not looked up here.
    joined = (
        spans.drop_nulls(["_s", "_e", "_t"])
        .filter(pl.col("_s") >= 0)
        .join(raw, left_on="_article", right_on="article_id", how="inner")
    )
    length = pl.max_horizontal(pl.col("_e") - pl.col("_s"), pl.lit(0))
    actual = pl.col("raw").str.slice(pl.col("_s"), length)
    parts = pl.col("_t").str.split_exact(ELLIPSIS, 1)
    head, tail = parts.struct.field("field_0"), parts.struct.field("field_1")
    abbreviated = (pl.col("_e") - pl.col("_s") > ABBREVIATE_FROM) & pl.col("_t").str.contains(
        ELLIPSIS, literal=True
    )
    matches = (
        pl.when(abbreviated)
        .then(actual.str.starts_with(head) & actual.str.ends_with(tail))
        .otherwise(actual == pl.col("_t"))
    )
    joined = joined.with_columns(
        _order=pl.col("_e") <= pl.col("_s"),
        _outside=(pl.col("_e") > pl.col("_s")) & (pl.col("_e") > pl.col("_len")),
    ).with_columns(
        _wrong=~pl.col("_order") & ~pl.col("_outside") & ~matches.fill_null(False),
    )
    wrong = _diagnose(joined.filter(pl.col("_wrong")))
    checked = joined.drop("raw")
    del joined

    out += _span_rows(
        corpus.schemas,
        checked.filter(pl.col("_order")),
        "span-order",
        lambda r: f"span {r['_s']}:{r['_e']} ends at or before its start",
    )
    out += _span_rows(
        corpus.schemas,
        checked.filter(pl.col("_outside")),
        "span-outside-text",
        lambda r: f"span {r['_s']}:{r['_e']} ends after the text ({r['_len']} characters)",
    )
    out += _span_rows(corpus.schemas, wrong, "span-text-mismatch", _mismatch)
    good = checked.filter(~pl.col("_order") & ~pl.col("_outside") & ~pl.col("_wrong"))
    body = table_of(corpus.schemas, "body")
    if body is not None:
        out += _outside_body(corpus, good.filter(pl.col("_body")), body)
    return out


def _span_rows(
    schemas: dict[str, TableSchema],
    frame: pl.DataFrame,
    code: str,
    message: Callable[[dict[str, Any]], str],
) -> list[Finding]:
    """Findings for rows of the stacked span frame, each pointing at its span's mapping."""
    return [
        _finding(r, code, message(r), schemas[r["_table"]], r["_column"], parent=True)
        for r in frame.iter_rows(named=True)
    ]


def _diagnose(wrong: pl.DataFrame) -> pl.DataFrame:
    """What a wrong span covers, how often its text occurs, and the raw text around it.

    Everything is sliced by polars, so a message never pulls a whole raw text into Python.
    """
    import polars as pl

    needle = pl.col("_t").str.split(ELLIPSIS).list.first()
    window_start = pl.max_horizontal(pl.col("_s") - NEAR, pl.lit(0))
    return (
        wrong.with_columns(
            _shown=pl.col("raw").str.slice(
                pl.col("_s"), pl.min_horizontal(pl.col("_e") - pl.col("_s"), pl.lit(60))
            ),
            _needle=pl.when(needle != "").then(needle),
            _from=window_start,
        )
        .with_columns(
            _count=pl.col("raw").str.count_matches(pl.col("_needle"), literal=True),
            _window=pl.col("raw").str.slice(pl.col("_from"), pl.col("_e") + NEAR - pl.col("_from")),
        )
        .drop("raw")
    )


def _mismatch(r: dict[str, Any]) -> str:
    """Say what is at the offsets and where the expected text does occur nearest."""
    text, start, end, needle = r["_t"], r["_s"], r["_e"], r["_needle"]
    message = f"{start}:{end} is {r['_shown']!r}, not {short(text)}"
    if not needle or not r["_count"]:
        return message + "; the text does not occur in raw.txt"
    spots = [r["_from"] + m.start() for m in re.finditer(re.escape(needle), r["_window"])]
    if not spots:
        return message + (
            f"; it occurs {r['_count']} times in raw.txt, none within {NEAR} characters"
        )
    near = min(spots, key=lambda p: abs(p - start))
    shift = near - start
    where = (
        f"{abs(shift)} character{'s' if abs(shift) != 1 else ''} "
        f"{'later' if shift > 0 else 'earlier'}"
    )
    length = len(text) if ELLIPSIS not in text else end - start
    message += f"; found {where}, at {near}:{near + length}"
    if r["_count"] > 1:
        message += f" ({r['_count']} occurrences in the text)"
    return message


def _outside_body(corpus: Corpus, spans: pl.DataFrame, body: str) -> list[Finding]:
    import polars as pl

    span = corpus.schemas[body].spans[0]
    segs = (
        corpus.tables[body]
        .drop_nulls(["article_id", span.raw_start, span.raw_end])
        .select(
            pl.col("article_id").alias("_article"),
            pl.col(span.raw_start).cast(pl.Int64).alias("_s"),
            pl.col(span.raw_end).alias("_seg_end"),
        )
        .sort("_article", "_s")
    )
    placed = (
        spans.drop_nulls("_article")
        .sort("_article", "_s")
        .join_asof(segs, on="_s", by="_article", strategy="backward", check_sortedness=False)
    )
    bad = placed.filter(pl.col("_seg_end").is_null() | (pl.col("_e") > pl.col("_seg_end")))
    return _span_rows(
        corpus.schemas,
        bad,
        "span-outside-body",
        lambda r: f"{short(r['_t'])} at {r['_s']}:{r['_e']} is not inside a body segment",
    )


def check_not_after(corpus: Corpus) -> list[Finding]:
    """Dates later than their article's (``x-articlepack.not_after``): an event that "happened"
    after the article that reports it is worth a second look."""
    import polars as pl

    document = table_of(corpus.schemas, "document") or ""
    out = []
    for name, schema in corpus.schemas.items():
        rule = schema.not_after
        if rule is None:
            continue
        column, reference = str(rule["column"]), str(rule["document"])
        when = pl.lit(True).and_(
            *(pl.col(str(c)) == v for c, v in dict(rule.get("when") or {}).items())
        )
        rows = corpus.tables[name].filter(when & pl.col(column).is_not_null())
        joined = rows.join(
            corpus.tables[document].select(
                pl.col("id").alias("article_id"), pl.col(reference).alias("_ref")
            ),
            on="article_id",
            how="inner",
        ).drop_nulls("_ref")
        n = pl.min_horizontal(pl.col(column).str.len_chars(), pl.col("_ref").str.len_chars())
        late = joined.filter(pl.col(column).str.slice(0, n) > pl.col("_ref").str.slice(0, n))
        condition = ", ".join(f"{c} {v}" for c, v in dict(rule.get("when") or {}).items())

        def says(
            r: dict[str, Any],
            column: str = column,
            reference: str = reference,
            condition: str = condition,
        ) -> str:
            return (
                f"{r.get('id') or 'a row'} ({condition or 'any'}) is dated {r[column]}, after "
                f"its article's {reference} {r['_ref']}"
            )

        out += _rows(
            late,
            "event-after-publication",
            says,
            schema,
            column,
            id_column="id" if "id" in schema.columns else None,
        )
    return out


def check_raw_text(raw: pl.DataFrame) -> list[Finding]:
    """Mojibake (UTF-8 decoded as cp1252 and saved again): the first instance per file."""
    import polars as pl

    bad = raw.filter(pl.col("raw").str.contains(_MOJIBAKE)).select(
        "article_id",
        "_file",
        _match=pl.col("raw").str.extract(f"({_MOJIBAKE})", 1),
        _line=pl.col("raw")
        .str.extract(f"(?s)^(.*?)(?:{_MOJIBAKE})", 1)
        .str.count_matches("\n", literal=True)
        + 1,
    )
    return [
        Finding(
            "mojibake",
            r["_file"],
            f"{r['_match']!r} looks like UTF-8 decoded as cp1252",
            line=r["_line"],
            id=r["article_id"],
        )
        for r in bad.iter_rows(named=True)
    ]


# -- waivers and lines --------------------------------------------------------------------------


def apply_waivers(findings: list[Finding], waivers: list[dict[str, Any]]) -> list[Finding]:
    """Drop warnings that a reviewed waiver covers; flag waivers that cover nothing."""
    file = "corpus/waivers.yaml"
    out: list[Finding] = []
    used: set[int] = set()
    valid: list[tuple[int, dict[str, Any]]] = []
    for i, w in enumerate(waivers):
        code, reason, ident = w.get("code"), w.get("reason"), w.get("id")
        if not (
            isinstance(code, str)
            and code in CODES
            and isinstance(w.get("file"), str)
            and isinstance(reason, str)
            and reason.strip()
            and (ident is None or isinstance(ident, str))
        ):
            out.append(
                Finding(
                    "bad-waiver",
                    file,
                    "a waiver needs a known code, a file and a "
                    "reason (and, optionally, an id), all strings",
                    path=("waivers", i),
                )
            )
        else:
            valid.append((i, w))
    for f in findings:
        match = next(
            (
                i
                for i, w in valid
                if f.severity == "warning"
                and w["code"] == f.code
                and w["file"] == f.file
                and w.get("id") in (None, f.id)
            ),
            None,
        )
        if match is None:
            out.append(f)
        else:
            used.add(match)
    out += [
        Finding(
            "unused-waiver",
            file,
            f"waiver of {w['code']} for {w['file']} matches no warning",
            path=("waivers", i),
        )
        for i, w in valid
        if i not in used
    ]
    return out


def locate(root: Path, findings: Iterable[Finding]) -> list[Finding]:
    """Fill in the line of each finding that has a YAML path, reading each file once."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    out: list[Finding] = []
    for f in findings:
        (by_file[f.file] if f.line is None and f.path else out).append(f)
    for file, group in by_file.items():
        try:
            text = (root / file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            out += group
            continue
        for f in group:
            line = _yaml.line_of(text, f.path)
            out.append(Finding(f.code, f.file, f.message, line, f.id, f.path))
    return out


def _says(template: str, column: str, *, quote: bool = False) -> Callable[[dict[str, Any]], str]:
    """A message maker: ``template`` with the row's ``column`` value in its ``{}``."""
    return lambda r: template.format(short(r[column]) if quote else r[column])


def _rows(
    frame: pl.DataFrame,
    code: str,
    message: Callable[[dict[str, Any]], str],
    schema: TableSchema,
    column: str,
    *,
    parent: bool = False,
    id_column: str | None = None,
) -> list[Finding]:
    return [
        _finding(r, code, message(r), schema, column, parent=parent, id_column=id_column)
        for r in frame.iter_rows(named=True)
    ]


def _finding(
    r: dict[str, Any],
    code: str,
    message: str,
    schema: TableSchema,
    column: str,
    *,
    parent: bool = False,
    id_column: str | None = None,
) -> Finding:
    path = (*decode_path(r["_path"]), *column_path(schema, column))
    if parent and path:
        path = path[:-1] if len(column_path(schema, column)) > 0 else path
    ident = r.get(id_column) if id_column else None
    return Finding(code, r["_file"], f"{_where(path)}: {message}", path=path, id=ident)


def _where(path: tuple[str | int, ...]) -> str:
    return dotted(path) or "(document)"
