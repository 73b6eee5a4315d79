"""The reader's cache: a warm read equals a cold one, and a changed article is read anew."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from articlepack import _cache, corpus
from articlepack import checks as checks_module
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


def _same_rows(warm: corpus.Corpus, cold: corpus.Corpus) -> None:
    """The same rows in every table (a warm read puts the rows it read anew last)."""
    for name, table in [*cold.tables.items(), ("raw", cold.raw)]:
        other = warm.raw if name == "raw" else warm.tables[name]
        assert other.sort(other.columns).equals(table.sort(table.columns)), name


def _settle(project: Project) -> None:
    """Date every corpus file an hour back: older than the racy window of any later read."""
    then = time.time() - 3600
    for path in [project.root / "corpus", *(project.root / "corpus").rglob("*")]:
        os.utime(path, (then, then))


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], list[str]]]:
    """Each chunk of folders read from disk: (folders read, folders whose YAML was unchanged)."""
    seen: list[tuple[list[str], list[str]]] = []
    real = corpus._read_chunk

    def spy(root: Path, jobs: list[tuple[str, str | None]], *args: Any) -> Any:
        chunk = real(root, jobs, *args)
        seen.append(([folder for folder, _ in jobs], chunk.same))
        return chunk

    monkeypatch.setattr(corpus, "_read_chunk", spy)
    return seen


def test_warm_read_equals_cold_read(project: Project, reads: list[Any]) -> None:
    articles = project.root / "corpus" / "articles"
    shutil.copytree(
        articles / EXAMPLE, articles / "2020-01-02-second"
    )  # a second, mismatched article
    _settle(project)
    cold = read(project.root, cache=False)
    read(project.root)  # fills the cache
    assert (_cache.directory(project.root) / "manifest.json").is_file()
    reads.clear()
    warm = read(project.root)
    assert reads == []  # nothing was read again
    _same_rows(warm, cold)
    assert sorted(map(repr, warm.findings)) == sorted(map(repr, cold.findings))


def test_a_changed_article_is_read_again(project: Project, reads: list[Any]) -> None:
    _settle(project)
    assert _report(project, cache=True) == []
    project.edit_article("type: CONSULT", "type: MEET")
    reads.clear()
    warm = _report(project, cache=True)
    assert reads == [([EXAMPLE], [])]  # only the changed article was read and parsed again
    assert warm == _report(project, cache=False)
    assert [code for code, *_ in warm] == ["not-in-enum"]
    project.edit_article("type: MEET", "type: CONSULT")
    assert _report(project, cache=True) == []


def test_a_touched_article_is_not_parsed_again(project: Project, reads: list[Any]) -> None:
    _settle(project)
    cold = read(project.root)
    os.utime(project.article)  # a new mtime, the same bytes
    reads.clear()
    warm = read(project.root)
    assert reads == [([EXAMPLE], [EXAMPLE])]  # read again, but its YAML was not parsed
    _same_rows(warm, cold)


def test_a_same_size_change_with_the_old_mtime_is_seen(project: Project) -> None:
    _settle(project)
    assert _report(project, cache=True) == []
    before = project.article.stat()
    project.edit_article("type: CONSULT", "type: MEETxxx")  # as long as before
    os.utime(project.article, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert project.article.stat().st_size == before.st_size
    assert [code for code, *_ in _report(project, cache=True)] == ["not-in-enum"]


def test_a_file_changed_just_after_a_read_is_read_again(project: Project) -> None:
    assert _report(project, cache=True) == []  # files written just now: within the racy window
    project.edit_article("type: CONSULT", "type: MEET")
    assert [code for code, *_ in _report(project, cache=True)] == ["not-in-enum"]


def test_cached_folders_still_report_new_strays_and_changed_raw(project: Project) -> None:
    _settle(project)
    assert _report(project, cache=True) == []
    folder = project.article.parent
    (folder / "notes.txt").write_text("scratch")
    raw = folder / "raw.txt"
    raw.write_text(raw.read_text(encoding="utf-8") + " ", encoding="utf-8")
    codes = {code for code, *_ in _report(project, cache=True)}
    assert {"stray-file", "hash-mismatch"} <= codes
    assert _report(project, cache=True) == _report(project, cache=False)


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
    monkeypatch.setattr(corpus, "_CHECK_FROM", 1)
    project.edit_article("type: CONSULT", "type: MEET")
    sequential = read(project.root, cache=False, workers=1)
    parallel = read(project.root, cache=False, workers=2)
    for name, table in sequential.tables.items():
        assert parallel.tables[name].equals(table), name
    assert sorted(map(repr, parallel.findings)) == sorted(map(repr, sequential.findings))
    assert not sequential.checked and parallel.checked  # the workers ran the article checks
    assert check(parallel).findings == check(sequential).findings
    assert "not-in-enum" in {f.code for f in check(parallel).findings}


def test_the_cache_keeps_the_files_the_workers_wrote(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = project.root / "corpus" / "articles"
    copies = [f"2020-01-0{i + 2}-copy" for i in range(3)]
    for name in copies:
        shutil.copytree(articles / EXAMPLE, articles / name)
    monkeypatch.setattr(corpus, "PARALLEL_FROM", 1)
    monkeypatch.setattr(corpus, "_CHUNK", 1)
    _settle(project)
    folder = _cache.directory(project.root)

    def files() -> tuple[dict[str, list[str]], list[str]]:
        tables = json.loads((folder / "manifest.json").read_text())["tables"]
        return tables, sorted(path.name for path in folder.iterdir() if path.suffix == ".arrow")

    parallel = read(project.root, workers=2)
    tables, on_disk = files()
    assert len(tables["mentions"]) == 4  # a file from each of four chunks, kept as written
    assert on_disk == sorted(file for names in tables.values() for file in names)
    assert not [path for path in folder.iterdir() if path.is_dir()]  # the spool is gone
    _same_rows(read(project.root, workers=2), parallel)  # the same, from those files

    for name in copies:  # past the delta limit: the tables are written whole, in one file each
        project.edit(articles / name / "article.yaml", "type: CONSULT", "type: MEET")
    _same_rows(read(project.root, workers=1), read(project.root, cache=False))
    tables, on_disk = files()
    assert {len(names) for names in tables.values()} == {1}
    assert on_disk == sorted(file for names in tables.values() for file in names)  # no old ones


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The article folders each run of the per-article checks looked at."""
    seen: list[set[str]] = []
    real = checks_module.check_articles

    def spy(corpus: Any) -> Any:
        seen.append({file.split("/")[2] for file in corpus.tables["articles"]["_file"]})
        return real(corpus)

    monkeypatch.setattr(checks_module, "check_articles", spy)
    return seen


