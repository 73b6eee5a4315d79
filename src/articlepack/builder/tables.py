"""From the read corpus to the published tables: text assembled, offsets mapped, rows ordered.

``articles.text`` is the body segments joined by a blank line. Every span inside the body gets
``start``/``end`` into that text (its ``raw_start``/``raw_end`` are kept); every span's ``text``
is the full raw slice, even where the YAML abbreviates it. Stand-off articles publish no text:
their text columns are null and their published offsets too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from articlepack import flatten, shape
from articlepack.corpus import Corpus
from articlepack.schema import Span, TableSchema, article_tables, table_of

if TYPE_CHECKING:
    import polars as pl
    import pyarrow

SEPARATOR = "\n\n"


def publish(corpus: Corpus) -> dict[str, pyarrow.Table]:
    """The published tables of a *valid* corpus, each cast to its schema's Arrow schema."""
    import polars as pl

    schemas = corpus.schemas
    document, body = table_of(schemas, "document") or "", table_of(schemas, "body")
    raw = corpus.raw.select("article_id", "raw").rechunk()  # joins gather from one chunk fast
    articles = corpus.tables[document]
    standoff = articles.select(
        pl.col("id").alias("article_id"),
        (pl.col("rights_distribution") == "standoff").alias("_standoff")
        if "rights_distribution" in articles.columns
        else pl.lit(False).alias("_standoff"),
    )
    frames: dict[str, pl.DataFrame] = {}
    segments = None
    if body is not None:
        segments = _segments(corpus.tables[body], schemas[body], raw)
        frames[body] = segments
    for name, schema in schemas.items():
        frame = frames.get(name, corpus.tables[name])
        key = "id" if name == document else "article_id"
        if schema.spans and name != body:
            frame = frame.join(raw, left_on=key, right_on="article_id", how="left")
            for span in schema.spans:
                frame = _place(frame, span, segments, schemas[body].spans[0] if body else None, key)
            frame = frame.drop("raw")
        if name == document and segments is not None and body is not None:
            joined = _body_text(segments, schemas[body])
            for column in schema.derived - {c for sp in schema.spans for c in (sp.start, sp.end)}:
                text = joined.rename({"_text": column})
                frame = frame.join(text, left_on="id", right_on="article_id", how="left")
        if "article_id" in frame.columns or name == document:
            frame = _withhold(
                frame.join(standoff, left_on=key, right_on="article_id", how="left"),
                schema,
                document=name == document,
            )
        # Article order first, so that a table published a chunk of articles at a time and
        # written part after part is the table published whole (articlepack.engine).
        order = dict.fromkeys([*([key] if key in schema.columns else []), *schema.primary_key])
        frames[name] = frame.sort(list(order)).select(schema.columns)
    return {name: frames[name].to_arrow().cast(schema.arrow()) for name, schema in schemas.items()}


def publish_articles(corpus: Corpus) -> dict[str, pyarrow.Table]:
    """The published article tables of a chunk of a valid corpus's articles (given whole, its
    registry's rows are left out: no article table's rows depend on them, and the registry's
    tables are published once, whole). Each table published a chunk at a time, in article
    order, is the table published whole (:func:`publish` sorts by article first)."""
    schemas = corpus.schemas
    empty = flatten.frames(flatten.Rows(), schemas, shape.layout(schemas).in_registry)
    published = publish(replace(corpus, tables={**corpus.tables, **empty}))
    return {name: published[name] for name in article_tables(schemas)}


def _body_text(segments: pl.DataFrame, schema: TableSchema) -> pl.DataFrame:
    """Each article's body: its segments' texts in order, joined by a blank line."""
    import polars as pl

    span = schema.spans[0]
    order = pl.col(span.text).sort_by(schema.source.index or span.raw_start)
    return segments.group_by("article_id").agg(order.str.join(SEPARATOR).alias("_text"))


def _segments(segments: pl.DataFrame, schema: TableSchema, raw: pl.DataFrame) -> pl.DataFrame:
    """Each body segment's full text and its place in the published text (``start``/``end``)."""
    import polars as pl

    span = schema.spans[0]
    length = pl.col(span.raw_end) - pl.col(span.raw_start)
    step = length + len(SEPARATOR)
    return (
        segments.join(raw, on="article_id", how="left")
        .sort("article_id", schema.source.index or span.raw_start)
        .with_columns(
            pl.col("raw").str.slice(pl.col(span.raw_start), length).alias(span.text),
            (step.cum_sum() - step).over("article_id").alias(span.start or ""),
        )
        .with_columns((pl.col(span.start or "") + length).alias(span.end or ""))
        .drop("raw")
    )


def _place(
    frame: pl.DataFrame,
    span: Span,
    segments: pl.DataFrame | None,
    segment: Span | None,
    key: str,
) -> pl.DataFrame:
    """Fill a span's text from the raw text and map its offsets into the published text."""
    import polars as pl

    s, e = pl.col(span.raw_start), pl.col(span.raw_end)
    frame = frame.with_columns(
        pl.when(s.is_not_null()).then(pl.col("raw").str.slice(s, e - s)).alias(span.text)
    )
    if span.start is None or span.end is None or segments is None or segment is None:
        return frame
    segs = segments.select(
        pl.col("article_id").alias(key),
        pl.col(segment.raw_start).alias("_seg_raw"),
        pl.col(segment.start or "").alias("_seg_start"),
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


def _withhold(frame: pl.DataFrame, schema: TableSchema, *, document: bool) -> pl.DataFrame:
    """Null the body text (and offsets into it) of stand-off articles; metadata stays."""
    import polars as pl

    spans = [sp for sp in schema.spans if sp.within == "body" or schema.body]
    columns = [c for sp in spans for c in (sp.text, sp.start, sp.end) if c]
    if document:
        columns += sorted(schema.derived)
    hidden = pl.col("_standoff").fill_null(False)
    return frame.with_columns(
        [pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in dict.fromkeys(columns)]
    ).drop("_standoff")
