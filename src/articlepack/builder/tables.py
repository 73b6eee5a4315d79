"""From the read corpus to the published tables: text assembled, offsets mapped, rows ordered.

``articles.text`` is the body segments joined by a blank line. Every span inside the body gets
``start``/``end`` into that text (its ``raw_start``/``raw_end`` are kept); every span's ``text``
is the full raw slice, even where the YAML abbreviates it. Stand-off articles publish no text:
their text columns are null and their published offsets too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from articlepack.corpus import Corpus
from articlepack.schema import TABLES, Span, TableSchema

if TYPE_CHECKING:
    import polars as pl
    import pyarrow

SEPARATOR = "\n\n"


def publish(corpus: Corpus) -> dict[str, pyarrow.Table]:
    """The published tables of a *valid* corpus, each cast to its schema's Arrow schema."""
    import polars as pl

    raw = corpus.raw.select("article_id", "raw").rechunk()  # joins gather from one chunk fast
    standoff = corpus.tables["articles"].select(
        pl.col("id").alias("article_id"),
        (pl.col("rights_distribution") == "standoff").alias("_standoff"),
    )
    segments = _segments(corpus.tables["segments"], raw)
    frames: dict[str, pl.DataFrame] = {"segments": segments}
    for name in TABLES:
        schema = corpus.schemas[name]
        frame = frames.get(name, corpus.tables[name])
        key = "id" if name == "articles" else "article_id"
        if schema.spans and name != "segments":
            frame = frame.join(raw, left_on=key, right_on="article_id", how="left")
            for span in schema.spans:
                frame = _place(frame, span, segments, key)
            frame = frame.drop("raw")
        if name == "articles":
            text = segments.group_by("article_id").agg(
                pl.col("text").sort_by("seq").str.join(SEPARATOR)
            )
            frame = frame.join(text, left_on="id", right_on="article_id", how="left")
        if "article_id" in frame.columns or name == "articles":
            frame = _withhold(
                frame.join(standoff, left_on=key, right_on="article_id", how="left"), schema
            )
        frames[name] = frame.sort(list(schema.primary_key)).select(schema.columns)
    return {name: frames[name].to_arrow().cast(corpus.schemas[name].arrow()) for name in TABLES}


def _segments(segments: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    """Each segment's full text and its place in ``articles.text``."""
    import polars as pl

    length = pl.col("raw_end") - pl.col("raw_start")
    step = length + len(SEPARATOR)
    return (
        segments.join(raw, on="article_id", how="left")
        .sort("article_id", "seq")
        .with_columns(
            text=pl.col("raw").str.slice(pl.col("raw_start"), length),
            start=(step.cum_sum() - step).over("article_id"),
        )
        .with_columns(end=pl.col("start") + length)
        .drop("raw")
    )


def _place(frame: pl.DataFrame, span: Span, segments: pl.DataFrame, key: str) -> pl.DataFrame:
    """Fill a span's text from the raw text and map its offsets into ``articles.text``."""
    import polars as pl

    s, e = pl.col(span.raw_start), pl.col(span.raw_end)
    frame = frame.with_columns(
        pl.when(s.is_not_null()).then(pl.col("raw").str.slice(s, e - s)).alias(span.text)
    )
    if span.start is None or span.end is None:
        return frame
    segs = segments.select(
        pl.col("article_id").alias(key),
        pl.col("raw_start").alias("_seg_raw"),
        pl.col("start").alias("_seg_start"),
    ).sort(key, "_seg_raw")
    frame = frame.with_row_index("_row").with_columns(_at=s.fill_null(-1)).sort(key, "_at")
    placed = frame.join_asof(
        segs,
        left_on="_at",
        right_on="_seg_raw",
        by=key,
        strategy="backward",
        check_sortedness=False,
    )
    offset = pl.col("_seg_start") - pl.col("_seg_raw")
    return (
        placed.with_columns(
            pl.when(s.is_not_null()).then(s + offset).alias(span.start),
            pl.when(s.is_not_null()).then(e + offset).alias(span.end),
        )
        .sort("_row")
        .drop("_row", "_at", "_seg_raw", "_seg_start")
    )


def _withhold(frame: pl.DataFrame, schema: TableSchema) -> pl.DataFrame:
    """Null the body text (and offsets into it) of stand-off articles; metadata stays."""
    import polars as pl

    spans = [sp for sp in schema.spans if sp.within == "body" or schema.name == "segments"]
    columns = [c for sp in spans for c in (sp.text, sp.start, sp.end) if c]
    if schema.name == "articles":
        columns.append("text")
    hidden = pl.col("_standoff").fill_null(False)
    return frame.with_columns(
        [pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in dict.fromkeys(columns)]
    ).drop("_standoff")