def test_unchanged_articles_keep_their_cached_findings(
    project: Project, checked: list[set[str]]
) -> None:
    articles = project.root / "corpus" / "articles"
    second = "2020-01-02-second"
    shutil.copytree(articles / EXAMPLE, articles / second)
    project.edit(articles / second / "article.yaml", f"id: {EXAMPLE}", f"id: {second}")
    project.edit_article("type: CONSULT", "type: MEET")  # a finding in the first article
    _settle(project)
    cold = _report(project, cache=True)
    assert [code for code, *_ in cold] == ["not-in-enum"]
    checked.clear()
    assert _report(project, cache=True) == cold
    assert not any(checked)  # nothing was checked again
    project.edit(articles / second / "article.yaml", "type: CONSULT", "type: MEET")
    warm = _report(project, cache=True)
    assert checked[-1] == {second}  # only the changed article was checked again
    assert warm == _report(project, cache=False)
    assert [code for code, *_ in warm] == ["not-in-enum", "not-in-enum"]


def test_articles_sharing_an_id_are_checked_together(
    project: Project, checked: list[set[str]]
) -> None:
    _settle(project)
    assert _report(project, cache=True) == []
    articles = project.root / "corpus" / "articles"
    shutil.copytree(articles / EXAMPLE, articles / "2020-01-02-copy")  # the same id inside
    codes = {code for code, *_ in _report(project, cache=True)}
    assert checked[-1] == {EXAMPLE, "2020-01-02-copy"}  # one id in two folders: all checked
    assert {"id-folder-mismatch", "duplicate-id"} <= codes


def test_a_few_changes_are_written_beside_the_cached_tables(project: Project) -> None:
    articles = project.root / "corpus" / "articles"
    copies = [f"2020-02-{i:02d}-copy" for i in range(1, 24)]
    for name in copies:
        shutil.copytree(articles / EXAMPLE, articles / name)
        project.edit(articles / name / "article.yaml", f"id: {EXAMPLE}", f"id: {name}")
    _settle(project)
    read(project.root)
    manifest = _cache.directory(project.root) / "manifest.json"

    def same_as_cold() -> None:
        _same_rows(read(project.root), read(project.root, cache=False))

    project.edit(articles / copies[3] / "article.yaml", "type: CONSULT", "type: MEET")
    same_as_cold()
    assert json.loads(manifest.read_text())["superseded"] == [
        f"corpus/articles/{copies[3]}/{name}" for name in ("article.yaml", "raw.txt")
    ]
    assert (manifest.parent / f"events{_cache.DELTA}").is_file()
    shutil.rmtree(articles / copies[5])
    same_as_cold()
    assert len(json.loads(manifest.read_text())["superseded"]) == 4
    for name in copies[6:10]:  # past the limit: the full tables are written again
        project.edit(articles / name / "article.yaml", "type: CONSULT", "type: MEET")
    same_as_cold()
    assert json.loads(manifest.read_text())["superseded"] == []
