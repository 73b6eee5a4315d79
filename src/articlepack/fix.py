"""``articlepack fix``: repair what the validator can prove, and nothing else.

- ``raw.sha256`` missing, null or not a sha256 at all: filled with raw.txt's own.
- A span whose offsets count CRLF line endings as one character (its raw.txt has CRLF, and on
  the LF form the text is at the offsets): its offsets moved onto raw.txt as stored. Not when
  the recorded sha256 is that of the LF form: then git converted raw.txt, which is to be
  restored rather than annotated anew.
- A span whose ``text`` abbreviates its raw text in a form the format does not take (three
  dots, an ellipsis without its spaces, an abbreviated short span) while its head and tail are
  where its offsets say: the text written as the format wants it
  (:func:`articlepack.anchor.unabbreviated`).
- A span whose text occurs exactly once within :data:`~articlepack.anchor.NEAR` characters of
  its offsets (an off-by-N, or one end wrong): its offsets moved there.

Every other wrong span (its text nowhere near, or near more than once) is left alone and
listed. Changes are made to the YAML text in place (:mod:`articlepack.fix_edit`), shown as a
unified diff, and written, atomically, only when asked.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack import anchor
from articlepack.check_raw import lf_sha256
from articlepack.fix_edit import EditError, edit
from articlepack.report import Finding, printable
from articlepack.schema import TableSchema, table_of
from articlepack.shape import column_path, decode_path

if TYPE_CHECKING:
    import polars as pl

    from articlepack.corpus import Corpus

HASH = "raw_sha256"  # the document table's column of raw.txt's recorded sha256 (as check_raw)


#: Each kind of change, and what it does in words.
KINDS = {
    "sha256": "raw.sha256 filled",
    "crlf": "span(s) moved onto raw.txt's CRLF line endings",
    "text": "abbreviated text(s) normalised",
    "anchor": "span(s) re-anchored on their text",
}
#: What keeps an article.yaml from being read at all, and so from being fixed.
UNREAD = frozenset(
    {
        "yaml-syntax",
        "yaml-duplicate-key",
        "yaml-unsafe",
        "yaml-multiple-documents",
        "not-a-mapping",
        "empty-file",
        "not-utf8",
        "bom",
        "nul-byte",
        "unreadable",
    }
)


@dataclass(frozen=True)
class Change:
    """One value to set in an article.yaml, and why."""

    file: str
    path: tuple[str | int, ...]
    value: str | int
    kind: str  # a key of KINDS


@dataclass
class Plan:
    """What ``fix`` would do: each file's text before and after, the changes by kind, and the
    findings it leaves alone (with the reason in the message)."""

    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # file -> (before, after)
    changes: list[Change] = field(default_factory=list)
    left: list[Finding] = field(default_factory=list)

    def diff(self) -> str:
        """The changes as one unified diff, paths relative to the project (``git apply`` reads
        it). A character that could steer a terminal (an escape, a bidi override) is shown
        escaped, as in every message."""
        out: list[str] = []
        for file, (before, after) in sorted(self.texts.items()):
            out += difflib.unified_diff(
                _LINE.findall(before), _LINE.findall(after), f"a/{file}", f"b/{file}"
            )
        return "".join(_shown(line) for line in out)

    def counts(self) -> dict[str, int]:
        """How many spans (or hashes) each kind of change mends."""
        mended = {(c.kind, c.file, c.path[:-1]) for c in self.changes}
        return {kind: n for kind in KINDS if (n := sum(m[0] == kind for m in mended))}


def plan(root: Path | str) -> Plan:
    """What ``fix`` would change in the project at ``root`` (nothing is written).

    Raises :class:`articlepack.errors.ProjectError` when ``root`` is not a project at all.
    """
    from articlepack.checks import locate
    from articlepack.corpus import read

    corpus = read(root)
    found = Plan()
    found.left += [
        replace(f, message=f"fix cannot read it: {f.message}")
        for f in corpus.findings
        if f.code in UNREAD and f.file.endswith("/article.yaml")
    ]
    changes = _hashes(corpus) + _spans(corpus, found.left)
    by_file: dict[str, list[Change]] = {}
    for change in changes:
        by_file.setdefault(change.file, []).append(change)
    for file, group in sorted(by_file.items()):
        before = _read(corpus.root / file)
        try:
            after = edit(before, {c.path: c.value for c in group})
        except EditError as exc:
            code = "missing-key" if {c.kind for c in group} == {"sha256"} else "span-text-mismatch"
            found.left.append(Finding(code, file, f"fix left the file alone: {exc}"))
            continue
        found.texts[file] = (before, after)
        found.changes += group
    found.left = sorted(locate(corpus.root, found.left), key=lambda f: (f.file, f.line or 0))
    return found


def write(root: Path | str, found: Plan) -> list[str]:
    """Write the files of ``found``, each atomically (a temporary file renamed over it); a file
    changed since it was read is left alone. Returns the files written."""
    written = []
    for file, (before, after) in sorted(found.texts.items()):
        path = Path(root) / file
        if _read(path) != before:
            continue
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".fix-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(after.encode("utf-8"))
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, path.stat().st_mode & 0o7777)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(file)
    return written


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")  # YAML's lines, each with its break


def _shown(line: str) -> str:
    """A line of the diff, ended, with what could steer a terminal escaped (tabs kept)."""
    body = line.rstrip("\r\n")
    end = line[len(body) :] or "\n\\ No newline at end of file\n"
    return "\t".join(printable(part) for part in body.split("\t")) + end


def _read(path: Path) -> str:
    """A file's text exactly (its line endings kept)."""
    return path.read_bytes().decode("utf-8")


