"""The reader's cache: a warm read equals a cold one, and a changed article is read anew."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from articlepack import _cache, corpus
from articlepack.checks import check
from articlepack.corpus import read
from conftest import EXAMPLE, Project


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARTICLEPACK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _report(project: Project, *, cache: bool) -> list[tuple[str, str, int | None, str]]:
    report = check(read(project.root, cache=cache))
    return [(f.code, f.file, f.line, f.message) for f in report.findings]


def test_warm_read_equals_cold_read(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = project.root / "corpus" / "articles"
    shutil.copytree(
        articles / EXAMPLE, articles / "2020-01-02-second"
    )  # a second, mismatched article
    cold = read(project.root, cache=False)
    read(project.root)  # fills the cache
    assert (_cache.directory(project.root) / "manifest.json").is_file()
    parsed: list[list[str]] = []
    real = corpus._read_articles
    monkeypatch.setattr(
        corpus,
        "_read_articles",
        lambda root, folders: parsed.append(folders) or real(root, folders),
    )
    warm = read(project.root)
    assert parsed == []  # nothing was parsed again
    for name, table in cold.tables.items():
        assert warm.tables[name].equals(table), name
    assert sorted(map(repr, warm.findings)) == sorted(map(repr, cold.findings))


def test_a_changed_article_is_read_again(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _report(project, cache=True) == []
    project.edit_article("type: CONSULT", "type: MEET")
    parsed: list[list[str]] = []
    real = corpus._read_articles
    monkeypatch.setattr(
        corpus,
        "_read_articles",
        lambda root, folders: parsed.append(folders) or real(root, folders),
    )
    warm = _report(project, cache=True)
    assert parsed == [[EXAMPLE]]  # only the changed article was parsed again
    assert warm == _report(project, cache=False)
    assert [code for code, *_ in warm] == ["not-in-enum"]
    project.edit_article("type: MEET", "type: CONSULT")
    assert _report(project, cache=True) == []


def test_a_schema_change_empties_the_cache(project: Project) -> None:
    read(project.root)
    schema = project.root / "schemas" / "events.schema.yaml"
    schema.write_text(schema.read_text().replace("CONSULT, ", ""))
    assert [code for code, *_ in _report(project, cache=True)] == ["not-in-enum"]


def test_a_damaged_cache_means_a_full_read(project: Project) -> None:
    read(project.root)
    for path in _cache.directory(project.root).iterdir():
        path.write_bytes(b"\x00garbage")
    assert _report(project, cache=True) == []


def test_parallel_read_equals_sequential_read(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = project.root / "corpus" / "articles"
    for i in range(3):
        shutil.copytree(articles / EXAMPLE, articles / f"2020-01-0{i + 2}-copy")
    monkeypatch.setattr(corpus, "PARALLEL_FROM", 1)
    monkeypatch.setattr(corpus, "_CHUNK", 1)
    sequential = read(project.root, cache=False, workers=1)
    parallel = read(project.root, cache=False, workers=2)
    for name, table in sequential.tables.items():
        assert parallel.tables[name].equals(table), name
    assert sorted(map(repr, parallel.findings)) == sorted(map(repr, sequential.findings))
