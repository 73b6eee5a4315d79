"""`articlepack init`: a new project ready for git and CI, and template leftovers found before
they are published."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

import articlepack
from articlepack.builder import build
from articlepack.cli import app
from articlepack.errors import InvalidCorpusError
from articlepack.package import package
from articlepack.project import template
from conftest import ROOT, Project

GIT = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


@pytest.fixture
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GIT.items():
        monkeypatch.setenv(name, value)


def _codes(project: Project) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for finding in project.validate()[1]["errors"]:  # every finding, warnings included
        out.setdefault(finding["code"], []).append(finding)
    return out


def test_init_writes_a_project_ready_for_git_and_ci(project: Project) -> None:
    root = project.root
    for name in ("pyproject.toml", ".gitignore", "CHANGELOG.md", "datacard.md"):
        assert (root / name).is_file(), name
    assert "corpus/articles/**/raw.txt -text" in (root / ".gitattributes").read_text()
    assert "/dist/" in (root / ".gitignore").read_text()
    assert 'build-backend = "articlepack.package"' in (root / "pyproject.toml").read_text()
    assert not [p for p in root.iterdir() if p.name in ("gitignore", "gitattributes", "github")]


def test_init_git_then_validate_build_package_in_a_fresh_folder(
    tmp_path: Path, git_identity: None, cli: Any
) -> None:
    root = tmp_path / "fresh"
    assert cli("init", str(root), "--git").exit_code == 0
    log = subprocess.run(["git", "-C", root, "log", "--format=%s"], capture_output=True, text=True)
    assert log.stdout.strip() == "A new articlepack dataset project"
    status = subprocess.run(["git", "-C", root, "status", "--porcelain"], capture_output=True)
    assert status.stdout == b""  # everything committed, nothing ignored that matters
    assert cli("validate", str(root)).exit_code == 0
    assert cli("build", str(root), "--out", str(tmp_path / "dist"), "--quiet").exit_code == 0
    done = cli("package", str(root), "--out", str(tmp_path / "pkg"))
    assert done.exit_code == 0, done.output
    assert [Path(line).name for line in done.output.split()] == [
        "example_news_corpus-0.1.0-py3-none-any.whl",
        "example_news_corpus-0.1.0.tar.gz",
    ]
    assert (
        subprocess.run(["git", "-C", root, "status", "--porcelain"], capture_output=True).stdout
        == b""
    )  # package wrote nothing into the project


def test_init_git_without_a_git_identity_says_the_commit_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (*GIT, "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "")
    done = cli("init", str(tmp_path / "p"), "--git")
    if done.exit_code == 0:
        pytest.skip("this git finds an identity anyway")
    assert done.exit_code == 1 and "the commit is not" in done.output
    assert (tmp_path / "p" / "corpus" / "dataset.yaml").is_file()


def test_a_clone_with_autocrlf_keeps_raw_txt_byte_exact(tmp_path: Path, git_identity: None) -> None:
    """Without `.gitattributes`, `core.autocrlf=true` turned every raw.txt into CRLF and gave
    hundreds of span errors."""
    origin = articlepack.init(tmp_path / "origin", git=True)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "-c", "core.autocrlf=true", "clone", "-q", origin, clone],
        check=True,
        env={**os.environ, **GIT},
    )
    raws = sorted(origin.glob("corpus/articles/*/raw.txt"))
    assert raws and all(
        (clone / r.relative_to(origin)).read_bytes() == r.read_bytes() for r in raws
    )
    assert not articlepack.validate(clone).errors


def test_this_repository_keeps_raw_txt_byte_exact_too() -> None:
    assert "corpus/articles/**/raw.txt -text" in (ROOT / ".gitattributes").read_text()


def test_the_workflow_parses_and_names_only_commands_and_options_that_exist(
    project: Project,
) -> None:
    workflow = yaml.safe_load((project.root / ".github/workflows/dataset.yml").read_text())
    assert set(workflow[True]) >= {"push", "pull_request"}  # YAML 1.1 reads `on` as True
    assert workflow[True]["push"]["tags"] == ["v*"]
    steps = workflow["jobs"]["dataset"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    commands = get_command(app).commands  # type: ignore[attr-defined]
    called = []
    for run in runs:
        for name, args in re.findall(r"articlepack (\w+)((?: [^|)&;$]*)?)", run):
            assert name in commands, name
            known = {o for p in commands[name].params for o in p.opts}
            assert set(re.findall(r"--[a-z-]+", args)) <= known, (name, args)
            called.append(name)
    assert {"validate", "build", "publish"} <= set(called)
    assert any("--format github" in r for r in runs) and any("--against-latest" in r for r in runs)
    publish = next(s for s in steps if "publish" in s.get("run", ""))
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert publish["env"] == {"HF_TOKEN": "${{ secrets.HF_TOKEN }}"}


# Template leftovers -------------------------------------------------------------------------


def test_a_project_straight_from_init_says_once_that_it_is_the_example(project: Project) -> None:
    report = articlepack.validate(project.root)
    assert report.valid
    assert [(f.code, f.severity) for f in report.findings] == [("template-project", "warning")]


def test_a_renamed_project_lists_every_template_leftover_and_build_refuses(
    project: Project, tmp_path: Path
) -> None:
    project.edit("corpus/dataset.yaml", "name: example-news-corpus", "name: my-news")
    found = _codes(project)
    card_lines = [
        n
        for n, line in enumerate((project.root / "datacard.md").read_text().splitlines(), 1)
        if line.startswith("> **Write this:**")
    ]
    assert sorted(f["line"] for f in found["template-text"]) == card_lines and len(card_lines) > 5
    placeholders = {(f["file"], f["message"].split(" ")[0]) for f in found["template-placeholder"]}
    assert {
        ("corpus/dataset.yaml", "description"),
        ("corpus/dataset.yaml", "text_rights"),
        ("corpus/dataset.yaml", "hub.repo"),
        ("corpus/dataset.yaml", "contributor"),
    } <= placeholders
    entities = " ".join(
        f["message"] for f in found["template-placeholder"] if "entities" in f["file"]
    )
    assert "freedonia" in entities and "anna-example" in entities
    assert any(f["file"].endswith("/raw.txt") for f in found["template-placeholder"])
    assert all(f["line"] for f in found["template-placeholder"] if f["file"].endswith(".yaml"))
    with pytest.raises(InvalidCorpusError):
        build(project.root, tmp_path / "dist")
    with pytest.raises(InvalidCorpusError):
        package(project.root, tmp_path / "pkg")


def test_a_missing_datacard_is_not_published_as_the_templates_instructions(
    project: Project,
) -> None:
    project.edit("corpus/dataset.yaml", "name: example-news-corpus", "name: my-news")
    (project.root / "datacard.md").unlink()
    assert [f["file"] for f in _codes(project)["template-text"]] == ["datacard.md"]


def test_an_entity_no_article_refers_to_is_a_warning(project: Project) -> None:
    project.edit("corpus/dataset.yaml", "name: example-news-corpus", "name: my-news")
    project.edit(
        "corpus/entities.yaml",
        "entities:\n",
        "entities:\n  - {id: nobody, name: Nobody, type: PER, aliases: [], country: null, "
        "sector: null, wikidata: null}\n",
    )
    unused = _codes(project)["unused-entity"]
    assert [(f["severity"], f["file"], f["line"]) for f in unused] == [
        ("warning", "corpus/entities.yaml", 3)
    ]
    assert "nobody" in unused[0]["message"]


def test_the_template_itself_and_the_bundled_corpus_have_no_leftovers() -> None:
    for root in (template(), ROOT):
        codes = {f.code for f in articlepack.validate(root).findings}
        assert not codes & {"template-project", "template-text", "template-placeholder"}, root