def _hashes(corpus: Corpus) -> list[Change]:
    """``raw.sha256`` where it is missing or is no sha256 at all; a sha256 that differs stays
    (raw.txt is never edited: which of the two is right, only a person can say)."""
    import polars as pl

    document = table_of(corpus.schemas, "document") or ""
    schema = corpus.schemas[document]
    if HASH not in schema.columns:
        return []
    rows = (
        corpus.tables[document]
        .join(corpus.raw.select("article_id", "sha256"), left_on="id", right_on="article_id")
        .filter(
            pl.col(HASH).is_null() | ~pl.col(HASH).cast(pl.String).str.contains(r"^[0-9a-f]{64}$")
        )
    )
    return [
        Change(
            r["_file"],
            (*decode_path(r["_path"]), *column_path(schema, HASH)),
            r["sha256"],
            "sha256",
        )
        for r in rows.iter_rows(named=True)
    ]


def _spans(corpus: Corpus, left: list[Finding]) -> list[Change]:
    """The changes to wrong spans that can be proved; the others are added to ``left``."""
    import polars as pl

    from articlepack.check_spans import matches, stacked

    spans = stacked(corpus)
    if spans is None:
        return []
    wrong = (
        spans.drop_nulls(["_s", "_e", "_t", "_article"])
        .filter(pl.col("_s") >= 0)
        .join(
            corpus.raw.select("article_id", "raw", "sha256"),
            left_on="_article",
            right_on="article_id",
        )
        .filter(~matches("raw").fill_null(False))
    )
    if wrong.height == 0:
        return []
    raws = dict(wrong.select("_article", "raw").unique("_article").iter_rows())
    converted = _converted(corpus, raws, wrong, left)
    lfs = {a: raw.replace("\r\n", "\n") for a, raw in raws.items() if "\r\n" in raw}
    out: list[Change] = []
    for r in wrong.drop("raw").iter_rows(named=True):
        if r["_article"] in converted:
            continue
        schema = corpus.schemas[r["_table"]]
        span = next(s for s in schema.spans if s.text == r["_column"])
        paths = {
            kind: (*decode_path(r["_path"]), *column_path(schema, column))
            for kind, column in (
                ("start", span.raw_start),
                ("end", span.raw_end),
                ("text", span.text),
            )
        }
        made, why = _repair(raws[r["_article"]], lfs.get(r["_article"]), r["_s"], r["_e"], r["_t"])
        for kind, (key, value) in made:
            out.append(Change(r["_file"], paths[key], value, kind))
        if why:
            left.append(_left(r, schema, why))
    return out


