"""Git, as far as a diff needs it: commits, ``v<SemVer>`` tags, and a revision's project on disk.

A revision is materialised with ``git archive`` (``corpus/``, ``schemas/`` and, when ``schemas``
is a symlink, the folder it points to) into a temporary folder, streamed so that a large corpus
never sits in memory whole. Only git's own commands are run, each with a time limit.
"""

from __future__ import annotations

import posixpath
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from articlepack.errors import DiffError
from articlepack.versions import sort_tags

_SYMLINK = "120000"  # git's mode of a symlink
_MAX_LINKS = 8


@contextmanager
def checkout(revision: str, project: Path) -> Iterator[Path]:
    """The project at ``project`` as it was at ``revision``, in a temporary folder for the block."""
    if not revision or revision.startswith("-"):
        raise DiffError(f"{revision!r} is neither a folder nor a git revision")
    top = _git(project, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise DiffError(
            f"{revision!r} is not a folder, and {project} is not inside a git repository, "
            "so it cannot be a git revision either"
        )
    root = Path(top.stdout.strip())
    prefix = _git(project, "rev-parse", "--show-prefix").stdout.strip().rstrip("/")
    found = commit(project, revision)
    if found is None:
        raise DiffError(f"{revision!r} is neither a folder nor a git revision of {project}")
    paths = _archive_paths(root, found, prefix, revision)
    with tempfile.TemporaryDirectory(prefix="articlepack-diff-") as tmp:
        _extract(root, found, paths, Path(tmp), revision)
        yield Path(tmp, prefix)


def commit(project: Path, revision: str) -> str | None:
    """The commit that ``revision`` names, or None."""
    done = _git(project, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    return done.stdout.strip() if done.returncode == 0 else None


def tags(project: Path | str) -> list[str]:
    """The project's ``v<SemVer>`` git tags, oldest first (none outside a git repository)."""
    done = _git(Path(project), "tag", "--list", "v*")
    if done.returncode != 0:
        return []
    return sort_tags(done.stdout.split())


def latest_tag(project: Path | str) -> str | None:
    """The project's latest ``v*`` tag by SemVer, or None."""
    found = tags(project)
    return found[-1] if found else None


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False, timeout=300
        )
    except FileNotFoundError:
        raise DiffError("git is not installed, so git revisions cannot be read") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} took longer than 5 minutes") from None


def _ls_tree(root: Path, commit: str, paths: list[str]) -> dict[str, tuple[str, str]]:
    done = _git(root, "ls-tree", "-z", commit, "--", *paths)
    out = {}
    for entry in filter(None, done.stdout.split("\0")):
        meta, _, path = entry.partition("\t")
        mode, _kind, sha = meta.split()
        out[path] = (mode, sha)
    return out


def _archive_paths(root: Path, commit: str, prefix: str, revision: str) -> list[str]:
    """The project's ``corpus`` and ``schemas`` at ``commit``, and where ``schemas`` links to."""
    corpus, schemas = posixpath.join(prefix, "corpus"), posixpath.join(prefix, "schemas")
    entries = _ls_tree(root, commit, [corpus, schemas])
    for path in (corpus, schemas):
        if path not in entries:
            raise DiffError(
                f"revision {revision} has no {path}/ (not a dataset project at that revision)"
            )
    paths, current = [corpus, schemas], schemas
    for _ in range(_MAX_LINKS):  # follow a chain of symlinks, within reason
        mode, sha = entries[current]
        if mode != _SYMLINK:
            return paths
        target = _git(root, "cat-file", "blob", sha).stdout
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
        if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
            raise DiffError(
                f"at revision {revision}, {current} is a symlink that leads outside the repository"
            )
        entries = _ls_tree(root, commit, [resolved])
        if resolved not in entries:
            raise DiffError(
                f"at revision {revision}, {current} is a symlink to {resolved}, "
                "which does not exist"
            )
        paths.append(resolved)
        current = resolved
    raise DiffError(f"at revision {revision}, {schemas} is a chain of too many symlinks")


def _extract(root: Path, commit: str, paths: list[str], dest: Path, revision: str) -> None:
    """Stream ``git archive`` into ``dest`` (never the whole archive in memory)."""
    process = subprocess.Popen(
        ["git", "-C", str(root), "archive", "--format=tar", commit, "--", *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    problem = None
    try:
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            archive.extractall(dest, filter="data")
    except (tarfile.TarError, OSError) as exc:
        problem = str(exc)
        process.kill()
    error = process.stderr.read().decode("utf-8", "replace").strip()
    code = process.wait()
    process.stdout.close()
    process.stderr.close()
    if code != 0 or problem:
        raise DiffError(f"cannot read revision {revision} with git archive: {error or problem}")
