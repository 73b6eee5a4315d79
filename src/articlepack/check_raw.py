"""Checks of each article's raw.txt: the sha256 its article.yaml records, and mojibake."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from articlepack.failing_rows import findings
from articlepack.report import Finding
from articlepack.schema import table_of

if TYPE_CHECKING:
    import polars as pl

    from articlepack.corpus import Corpus

_MOJIBAKE = r"â€|Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf]"


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
    if joined.height == 0:
        return []
    # Only a mismatching raw.txt with CRLF endings is hashed again, one at a time, in its LF
    # form: if that has the recorded sha256, git (core.autocrlf) converted the file.
    crlf = pl.col("raw").str.contains("\r\n", literal=True)
    stored = corpus.raw.join(joined.select("id"), left_on="article_id", right_on="id").select(
        "article_id", _crlf=pl.when(crlf).then(pl.col("raw"))
    )
    joined = joined.join(stored, left_on="id", right_on="article_id", how="left")

    def message(r: dict[str, Any]) -> str:
        said = f"{r['_raw']} has sha256 {r['_actual']}, but raw.sha256 records {r['raw_sha256']}"
        stored = r["_crlf"]
        if stored is not None and lf_sha256(stored) == r["raw_sha256"]:
            said += (
                "; its LF form has the recorded sha256: git converted its line endings "
                "(core.autocrlf). Keep raw.txt byte-exact with a `.gitattributes` line "
                "`raw.txt -text` and check it out again"
            )
        return said

    return findings(joined, "hash-mismatch", message, corpus.schemas[document], "raw_sha256")


def lf_sha256(text: str) -> str:
    """The sha256 of ``text`` with its CRLF line endings as LF (UTF-8): what git records of a file
    that core.autocrlf checks out with CRLF."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()


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