def _converted(
    corpus: Corpus, raws: dict[str, str], wrong: pl.DataFrame, left: list[Finding]
) -> set[str]:
    """The articles whose raw.txt git converted to CRLF (its LF form has the recorded sha256):
    raw.txt is to be restored, not annotated anew, so their spans are left alone, with one
    finding each (at raw.sha256) that says so."""
    import polars as pl

    document = table_of(corpus.schemas, "document") or ""
    schema = corpus.schemas[document]
    if HASH not in schema.columns:
        return set()
    recorded = dict(corpus.tables[document].select("id", HASH).drop_nulls().iter_rows())
    converted = {
        a for a, raw in raws.items() if "\r\n" in raw and recorded.get(a) == lf_sha256(raw)
    }
    files = wrong.filter(pl.col("_article").is_in(list(converted))).unique("_article")
    for article, file in files.select("_article", "_file").iter_rows():
        left.append(
            Finding(
                "hash-mismatch",
                file,
                "git converted raw.txt's line endings to CRLF (its LF form has the recorded "
                "sha256): restore raw.txt, with `raw.txt -text` in .gitattributes, rather than "
                "move the offsets of its spans; not changed",
                id=article,
                path=column_path(schema, HASH),
            )
        )
    return converted


Made = list[tuple[str, tuple[str, str | int]]]  # (kind, (start | end | text, value))


def _repair(raw: str, lf: str | None, start: int, end: int, text: str) -> tuple[Made, str]:
    """The changes that put a wrong span right, or why there are none; ``lf`` is ``raw``'s LF
    form where it has CRLF line endings."""
    if lf is not None and anchor.matches(lf, start, end, text):
        moved = anchor.stored_offsets(raw, start, end)
        if anchor.matches(raw, *moved, text):
            return _moved("crlf", start, end, *moved), ""
        return [], (
            "its offsets count raw.txt's LF form, but its text holds a line ending, which raw.txt "
            "stores as CRLF; not changed"
        )
    if 0 <= start < end <= len(raw):
        whole = anchor.unabbreviated(raw[start:end], text)
        if whole is not None:
            return [("text", ("text", whole))], ""
        if anchor.near_miss(text, raw[start:end]):  # the offsets are right, a character is not
            return [], _why(raw, start, end, text, [])
    origin = max(start - anchor.NEAR, 0)
    window = raw[origin : max(end, start) + anchor.NEAR]
    spots = anchor.placements(window, origin, start, end, text)
    if len(spots) == 1 and anchor.matches(raw, *spots[0], text):
        return _moved("anchor", start, end, *spots[0]), ""
    return [], _why(raw, start, end, text, spots)


def _why(raw: str, start: int, end: int, text: str, spots: list[tuple[int, int]]) -> str:
    """The validator's diagnosis of a span fix leaves alone, and that it does."""
    origin = max(start - anchor.NEAR, 0)
    window = raw[origin : max(end, start) + anchor.NEAR]
    shown = raw[start : start + min(max(end - start, 0), 60)]
    ends = anchor.parts(text, end - start)
    head = text if ends is None else ends[0]
    why = anchor.mismatch(text, start, end, window, origin, shown, raw.count(head) if head else 0)
    return f"{why}; not changed (ambiguous)" if len(spots) > 1 else f"{why}; not changed"


def _moved(kind: str, start: int, end: int, new_start: int, new_end: int) -> Made:
    out: Made = []
    if new_start != start:
        out.append((kind, ("start", new_start)))
    if new_end != end:
        out.append((kind, ("end", new_end)))
    return out


def _left(r: dict[str, Any], schema: TableSchema, why: str) -> Finding:
    from articlepack.failing_rows import finding

    return finding(r, "span-text-mismatch", why, schema, r["_column"], parent=True)
