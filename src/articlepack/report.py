"""Validation findings and the report that collects them.

A finding is data, not an exception: each has a stable ``code`` from :data:`CODES`, a severity,
the file it concerns (relative to the project) and, where the problem has one, a 1-based line.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]

#: code -> (severity, title). Codes are stable: scripts match on them.
CODES: dict[str, tuple[Severity, str]] = {
    "unreadable": ("error", "File cannot be read"),
    "not-utf8": ("error", "File is not UTF-8"),
    "bom": ("error", "File starts with a byte-order mark"),
    "raw-bom": ("warning", "raw.txt starts with a byte-order mark (offsets count it)"),
    "nul-byte": ("error", "File contains a NUL byte"),
    "yaml-syntax": ("error", "YAML syntax error"),
    "yaml-duplicate-key": ("error", "Duplicate key in a YAML mapping"),
    "yaml-unsafe": ("error", "YAML tag, alias bomb or nesting that is not allowed"),
    "yaml-multiple-documents": ("error", "More than one YAML document in a file"),
    "not-a-mapping": ("error", "YAML document is not a mapping"),
    "empty-file": ("error", "File is empty"),
    "missing-file": ("error", "Required file is missing"),
    "stray-file": ("warning", "Unexpected file in the corpus"),
    "unsafe-path": ("error", "Path leaves the project"),
    "missing-key": ("error", "Required key is missing or null"),
    "unknown-key": ("error", "Unknown key"),
    "wrong-type": ("error", "Value has the wrong type"),
    "not-in-enum": ("error", "Value is not one of the allowed values"),
    "bad-pattern": ("error", "Value does not match the required pattern"),
    "out-of-range": ("error", "Value is outside the allowed range"),
    "bad-date": ("error", "Impossible calendar date"),
    "duplicate-id": ("error", "Duplicate id"),
    "id-folder-mismatch": ("error", "Article id differs from its folder name"),
    "hash-mismatch": ("error", "raw.txt does not match its recorded sha256"),
    "span-order": ("error", "Span ends at or before its start"),
    "span-outside-text": ("error", "Span lies outside the text"),
    "span-text-mismatch": ("error", "Span text differs from the raw text at its offsets"),
    "crlf-offsets": ("error", "Offsets count LF line endings, but raw.txt has CRLF"),
    "span-outside-body": ("error", "Annotation lies outside the body segments"),
    "segment-overlap": ("error", "Body segments overlap or are out of order"),
    "missing-reference": ("error", "Reference to a missing entity or mention"),
    "event-after-publication": ("warning", "Actual event dated after the article's publication"),
    "bad-version": ("error", "Version is not SemVer"),
    "bad-license": ("error", "Licence is not one the Hub accepts"),
    "empty-corpus": ("error", "The corpus has no articles"),
    "unknown-article": ("error", "Annotator's file names an article the corpus does not have"),
    "bad-annotator-name": ("error", "Annotator's folder name is not a plain name"),
    "template-project": ("warning", "The project is still articlepack's example"),
    "template-text": ("error", "The datacard still holds the template's instructions"),
    "template-placeholder": ("error", "A placeholder or example from the template remains"),
    "unused-entity": ("warning", "No article refers to this entity"),
    "mojibake": ("warning", "Text looks double-encoded (mojibake)"),
    "bad-waiver": ("error", "Waiver is malformed"),
    "unused-waiver": ("warning", "Waiver matches no finding"),
    "cache-discarded": ("warning", "A cached file failed its check; everything was read anew"),
    "cache-unusable": ("warning", "The cache could not be used or written; the run is uncached"),
}


@dataclass(frozen=True)
class Finding:
    """One problem found in a project."""

    code: str
    file: str
    message: str
    line: int | None = None
    id: str | None = None
    path: tuple[str | int, ...] = field(default=(), compare=False)

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    @property
    def title(self) -> str:
        return CODES[self.code][1]

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        del data["path"]
        return {"code": self.code, "severity": self.severity, **data}


@dataclass(frozen=True)
class Report:
    """The outcome of validating a project: every finding, sorted by file and line."""

    findings: tuple[Finding, ...]
    summary: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, findings: Iterable[Finding], summary: dict[str, int] | None = None) -> Report:
        ordered = sorted(set(findings), key=lambda f: (f.file, f.line or 0, f.code, f.message))
        return cls(tuple(ordered), dict(summary or {}))

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def valid(self) -> bool:
        return not self.errors

    def with_findings(self, findings: Sequence[Finding]) -> Report:
        return replace(Report.of(findings), summary=self.summary)

    def to_json(self) -> str:
        summary = {**self.summary, "errors": len(self.errors), "warnings": len(self.warnings)}
        body = {
            "valid": self.valid,
            "errors": [f.as_dict() for f in self.findings],
            "summary": summary,
        }
        return json.dumps(body, indent=2, ensure_ascii=False)

    def to_github(self) -> str:
        """GitHub workflow annotations, one per finding."""
        lines = []
        for f in self.findings:
            where = f"file={_gh_escape(f.file, prop=True)}"
            if f.line:
                where += f",line={f.line}"
            title = _gh_escape(f"{f.code}: {f.title}", prop=True)
            lines.append(f"::{f.severity} {where},title={title}::{_gh_escape(f.message)}")
        return "\n".join(lines)


def printable(text: str) -> str:
    r"""``text`` with every control, format or separator character shown as its escape (``\x1b``,
    ``\u202e``), so that a file name or value cannot move the cursor, erase lines or reorder
    what a terminal or a log viewer shows."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


