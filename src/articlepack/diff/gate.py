"""The declared version against the changes: checked (the version gate) and raised (``bump``).

Both compare the project with a git revision (by default its latest ``v*`` tag) and ask for the
lowest version that carries the bump the changes require. ``bump`` rewrites only the ``version:``
line of corpus/dataset.yaml, byte for byte, so that a hand-written file keeps its comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articlepack.diff.git import commit, latest_tag, tags
from articlepack.diff.result import Diff, compare
from articlepack.diff.sides import Snapshot, load, read_project, snapshot
from articlepack.errors import DiffError
from articlepack.versions import Bump, is_valid, parse, required_version, tag, tag_version

if TYPE_CHECKING:
    from articlepack.corpus import Corpus

DATASET = Path("corpus", "dataset.yaml")
_VERSION_LINE = re.compile(r"^(version[ \t]*:[ \t]*)([\"']?)([^\"'\s#]*)\2", re.MULTILINE)


@dataclass(frozen=True)
class Gate:
    """The verdict of the version gate."""

    passed: bool
    message: str
    against: str | None = None
    declared: str | None = None
    required_bump: Bump = "none"
    required_version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "message": self.message,
            "against": self.against,
            "declared_version": self.declared,
            "required_bump": self.required_bump,
            "required_version": self.required_version,
        }

    def add_to_json(self, report: str) -> str:
        """A validation report's JSON with this verdict under ``version_gate``."""
        body = {**json.loads(report), "version_gate": self.as_dict()}
        return json.dumps(body, indent=2, ensure_ascii=False)

    def to_github(self, project: Path | str) -> str:
        """A GitHub workflow annotation on corpus/dataset.yaml's version line."""
        line = version_line(project)
        where = f"file={DATASET.as_posix()}" + (f",line={line}" if line else "")
        level = "notice" if self.passed else "error"
        message = self.message.replace("%", "%25").replace("\n", "%0A")
        return f"::{level} {where},title=version gate::{message}"


def version_gate(
    project: Path | str = ".", against: str | None = None, *, corpus: Corpus | None = None
) -> Gate:
    """Check the project's declared version against ``against`` (default: the latest ``v*`` tag).

    Fails when the declared version is lower than the bump the changes require, or when it is
    already tagged and the tagged content differs. ``corpus``: the project already read and valid.
    """
    project = Path(project)
    current = snapshot(corpus, label=str(project)) if corpus is not None else read_project(project)
    declared = current.side.version
    if against is None:
        against = latest_tag(project)
        if against is None:
            return Gate(
                True,
                f"no v* git tag in {project}: nothing to compare version {declared} against",
                declared=declared,
            )
    result = compare(load(against, project), current)
    base = _base_version(result, against)
    needed = required_version(base, result.required_bump)

    def verdict(passed: bool, message: str) -> Gate:
        return Gate(passed, message, against, declared, result.required_bump, needed)

    if not is_valid(declared):
        return verdict(False, f"{DATASET.as_posix()} declares no SemVer version")
    if parse(declared) < parse(needed):
        why = (
            f"the changes since {against} (version {base}) require a {result.required_bump} bump"
            if result.required_bump != "none"
            else f"it is lower than {against}'s version {base}"
        )
        return verdict(
            False,
            f"{DATASET.as_posix()} declares version {declared}, but {why}: declare at least "
            f"{needed} (`articlepack bump` writes it)",
        )
    retagged = _change_since_tag(project, declared, against, result, current)
    if retagged != "none":
        return verdict(
            False,
            f"version {declared} is already tagged {tag(declared)}, and the corpus differs from "
            f"that tag (a {retagged} change); a tagged release is immutable, so declare at "
            f"least {required_version(declared, retagged)}",
        )
    if result.required_bump == "none":
        return verdict(True, f"no changes since {against}; version {declared} is fine")
    return verdict(
        True,
        f"version {declared} carries the {result.required_bump} bump that the changes since "
        f"{against} (version {base}) require",
    )


def _change_since_tag(
    project: Path, version: str, against: str, result: Diff, current: Snapshot
) -> Bump:
    """The bump from ``version``'s own tag to ``current`` (none when that tag does not exist).

    ``result`` is the diff from ``against``, reused when the two name the same commit.
    """
    name = tag(version)
    if name not in tags(project):
        return "none"
    same = commit(project, name) == commit(project, against)
    return (result if same else compare(load(name, project), current)).required_bump


def _base_version(result: Diff, against: str) -> str:
    """OLD's declared version; for a ``v<SemVer>`` tag without one, the tag's."""
    version = result.old.version
    if is_valid(version):
        return version
    if (tagged := tag_version(against)) is not None:
        return tagged
    raise DiffError(f"{against} declares no SemVer version to bump from")


def needed_version(result: Diff, against: str) -> str:
    """The lowest version that carries ``result``'s bump over the version of ``against``."""
    return required_version(_base_version(result, against), result.required_bump)


@dataclass(frozen=True)
class Bumped:
    """What ``bump`` did."""

    against: str
    previous: str | None  # the version declared before
    version: str  # the version declared now
    written: bool
    diff: Diff

    def summary(self) -> str:
        change = f"the {self.diff.required_bump} change since {self.against}"
        if self.written:
            return f"{DATASET.as_posix()}: version {self.previous} -> {self.version} ({change})"
        return (
            f"{DATASET.as_posix()}: version {self.version} already covers {change}; left unchanged"
        )


def bump(project: Path | str = ".", against: str | None = None) -> Bumped:
    """Write the version that the changes since ``against`` (default: latest ``v*`` tag) require.

    Only the ``version:`` line of corpus/dataset.yaml changes; a version already high enough stays.
    """
    project = Path(project)
    current = read_project(project)
    against = against or latest_tag(project)
    if against is None:
        raise DiffError(f"no v* git tag in {project} to compare against; pass --against REV")
    result = compare(load(against, project), current)
    needed = needed_version(result, against)
    declared = current.side.version
    if is_valid(declared) and parse(declared) >= parse(needed):
        return Bumped(against, declared, declared, False, result)
    set_version(project / DATASET, needed)
    return Bumped(against, declared, needed, True, result)


def set_version(path: Path, version: str) -> None:
    """Rewrite the top-level ``version:`` line of a dataset.yaml; every other byte stays."""
    if not is_valid(version):
        raise ValueError(f"{version!r} is not SemVer")
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffError(f"cannot read {path}: {exc}") from None
    new, count = _VERSION_LINE.subn(lambda m: f"{m[1]}{m[2]}{version}{m[2]}", text, count=1)
    if not count:
        raise DiffError(f"{path} has no top-level `version:` line to update")
    path.write_bytes(new.encode("utf-8"))


def version_line(project: Path | str) -> int | None:
    """The 1-based line of the ``version:`` key in corpus/dataset.yaml, for annotations."""
    try:
        text = (Path(project) / DATASET).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _VERSION_LINE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None
