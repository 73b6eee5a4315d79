"""Publish a release to the Hugging Face Hub as ONE commit plus the tag ``v<version>``.

``upload_folder`` may split a large folder into several commits; ``create_commit`` with every
operation is one. The commit's ``parent_commit`` is the revision that was checked, so a concurrent
push makes it fail instead of mixing releases. Refused: a release that fails ``verify``, a tag that
exists, a version not newer than the Hub's latest ``v*`` tag. The token is never printed or written.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articlepack.checks import SEMVER
from articlepack.errors import IntegrityError, PublishError
from articlepack.verify import RECORD, record, verify

KEEP = {".gitattributes"}


@dataclass(frozen=True)
class Plan:
    """What ``publish`` will do (or, in a dry run, would do)."""

    repo: str
    version: str
    files: list[tuple[str, int]]  # (path in repo, bytes)
    deletions: list[str] = field(default_factory=list)
    parent_commit: str | None = None
    commit: str | None = None

    @property
    def tag(self) -> str:
        return f"v{self.version}"

    @property
    def bytes(self) -> int:
        return sum(size for _, size in self.files)


def semver_key(version: str) -> tuple[int, int, int, int, str]:
    """Sort key for SemVer strings (a pre-release sorts before its release)."""
    match = SEMVER.match(version)
    if not match:
        raise ValueError(f"{version!r} is not SemVer")
    major, minor, patch, pre = match.group(1), match.group(2), match.group(3), match.group(4)
    return int(major), int(minor), int(patch), 0 if pre else 1, pre or ""


def plan(release: Path | str) -> tuple[str, list[tuple[str, int]]]:
    """The release's version and its files (every file of the record, plus the record itself)."""
    release = Path(release)
    try:
        verify(release)
    except IntegrityError as exc:
        raise PublishError(f"refusing to publish a release that fails verify: {exc}") from None
    version = str(json.loads((release / RECORD).read_text(encoding="utf-8"))["version"])
    files = [(path, int(entry["bytes"])) for path, entry in sorted(record(release).items())]
    files.append((RECORD, (release / RECORD).stat().st_size))
    return version, sorted(files)


def token() -> str | None:
    """HF_TOKEN, else the huggingface_hub login."""
    from huggingface_hub import get_token

    return os.environ.get("HF_TOKEN") or get_token()


def publish(
    release: Path | str, repo: str, *, dry_run: bool = False, private: bool = False, api: Any = None
) -> Plan:
    """Publish ``release`` to the dataset repo ``repo``; with ``dry_run``, touch nothing."""
    release = Path(release)
    version, files = plan(release)
    if dry_run:
        return Plan(repo, version, files)
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

    secret = token()
    if api is None:
        if not secret:
            raise PublishError(
                "no Hugging Face token: set HF_TOKEN or run `hf auth login` (or use --dry-run)"
            )
        api = HfApi(token=secret)
    try:
        api.create_repo(repo, repo_type="dataset", private=private, exist_ok=True)
        tags = [ref.name for ref in api.list_repo_refs(repo, repo_type="dataset").tags]
        _refuse_version(version, tags)
        parent = api.repo_info(repo, repo_type="dataset").sha
        existing = api.list_repo_files(repo, repo_type="dataset", revision=parent)
        paths = {path for path, _ in files}
        deletions = sorted(p for p in existing if p not in paths and p not in KEEP)
        operations: list[Any] = [
            CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(release / p)) for p, _ in files
        ]
        operations += [CommitOperationDelete(path_in_repo=p) for p in deletions]
        commit = api.create_commit(
            repo,
            operations,
            commit_message=f"Release v{version}",
            commit_description=f"articlepack release {release.name}",
            repo_type="dataset",
            parent_commit=parent,
        )
        api.create_tag(
            repo,
            tag=f"v{version}",
            revision=commit.oid,
            repo_type="dataset",
            tag_message=f"Release {version}",
        )
    except PublishError:
        raise
    except Exception as exc:  # the Hub's errors, reworded without the token
        message = str(exc).replace(secret, "***") if secret else str(exc)
        raise PublishError(
            f"the Hub refused the publication: {type(exc).__name__}: {message}"
        ) from None
    return Plan(repo, version, files, deletions, parent, commit.oid)


def _refuse_version(version: str, tags: list[str]) -> None:
    if f"v{version}" in tags:
        raise PublishError(
            f"tag v{version} already exists on the Hub; a release is immutable once tagged"
        )
    versions = [t[1:] for t in tags if t.startswith("v") and SEMVER.match(t[1:])]
    if versions:
        latest = max(versions, key=semver_key)
        if semver_key(version) <= semver_key(latest):
            raise PublishError(
                f"version {version} is not newer than the Hub's latest tag v{latest}"
            )