_MANY = 1_000  # choices beyond which a "did you mean" looks only at those sharing an end


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """``; did you mean 'X'?`` for the choice ``value`` was probably meant to be (the same word
    in another case first, then the closest spelling by :mod:`difflib`), else nothing."""
    if not isinstance(value, str) or not value:
        return ""
    options = [c for c in choices if isinstance(c, str)]
    same = [c for c in options if c.casefold() == value.casefold() and c != value]
    if len(options) > _MANY:  # difflib compares with each: only those sharing an end with it
        options = [c for c in options if c[:2] == value[:2] or c[-3:] == value[-3:]]
    close = same or difflib.get_close_matches(value, options, n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def character(c: str) -> str:
    """One character named so that look-alikes differ: ``'’' (U+2019 RIGHT SINGLE QUOTATION
    MARK)``."""
    name = unicodedata.name(c, "")
    shown = repr(c) if c.isprintable() else repr(c.encode("unicode_escape").decode())
    return f"{shown} (U+{ord(c):04X}{' ' + name if name else ''})"


def differences(written: str, actual: str, at: int = 0, most: int = 3) -> str:
    """What differs between two strings that differ only in punctuation, symbols or spaces (a
    straight quote for a curly one, a hyphen for a dash, a space for a no-break space), character
    by character (counted from ``at``): ``written``'s ``"'" (U+0027 APOSTROPHE)`` where
    ``actual`` has ``'’' (U+2019 ...)``. Empty when they differ otherwise: in length, or in a
    letter or digit (a typo, or a text shifted against its offsets)."""
    if len(written) != len(actual) or written == actual:
        return ""
    spots = [(at + i, w, a) for i, (w, a) in enumerate(zip(written, actual, strict=True)) if w != a]
    if any(w.isalnum() or a.isalnum() for _, w, a in spots):
        return ""
    said = "; ".join(
        f"character {i} is {character(w)} in the text but {character(a)} in raw.txt"
        for i, w, a in spots[:most]
    )
    return said + (f" (and {len(spots) - most} more)" if len(spots) > most else "")


def with_twin_lines(findings: Iterable[Finding]) -> list[Finding]:
    """Each ``duplicate-id`` finding (lines located) told where its twins are: the same message
    in the same file, or, for a document's own key (a path of one step), in any file."""
    out: list[Finding] = []
    twins: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.code == "duplicate-id":
            twins.setdefault((f.message, f.file if len(f.path) > 1 else ""), []).append(f)
        else:
            out.append(f)
    for group in twins.values():
        files = {f.file for f in group}
        for f in group:
            where = sorted(
                (g.file, g.line or 0) for g in group if len(files) > 1 or g.line is not None
            )
            if len(files) == 1:
                lines = [str(line) for _, line in where]
                note = f" (lines {', '.join(lines[:-1])} and {lines[-1]})" if len(lines) > 1 else ""
            else:
                note = (
                    " ("
                    + ", ".join(f"{file}:{line}" if line else file for file, line in where)
                    + ")"
                )
            out.append(replace(f, message=f.message + note))
    return out


def _gh_escape(text: str, *, prop: bool = False) -> str:
    lines = text.replace("%", "%25").replace("\r\n", "\n").split("\n")
    text = "%0A".join(printable(line) for line in lines)
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text
