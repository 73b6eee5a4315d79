"""Publish a release to the Hugging Face Hub as ONE commit plus the tag ``v<version>``.

``upload_folder`` may split a large folder into several commits; ``create_commit`` with every
operation is one. The parent commit is the head read together with the tags, so a concurrent push
makes the commit fail (412) instead of mixing releases, and nothing is tagged.

Everything that can be refused is refused before the first write: a release that fails
``verify``, a repo id the Hub would reject, a repo other than the one baked into the release (its
card, CITATION.cff and datapackage.json name it), a tag that exists, a version that is not newer
than the Hub's latest ``v*`` tag (SemVer precedence, :mod:`articlepack.versions`).

The sha256 of the release's ``datapackage.json`` (the record that fixes every other file's hash)
goes into the commit description and the tag message, for users to pin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articlepack import _hub_http, versions
from articlepack.errors import HubError, IntegrityError, PublishError
from articlepack.hub import check_repo_id, dataset_url
from articlepack.record import RECORD, read_record
from articlepack.release_folder import ReleaseFolder
from articlepack.verify import verify

KEEP = {".gitattributes"}  # the Hub writes it when it creates a repo; a release never has one
TIMEOUT = 60.0  # seconds without an answer before a Hub call is given up


@dataclass(frozen=True)
class Plan:
    """What ``publish`` will do (or, in a dry run, would do)."""

    repo: str
    version: str
    files: list[tuple[str, int]]  # (path in repo, bytes)
    digest: str  # sha256 of datapackage.json
    deletions: list[str] = field(default_factory=list)
    parent_commit: str | None = None
    commit: str | None = None

    @property
    def tag(self) -> str:
        return versions.tag(self.version)

    @property
    def bytes(self) -> int:
        return sum(size for _, size in self.files)


@dataclass(frozen=True)
class Release:
    """A verified release folder: its version, files, record digest and the repo it names."""

    path: Path
    version: str
    files: list[tuple[str, int]]
    digest: str
    repo: str | None


def read(release: Path | str) -> Release:
    """Verify ``release`` and read what publishing needs from its record."""
    path = Path(release)
    try:
        verify(path)
        found = read_record(ReleaseFolder(path))
    except IntegrityError as exc:
        raise PublishError(f"refusing to publish a release that fails verify: {exc}") from None
    version = found.package["version"]
    if not versions.is_valid(version):
        raise PublishError(f"{path / RECORD} declares version {version!r}, which is not SemVer")
    files = [(p, entry.bytes) for p, entry in found.files.items()]
    files.append((RECORD, (path / RECORD).stat().st_size))
    named, prefix = found.package.get("id"), dataset_url("")
    repo = (
        named.removeprefix(prefix) if isinstance(named, str) and named.startswith(prefix) else None
    )
    return Release(path, version, sorted(files), found.digest, repo)


def choose_repo(release: Release, repo: str | None) -> str:
    """``repo``, else the one the release names; refused if the Hub would reject it or if the
    release names another (its card and citation would point to the wrong place)."""
    chosen = repo or release.repo
    if chosen is None:
        raise PublishError(
            f"{release.path} names no Hub repo: set hub.repo in corpus/dataset.yaml and rebuild, "
            "or pass --repo ORG/NAME"
        )
    why = check_repo_id(chosen)
    if why:
        raise PublishError(f"{chosen!r} is not a dataset repo id the Hub accepts: {why}")
    if release.repo is not None and chosen != release.repo:
        raise PublishError(
            f"{release.path} was built for {release.repo} (its card, CITATION.cff and "
            f"datapackage.json name it), not {chosen}: change hub.repo in corpus/dataset.yaml "
            "and rebuild to publish there"
        )
    return chosen


def publish(
    release: Path | str,
    repo: str | None = None,
    *,
    dry_run: bool = False,
    private: bool = False,
    timeout: float = TIMEOUT,
) -> Plan:
    """Publish ``release`` to the dataset repo ``repo`` (default: the one it names).

    With ``dry_run``, check everything that needs no network and touch nothing. Raises
    :class:`PublishError` for a refusal, :class:`HubError` when the Hub fails or cannot be reached.
    """
    found = read(release)
    repo = choose_repo(found, repo)
    if dry_run:
        return Plan(repo, found.version, found.files, found.digest)
    secret = _hub_http.token()
    if not secret:
        raise PublishError(
            "no Hugging Face token: set HF_TOKEN or run `hf auth login` (or use --dry-run)"
        )
    from huggingface_hub import HfApi

    api = HfApi(token=secret)
    committed = None
    try:
        with _hub_http.talking(repo, timeout=timeout):
            parent, existing = _head(api, repo, found.version, private, timeout)
            paths = {path for path, _ in found.files}
            deletions = sorted(p for p in existing if p not in paths and p not in KEEP)
            committed = _commit(api, found, repo, parent, deletions)
            api.create_tag(
                repo,
                tag=versions.tag(found.version),
                revision=committed,
                repo_type="dataset",
                tag_message=f"Release {found.version}\n\n{_pin(found)}",
            )
    except HubError as exc:
        raise HubError(f"{exc}; {_consequence(found, committed)}", exc.reason) from None
    return Plan(repo, found.version, found.files, found.digest, deletions, parent, committed)


def _head(
    api: Any, repo: str, version: str, private: bool, timeout: float
) -> tuple[str, list[str]]:
    """The head of ``main`` and its files, after refusing a version the tags rule out.

    The repo is created only when the Hub has none of that name, so a refusal writes nothing.
    """
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        refs = api.list_repo_refs(repo, repo_type="dataset")
    except RepositoryNotFoundError:
        api.create_repo(repo, repo_type="dataset", private=private, exist_ok=True)
        refs = api.list_repo_refs(repo, repo_type="dataset")
    _refuse_version(version, [ref.name for ref in refs.tags])
    heads = {ref.name: ref.target_commit for ref in refs.branches}
    if "main" not in heads:
        raise PublishError(f"{repo} has no main branch to publish on")
    info = api.repo_info(repo, repo_type="dataset", revision=heads["main"], timeout=timeout)
    return heads["main"], [sibling.rfilename for sibling in info.siblings or []]


def _commit(api: Any, release: Release, repo: str, parent: str, deletions: list[str]) -> str:
    """One commit on ``parent`` that makes the repo's files exactly the release's."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    operations: list[Any] = [
        CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(release.path / p))
        for p, _ in release.files
    ]
    operations += [CommitOperationDelete(path_in_repo=p) for p in deletions]
    commit = api.create_commit(
        repo,
        operations,
        commit_message=f"Release {versions.tag(release.version)}",
        commit_description=f"articlepack release {release.path.name}\n\n{_pin(release)}",
        repo_type="dataset",
        parent_commit=parent,
    )
    return str(commit.oid)


def _pin(release: Release) -> str:
    return f"sha256 of {RECORD}: {release.digest}"


def _consequence(release: Release, committed: str | None) -> str:
    tag = versions.tag(release.version)
    if committed is None:
        return "nothing was published"
    return (
        f"commit {committed} holds the release but the tag {tag} was not created: run publish "
        "again to tag it"
    )


def _refuse_version(version: str, tags: list[str]) -> None:
    tag = versions.tag(version)
    if tag in tags:
        raise PublishError(
            f"tag {tag} already exists on the Hub; a release is immutable once tagged"
        )
    latest = versions.latest_tag(tags)
    if latest is not None and versions.parse(version) <= versions.parse(latest.removeprefix("v")):
        raise PublishError(f"version {version} is not newer than the Hub's latest tag {latest}")
