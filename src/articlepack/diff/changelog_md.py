"""CHANGELOG.md: an entry per release, written from the diff against the previous release's tag.

Writing is idempotent per version, and the entry's date can be fixed (``SOURCE_DATE_EPOCH``) so
that a rebuilt release gets the same changelog.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from articlepack.diff.gate import DATASET, needed_version
from articlepack.diff.git import latest_tag
from articlepack.diff.result import Diff, compare
from articlepack.diff.rows import TableChanges
from articlepack.diff.schema_rules import Change
from articlepack.diff.sides import load, read_project
from articlepack.errors import DiffError, VersionTooLow
from articlepack.versions import is_valid, parse

CHANGELOG = "CHANGELOG.md"
CHANGELOG_HEADER = (
    "# Changelog\n\n"
    "Every release of this dataset, newest first. Versions follow SemVer under the\n"
    "Data Package version recipe: MAJOR for removed, renamed or retyped fields,\n"
    "tightened constraints or removed articles; MINOR for added articles, annotations,\n"
    "fields or tables; PATCH for corrections. `articlepack changelog` writes each entry\n"
    "from `articlepack diff` against the previous release's tag.\n"
)
_SECTIONS = ("Breaking changes", "Added", "Changed", "Fixed")
_SHOWN_IDS = 10


def changelog_entry(result: Diff | None, version: str, when: date | str) -> str:
    """A Markdown changelog entry (``## [version] - date``); ``result`` None: a first release."""
    day = when.isoformat() if isinstance(when, date) else str(when)
    lines = [f"## [{version}] - {day}", ""]
    if result is None:
        return "\n".join([*lines, "First release.", ""])
    against = result.old.source
    if result.required_bump == "none":
        return "\n".join(
            [*lines, f"No changes to the data, schemas or metadata since {against}.", ""]
        )
    lines += [
        f"Changes since {against} (version {result.old.version or 'unknown'}); they require a "
        f"**{result.required_bump}** version bump.",
        "",
    ]
    sections: dict[str, list[str]] = {s: [] for s in _SECTIONS}
    for c in (*result.schema_changes, *result.metadata_changes):
        _add_change(sections, c)
    for name, t in result.data_changes.items():
        _add_rows(sections, name, t)
    for title in _SECTIONS:
        if sections[title]:
            lines += [f"### {title}", "", *sections[title], ""]
    return "\n".join(lines)


def _add_change(sections: dict[str, list[str]], c: Change) -> None:
    where = ".".join(p for p in (c.table, c.field) if p)
    text = f"- `{where}`: {c.kind.replace('-', ' ')}, {c.detail}" if where else f"- {c.detail}"
    if c.bump == "major":
        sections["Breaking changes"].append(text)
    elif c.kind in ("table-added", "field-added"):
        sections["Added"].append(text)
    else:
        sections["Changed"].append(text)


def _add_rows(sections: dict[str, list[str]], name: str, t: TableChanges) -> None:
    noun = "article" if name == "articles" else f"{name} row"
    if t.removed:
        sections["Breaking changes" if t.referenced else "Fixed"].append(
            f"- {_count(len(t.removed), noun)} removed: {_some(t.removed)}"
        )
    for column, n in t.withdrawn.items():
        sections["Breaking changes"].append(
            f"- `{name}.{column}`: span offsets of {_count(n, noun)} no longer published"
        )
    if t.added:
        sections["Added"].append(f"- {_count(len(t.added), noun)}: {_some(t.added)}")
    if t.changed:
        columns = ", ".join(f"`{c}`" for c in t.changed_columns)
        sections["Fixed"].append(
            f"- {_count(len(t.changed), noun)} corrected ({columns}): {_some(t.changed)}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _some(ids: list[str]) -> str:
    shown = ", ".join(f"`{i}`" for i in ids[:_SHOWN_IDS])
    return shown + (f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else "")


def today() -> date:
    """SOURCE_DATE_EPOCH's date when set (reproducible), else today's (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return moment.date()


def add_entry(path: Path, entry: str, version: str) -> bool:
    """Put ``entry`` above the newest entry of ``path`` (created if missing).

    Returns False, writing nothing, when ``version`` already has an entry.
    """
    try:
        text = path.read_bytes().decode("utf-8") if path.exists() else CHANGELOG_HEADER
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffError(f"cannot read {path}: {exc}") from None
    if re.search(rf"^## \[?v?{re.escape(version)}\]?(?:\s|$)", text, re.MULTILINE):
        return False
    first = re.search(r"^## ", text, re.MULTILINE)
    if first:
        text = f"{text[: first.start()]}{entry.rstrip()}\n\n{text[first.start() :]}"
    else:
        text = f"{text.rstrip()}\n\n{entry.rstrip()}\n"
    path.write_bytes(text.encode("utf-8"))
    return True


@dataclass(frozen=True)
class Logged:
    """What ``changelog`` did."""

    path: Path
    version: str
    written: bool
    entry: str
    diff: Diff | None

    def summary(self) -> str:
        if self.written:
            return f"{self.path}: added the entry for {self.version}"
        return f"{self.path}: already has an entry for {self.version}; left unchanged"


def changelog(
    project: Path | str = ".", against: str | None = None, *, when: date | str | None = None
) -> Logged:
    """Prepend the entry for the declared version to PROJECT/CHANGELOG.md (idempotent per version).

    Compares with ``against`` (default: the latest ``v*`` tag; with no tag, a first release).
    Refuses (:class:`VersionTooLow`) a declared version lower than the changes require.
    """
    if isinstance(when, str):
        try:
            date.fromisoformat(when)
        except ValueError:
            raise DiffError(f"{when!r} is not a date YYYY-MM-DD") from None
    project = Path(project)
    current = read_project(project)
    version = current.side.version
    if not is_valid(version):
        raise DiffError(f"{DATASET.as_posix()} declares no SemVer version")
    against = against or latest_tag(project)
    result = compare(load(against, project), current) if against else None
    if result is not None and against is not None:
        needed = needed_version(result, against)
        if parse(version) < parse(needed):
            raise VersionTooLow(
                f"{DATASET.as_posix()} declares version {version}, but the changes since {against} "
                f"require at least {needed}; run `articlepack bump` first"
            )
    entry = changelog_entry(result, version, when or today())
    path = project / CHANGELOG
    return Logged(path, version, add_entry(path, entry, version), entry, result)
