"""`articlepack build` never deletes or clobbers what it did not write, and builds take turns.

Regression tests: `articlepack build P --out PARENT` once deleted the project P, `.git`
included, when P's folder was named `<name>-<version>` (the layout of an extracted sdist); and a
second build into the same folder removed the first one's live staging folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from articlepack.builder import build
from articlepack.verify import problems
from conftest import Project

RELEASE = "example-news-corpus-0.1.0"  # the `init` template's <name>-<version>


def _tree(root: Path) -> dict[str, bytes | str]:
    """Every file (with its bytes) and link (with its target) below ``root``."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[key] = f"-> {os.readlink(path)}"
        elif path.is_file():
            out[key] = path.read_bytes()
    return out


def _git(folder: Path) -> None:
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    (folder / ".git" / "precious").write_text("history\n")


def test_build_into_the_parent_of_a_project_named_like_its_release_deletes_nothing(
    project: Project, tmp_path: Path, cli: object
) -> None:
    named = project.root.rename(tmp_path / RELEASE)  # an extracted sdist's layout
    _git(named)
    before = _tree(tmp_path)
    result = cli("build", str(named), "--out", str(tmp_path), "--quiet")  # type: ignore[operator]
    assert result.exit_code == 2
    assert "would replace the project" in result.output
    assert _tree(tmp_path) == before


def test_build_refuses_a_project_inside_the_release_path(
    project: Project, tmp_path: Path, cli: object
) -> None:
    inner = tmp_path / "dist" / RELEASE / "work"
    inner.parent.mkdir(parents=True)
    moved = project.root.rename(inner)
    before = _tree(tmp_path)
    result = cli("build", str(moved), "--out", str(tmp_path / "dist"), "--quiet")  # type: ignore[operator]
    assert result.exit_code == 2
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("source", ["corpus", "schemas", ".git"])
def test_build_refuses_an_out_inside_the_projects_sources(
    project: Project, cli: object, source: str
) -> None:
    if source == ".git":
        _git(project.root)
    before = _tree(project.root)
    out = project.root / source / "dist"
    result = cli("build", str(project.root), "--out", str(out), "--quiet")  # type: ignore[operator]
    assert result.exit_code == 2
    assert f"inside the project's {source}/" in result.output
    assert _tree(project.root) == before


def test_build_never_replaces_a_folder_it_did_not_write(
    project: Project, tmp_path: Path, cli: object
) -> None:
    mine = tmp_path / "dist" / RELEASE
    mine.mkdir(parents=True)
    (mine / "thesis.tex").write_text("three years of work\n")
    before = _tree(tmp_path / "dist")
    result = cli("build", str(project.root), "--out", str(tmp_path / "dist"), "--quiet")  # type: ignore[operator]
    assert result.exit_code == 2
    assert "not a release articlepack wrote" in result.output
    assert _tree(tmp_path / "dist") == before


def test_build_never_replaces_a_release_that_holds_a_users_file(
    project: Project, tmp_path: Path, cli: object
) -> None:
    release = build(project.root, tmp_path / "dist")
    (release / "my-notes.md").write_text("notes on this release\n")
    before = _tree(tmp_path / "dist")
    result = cli("build", str(project.root), "--out", str(tmp_path / "dist"), "--quiet")  # type: ignore[operator]
    assert result.exit_code == 2
    assert _tree(tmp_path / "dist") == before


def test_build_does_not_follow_a_symlink_at_the_release_path(
    project: Project, tmp_path: Path, cli: object
) -> None:
    elsewhere = build(
        project.root, tmp_path / "elsewhere"
    )  # even a real release, reached by a link
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / RELEASE).symlink_to(elsewhere, target_is_directory=True)
    before = _tree(tmp_path)
    result = cli("build", str(project.root), "--out", str(tmp_path / "dist"), "--quiet")  # type: ignore[operator]
    assert result.exit_code == 2
    assert _tree(tmp_path) == before


def test_a_partial_folder_articlepack_did_not_write_is_left_alone(
    project: Project, tmp_path: Path
) -> None:
    lookalike = tmp_path / "dist" / f".{RELEASE}.backup.partial"
    lookalike.mkdir(parents=True)
    (lookalike / "keep.txt").write_text("mine\n")
    build(project.root, tmp_path / "dist")
    assert (lookalike / "keep.txt").read_text() == "mine\n"


_HELD_BUILD = """
import sys, time
from pathlib import Path
import articlepack.builder.parquet as parquet
real, go = parquet.write_table, Path(sys.argv[3])
def held(root, name, table, *rest):
    print("writing", flush=True)
    for _ in range(600):  # the test lets it go once the second build is waiting
        if go.exists():
            break
        time.sleep(0.1)
    return real(root, name, table, *rest)
parquet.write_table = held
from articlepack.builder import build
print(build(sys.argv[1], sys.argv[2]), flush=True)
"""


@pytest.mark.slow
def test_two_concurrent_builds_into_one_folder_both_succeed(
    project: Project, tmp_path: Path
) -> None:
    out, go = tmp_path / "dist", tmp_path / "go"
    first = subprocess.Popen(
        [sys.executable, "-c", _HELD_BUILD, str(project.root), str(out), str(go)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stdout is not None
    assert first.stdout.readline().strip() == "writing"  # the first holds the lock and is writing
    second = subprocess.Popen(
        [sys.executable, "-m", "articlepack", "build", str(project.root), "--out", str(out), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert second.stderr is not None
    waiting = second.stderr.readline()
    go.touch()
    _, errors = first.communicate(timeout=300)
    _, second_errors = second.communicate(timeout=300)
    assert "waiting for another build" in waiting, waiting + second_errors
    assert first.returncode == 0, errors
    assert second.returncode == 0, second_errors
    assert problems(out / RELEASE) == []
    assert not list(out.glob("*.partial"))


def test_a_build_that_waits_too_long_for_the_lock_has_its_own_exit_code(
    project: Project, tmp_path: Path, cli: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from filelock import FileLock

    out = tmp_path / "dist"
    out.mkdir()
    monkeypatch.setenv("ARTICLEPACK_LOCK_WAIT", "0.2")
    with FileLock(out / f".{RELEASE}.lock"):
        result = cli("build", str(project.root), "--out", str(out), "--quiet")  # type: ignore[operator]
    assert result.exit_code == 3
    assert "held its lock" in result.output and "invalid" not in result.output
    assert [p.name for p in out.iterdir()] == [f".{RELEASE}.lock"]
