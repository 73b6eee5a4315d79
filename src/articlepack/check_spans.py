"""Checks of the text spans: each ordered, inside its text, its text at its offsets, annotations
inside the body, the body's segments in order.

A wrong span's message says what is wrong with it (:func:`articlepack.anchor.mismatch`) from a
window of the raw text around it that polars slices out, so a message never pulls a whole raw
text into Python. An article whose raw.txt has CRLF line endings while its spans' offsets count
LF ones gets one finding that says so, not one per span.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from articlepack.anchor import ABBREVIATE_FROM as ABBREVIATE_FROM  # re-exported: importers use it
from articlepack.anchor import ELLIPSIS as ELLIPSIS  # re-exported, as ABBREVIATE_FROM
from articlepack.anchor import NEAR, mismatch
from articlepack.failing_rows import finding, findings, id_column, short
from articlepack.report import Finding
from articlepack.schema import TableSchema, table_of

if TYPE_CHECKING:
    import polars as pl

    from articlepack.corpus import Corpus


def check_spans(corpus: Corpus) -> list[Finding]:
    """Every span: ordered, inside the text, its text at its offsets, annotations in the body.

    The spans of all tables are stacked into one frame and joined to the raw texts once: a join
    copies each raw text it gathers, which for large texts is the dominant cost.
    """
    import polars as pl

    spans = stacked(corpus)
    if spans is None:
        return []
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
    joined = joined.with_columns(
        _order=pl.col("_e") <= pl.col("_s"),
        _outside=(pl.col("_e") > pl.col("_s")) & (pl.col("_e") > pl.col("_len")),
    ).with_columns(
        _wrong=~pl.col("_order") & ~pl.col("_outside") & ~matches("raw").fill_null(False),
    )
    wrong = _on_lf_text(corpus, joined.filter(pl.col("_wrong")))
    out += _crlf(corpus.schemas, wrong.filter(pl.col("_lf")))
    wrong = _diagnose(wrong.filter(~pl.col("_lf")))
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


def stacked(corpus: Corpus) -> pl.DataFrame | None:
    """Every span with any of its parts given, of every table, in one frame (None: no spans):
    its article, file, YAML path, the id of its row, its offsets and text, its table and
    column."""
    import polars as pl

    frames = []
    document = table_of(corpus.schemas, "document")
    for name, schema in corpus.schemas.items():
        key = "id" if name == document else "article_id"
        ident = id_column(schema)
        for span in schema.spans:
            frames.append(
                corpus.tables[name].select(
                    pl.col(key).cast(pl.String).alias("_article"),
                    "_file",
                    "_path",
                    (pl.col(ident).cast(pl.String) if ident else pl.lit(None, pl.String)).alias(
                        "_id"
                    ),
                    pl.col(span.raw_start).cast(pl.Int64).alias("_s"),
                    pl.col(span.raw_end).cast(pl.Int64).alias("_e"),
                    pl.col(span.text).cast(pl.String).alias("_t"),
                    _table=pl.lit(name),
                    _column=pl.lit(span.text),
                    _body=pl.lit(span.within == "body"),
                )
            )
    if not frames:
        return None
    return pl.concat(frames).filter(pl.any_horizontal(pl.col("_s", "_e", "_t").is_not_null()))


def matches(raw: str) -> pl.Expr:
    """Whether the text in column ``raw`` at a span's offsets is its text (a long one's may be
    abbreviated, its head and tail joined by :data:`ELLIPSIS`): :func:`articlepack.anchor.matches`
    on whole columns."""
    import polars as pl

    length = pl.max_horizontal(pl.col("_e") - pl.col("_s"), pl.lit(0))
    actual = pl.col(raw).str.slice(pl.col("_s"), length)
    parts = pl.col("_t").str.splitn(ELLIPSIS, 2)
    head, tail = parts.struct.field("field_0"), parts.struct.field("field_1")
    abbreviated = (pl.col("_e") - pl.col("_s") > ABBREVIATE_FROM) & pl.col("_t").str.contains(
        ELLIPSIS, literal=True
    )
    return (
        pl.when(abbreviated)
        .then(actual.str.starts_with(head) & actual.str.ends_with(tail))
        .otherwise(actual == pl.col("_t"))
    )


def _span_rows(
    schemas: dict[str, TableSchema],
    frame: pl.DataFrame,
    code: str,
    message: Callable[[dict[str, Any]], str],
) -> list[Finding]:
    """Findings for rows of the stacked span frame, each pointing at its span's mapping."""
    return [
        finding(r, code, message(r), schemas[r["_table"]], r["_column"], parent=True)
        for r in frame.iter_rows(named=True)
    ]


def _on_lf_text(corpus: Corpus, wrong: pl.DataFrame) -> pl.DataFrame:
    """``wrong`` with ``_lf``: whether the span is its text on its raw.txt's LF form (each CRLF
    one character), where raw.txt has CRLF line endings. The LF form is made once an article."""
    import polars as pl

    lf = (
        corpus.raw.join(
            wrong.select("_article").unique(), left_on="article_id", right_on="_article"
        )
        .filter(pl.col("raw").str.contains("\r\n", literal=True))
        .select("article_id", _raw_lf=pl.col("raw").str.replace_all("\r\n", "\n", literal=True))
    )
    joined = wrong.join(lf, left_on="_article", right_on="article_id", how="left")
    return joined.with_columns(_lf=matches("_raw_lf").fill_null(False)).drop("_raw_lf")


def _crlf(schemas: dict[str, TableSchema], spans: pl.DataFrame) -> list[Finding]:
    """One finding per article whose spans' offsets count its CRLF line endings as one character,
    at the first of them."""
    out = []
    for group in spans.sort("_s").partition_by("_file", maintain_order=True):
        first = group.row(0, named=True)
        at = finding(
            first, "crlf-offsets", "", schemas[first["_table"]], first["_column"], parent=True
        )
        n = group.height
        message = (
            f"raw.txt has CRLF line endings, but the offsets of {n} span{'s' if n != 1 else ''} "
            "count each line ending as one character (LF): `articlepack fix --write` rewrites "
            "them. If git converted raw.txt (core.autocrlf), restore it instead; a "
            "`.gitattributes` line `raw.txt -text` keeps it byte-exact"
        )
        out.append(replace(at, message=message, id=first["_article"]))
    return out


def _diagnose(wrong: pl.DataFrame) -> pl.DataFrame:
    """What a wrong span covers, how often its text occurs, and the raw text around it.

    Everything is sliced by polars, so a message never pulls a whole raw text into Python.
    """
    import polars as pl

    long = (pl.col("_e") - pl.col("_s") > ABBREVIATE_FROM) & pl.col("_t").str.contains(
        ELLIPSIS, literal=True
    )
    needle = pl.when(long).then(pl.col("_t").str.split(ELLIPSIS).list.first()).otherwise("_t")
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
    return mismatch(
        r["_t"], r["_s"], r["_e"], r["_window"], r["_from"], r["_shown"], r["_count"] or 0
    )


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
    return findings(
        bad,
        "segment-overlap",
        lambda r: (
            f"segment starts at {r[span.raw_start]}, before the previous one ends ({r['_prev']})"
        ),
        schema,
        span.raw_start,
    )
