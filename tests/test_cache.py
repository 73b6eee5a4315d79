"""The reader's cache: a warm read equals a cold one, and a changed article is read anew."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from articlepack import _articles, _cache, _cachedir, _cachefiles, _workers, corpus
from articlepack import checks as checks_module
from articlepack.checks import check, check_articles
from articlepack.corpus import read, read_checked
from conftest import EXAMPLE, EXAMPLE_WARNING, Project


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARTICLEPACK_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _report(project: Project, *, cache: bool) -> list[tuple[str, str, int | None, str]]:
    report = check(*read_checked(project.root, cache=cache))
    return [
        (f.code, f.file, f.line, f.message) for f in report.findings if f.code != EXAMPLE_WARNING
    ]


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
    real = _articles.read_chunk

    def spy(root: Path, jobs: list[tuple[str, str | None]], *args: Any) -> Any:
        chunk = real(root, jobs, *args)
        seen.append(([folder for folder, _ in jobs], chunk.same))
        return chunk

    monkeypatch.setattr(_articles, "read_chunk", spy)
    return seen


def test_warm_read_equals_cold_read(project: Project, reads: list[Any]) -> None:
    articles = project.root / "corpus" / "articles"
    shutil.copytree(
        articles / EXAMPLE, articles / "2020-01-02-second"
    )  # a second, mismatched article
    _settle(project)
    cold = read(project.root, cache=False)
    read(project.root)  # fills the cache
    assert (_cachedir.directory(project.root) / "manifest.json").is_file()
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


def test_parallel_read_equals_sequential_read(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = project.root / "corpus" / "articles"
    for i in range(3):
        shutil.copytree(articles / EXAMPLE, articles / f"2020-01-0{i + 2}-copy")
    monkeypatch.setattr(_workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(_articles, "CHUNK", 1)
    monkeypatch.setattr(_workers, "CHECK_FROM", 1)
    project.edit_article("type: CONSULT", "type: MEET")
    sequential = read(project.root, cache=False, workers=1)
    parallel, checked = read_checked(project.root, cache=False, workers=2, check=check_articles)
    for name, table in sequential.tables.items():
        assert parallel.tables[name].equals(table), name
    assert sorted(map(repr, parallel.findings)) == sorted(map(repr, sequential.findings))
    assert checked.found  # the workers ran the article checks
    assert check(parallel, checked).findings == check(sequential).findings
    assert "not-in-enum" in {f.code for f in check(parallel, checked).findings}


def test_the_cache_keeps_the_files_the_workers_wrote(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = project.root / "corpus" / "articles"
    copies = [f"2020-01-0{i + 2}-copy" for i in range(3)]
    for name in copies:
        shutil.copytree(articles / EXAMPLE, articles / name)
    monkeypatch.setattr(_workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(_articles, "CHUNK", 1)
    _settle(project)
    folder = _cachedir.directory(project.root)

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


def _copies(project: Project, n: int) -> list[str]:
    """Add ``n`` copies of the example article under new ids; return their folder names."""
    articles = project.root / "corpus" / "articles"
    copies = [f"2020-02-{i:02d}-copy" for i in range(1, n + 1)]
    for name in copies:
        shutil.copytree(articles / EXAMPLE, articles / name)
        project.edit(articles / name / "article.yaml", f"id: {EXAMPLE}", f"id: {name}")
    return copies


def test_a_few_changes_are_written_beside_the_cached_tables(project: Project) -> None:
    articles = project.root / "corpus" / "articles"
    copies = _copies(project, 23)
    _settle(project)
    read(project.root)
    folders = _cachedir.directory(project.root) / _cachefiles.FOLDERS

    def same_as_cold() -> None:
        _same_rows(read(project.root), read(project.root, cache=False))

    project.edit(articles / copies[3] / "article.yaml", "type: CONSULT", "type: MEET")
    same_as_cold()
    assert json.loads(folders.read_text())["superseded"] == [
        f"corpus/articles/{copies[3]}/{name}" for name in ("article.yaml", "raw.txt")
    ]
    assert (folders.parent / f"events{_cachefiles.DELTA}").is_file()
    shutil.rmtree(articles / copies[5])
    same_as_cold()
    assert len(json.loads(folders.read_text())["superseded"]) == 4
    for name in copies[6:10]:  # past the limit: the full tables are written again
        project.edit(articles / name / "article.yaml", "type: CONSULT", "type: MEET")
    same_as_cold()
    assert json.loads(folders.read_text())["superseded"] == []


# -- the cache is a convenience, never a source of truth ----------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _manifest(project: Project) -> dict[str, Any]:
    return dict(json.loads((_cachedir.directory(project.root) / _cachefiles.MANIFEST).read_text()))


def _table_file(project: Project, name: str) -> Path:
    return _cachedir.directory(project.root) / _manifest(project)["tables"][name][0]


def _warnings(read_: corpus.Corpus) -> list[str]:
    """The codes of the cache's warnings in a read."""
    return [f.code for f in read_.findings if f.code.startswith("cache-")]


def _rewrite(path: Path, **columns: Any) -> None:
    """Rewrite a cached Arrow table with other values in ``columns`` (a well-formed file)."""
    import polars as pl

    pl.read_ipc(path.read_bytes()).with_columns(**columns).write_ipc(path)


def _empty_findings(path: Path) -> None:
    data = json.loads(path.read_text())
    data["findings"] = {}
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("tampered", ["events table", _cachefiles.FOLDERS, _cachefiles.CHECKS])
def test_a_tampered_cache_file_is_discarded_and_reparsed_with_a_warning(
    project: Project, tampered: str
) -> None:
    import polars as pl

    project.edit_article("type: CONSULT", "type: MEET")  # a check finds this (checks.json)
    project.article.write_text(project.article.read_text() + "planted: 1\n")  # the reader (folders)
    _settle(project)
    code, data = project.validate()
    errors = sorted(e["code"] for e in data["errors"])
    assert code == 1 and errors == ["not-in-enum", "unknown-key"]
    folder = _cachedir.directory(project.root)
    if tampered == "events table":  # the rows the build would publish, made valid
        _rewrite(_table_file(project, "events"), type=pl.lit("CONSULT"))
    else:  # the findings of the project's articles hidden
        _empty_findings(folder / tampered)
    corpus_before = _tree(project.root)

    code, data = project.validate()
    assert code == 1
    assert sorted(e["code"] for e in data["errors"]) == sorted([*errors, "cache-discarded"])
    (warning,) = (e for e in data["errors"] if e["code"] == "cache-discarded")
    assert warning["severity"] == "warning" and warning["file"] == str(folder)
    assert "changed or went missing" in warning["message"]
    assert _tree(project.root) == corpus_before  # nothing outside the cache changed
    warm = read(project.root)  # the cache was written anew, and is used
    assert _warnings(warm) == []
    _same_rows(warm, read(project.root, cache=False))


def test_build_never_publishes_a_table_from_a_tampered_cache_file(
    project: Project, tmp_path: Path
) -> None:
    import polars as pl
    import pyarrow.parquet as pq

    from articlepack.builder import build

    _settle(project)
    title = read(project.root).tables["articles"]["title"].to_list()  # cached
    _rewrite(_table_file(project, "articles"), title=pl.lit("A planted headline"))
    release = build(project.root, tmp_path / "dist")
    articles = pq.read_table(release / "data/articles/train-00000-of-00001.parquet")
    assert articles["title"].to_pylist() == title


@pytest.mark.parametrize("kind", ["a table without a column", "a finding of an unknown code"])
def test_a_consistent_cache_of_another_shape_is_discarded(project: Project, kind: str) -> None:
    """As a development version of articlepack, whose version string is unchanged, may write."""
    import polars as pl

    from articlepack.verify import sha256_file

    _settle(project)
    cold = read(project.root, cache=False)
    read(project.root)
    folder = _cachedir.directory(project.root)
    if kind == "a table without a column":
        changed = _table_file(project, "articles")
        pl.read_ipc(changed.read_bytes()).drop("title").write_ipc(changed)
    else:
        changed = folder / _cachefiles.FOLDERS
        data = json.loads(changed.read_text())
        finding = {"code": "no-such-code", "file": "x", "message": "", "line": 1, "id": None}
        data["findings"] = {EXAMPLE: [{**finding, "path": []}]}
        changed.write_text(json.dumps(data))
    manifest = _manifest(project)
    manifest["files"][changed.name] = sha256_file(changed)  # consistent, hashes and all
    (folder / _cachefiles.MANIFEST).write_text(json.dumps(manifest))
    warm = read(project.root)
    assert _warnings(warm) == ["cache-discarded"]
    _same_rows(warm, cold)


@pytest.mark.parametrize("planted", ["relative", "absolute", "symlink"])
def test_a_planted_manifest_path_outside_the_cache_is_never_read(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planted: str
) -> None:
    import polars as pl

    from articlepack.verify import sha256_file

    _settle(project)
    cold = read(project.root, cache=False)
    read(project.root)
    folder = _cachedir.directory(project.root)
    outside = tmp_path / "elsewhere" / "articles.arrow"  # well-formed, with other rows
    outside.parent.mkdir()
    pl.read_ipc(_table_file(project, "articles").read_bytes()).with_columns(
        title=pl.lit("A planted headline")
    ).write_ipc(outside)
    name = {
        "relative": os.path.relpath(outside, folder),  # ../../elsewhere/articles.arrow
        "absolute": str(outside),
        "symlink": "articles-planted.arrow",
    }[planted]
    if planted == "symlink":
        (folder / name).symlink_to(outside)
    manifest = _manifest(project)
    manifest["tables"]["articles"] = [name]
    manifest["files"][name] = sha256_file(outside)  # a consistent manifest, as a planter writes
    (folder / _cachefiles.MANIFEST).write_text(json.dumps(manifest))
    before = outside.read_bytes()
    opened: list[Path] = []
    for module, function in ((_cache, "sha256_file"), (pl, "read_ipc")):
        real = getattr(module, function)

        def spy(path: Any, *args: Any, real: Any = real, **kwargs: Any) -> Any:
            opened.append(Path(path))
            return real(path, *args, **kwargs)

        monkeypatch.setattr(module, function, spy)

    warm = read(project.root)
    assert all(path.parent == folder or project.root in path.parents for path in opened)
    assert outside not in {path.resolve() for path in opened}
    assert _warnings(warm) == ["cache-discarded"]
    assert "outside its folder" in warm.findings[0].message or planted == "symlink"
    _same_rows(warm, cold)
    assert outside.read_bytes() == before  # left as it was


_FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), resource.RLIM_INFINITY))
from articlepack.checks import check
from articlepack.corpus import read
print(check(read(sys.argv[2], workers=int(sys.argv[3]))).to_json())
"""


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize(
    ("articles", "workers", "failing"),
    [(210, 2, "the reader's workers could not write"), (0, 1, "the cache cannot be written")],
    ids=["on-the-parallel-path", "when-the-read-is-saved"],
)
def test_a_full_cache_disk_gives_an_uncached_run(
    project: Project, cache_dir: Path, articles: int, workers: int, failing: str
) -> None:
    import subprocess
    import sys

    from test_synth import _synth

    root = _synth().generate(project.root.parent / "synth", articles) if articles else project.root
    corpus_before = _tree(root)
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(2 << 10), str(root), str(workers)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["valid"] is True
    found = [e for e in report["errors"] if e["code"] != EXAMPLE_WARNING]
    assert [(e["code"], e["severity"]) for e in found] == [("cache-unusable", "warning")]
    assert failing in found[0]["message"]
    folder = _cachedir.directory(root)
    assert {path.name for path in folder.iterdir()} <= {_cachedir.MARKER, _cachedir.LOCK}
    assert _tree(root) == corpus_before
    warm = read(root, workers=workers)  # with room again, the read is cached
    assert _warnings(warm) == [] and (folder / _cachefiles.MANIFEST).is_file()


def test_an_unwritable_cache_folder_gives_an_uncached_run(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"  # a folder below a file cannot be made, even by root
    blocker.write_text("the user's own file\n")
    monkeypatch.setenv("ARTICLEPACK_CACHE", str(blocker / "cache"))
    code, data = project.validate()
    assert code == 0 and [e["code"] for e in data["errors"]] == ["cache-unusable"]
    assert "cannot be made" in data["errors"][0]["message"]
    assert blocker.read_text() == "the user's own file\n"
    assert not list((tmp_path / "cache").glob("*"))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="no file owners here")
def test_a_cache_folder_others_may_write_is_never_used(project: Project) -> None:
    _settle(project)
    cold = read(project.root, cache=False)
    read(project.root)
    folder = _cachedir.directory(project.root)
    folder.chmod(0o777)  # anyone could have planted its files
    before = _tree(folder)
    warm = read(project.root)
    assert _warnings(warm) == ["cache-unusable"]
    assert "may be written by other users" in warm.findings[0].message
    _same_rows(warm, cold)
    assert _tree(folder) == before  # not used, not written, not deleted


def test_the_version_gate_leaves_no_cache_folder_behind(project: Project, cache_dir: Path) -> None:
    from test_diff import add_article, commit, git, run

    git(project.root, "init", "-q", "-b", "main")
    commit(project, "First release", "v0.1.0")
    add_article(project)
    for _ in range(2):
        code, data = project.validate("--against", "v0.1.0")
        assert code == 1 and data["version_gate"]["required_version"] == "0.2.0"
    code, output = run("diff", "v0.1.0", str(project.root), "--project", str(project.root))
    assert code == 0, output
    assert list(cache_dir.iterdir()) == [_cachedir.directory(project.root)]  # the project's own


def _used(folder: Path, hours_ago: float) -> None:
    then = time.time() - hours_ago * 3600
    os.utime(folder / _cachedir.MARKER, (then, then))


def test_the_cache_evicts_the_least_recently_used_project_past_its_bound(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import filelock

    import articlepack

    projects = [articlepack.init(tmp_path / name) for name in ("a", "b", "c")]
    folders = [_cachedir.directory(root) for root in projects]
    for root in projects[:2]:
        read(root)
    _used(folders[0], hours_ago=2)
    _used(folders[1], hours_ago=1)
    older = cache_dir / ("0" * 24)  # an older articlepack's folder: a manifest, no marker
    older.mkdir()
    (older / _cachefiles.MANIFEST).write_text("{}")
    os.utime(older / _cachefiles.MANIFEST, (time.time() - 3 * 3600,) * 2)
    foreign = {  # what articlepack did not write is never removed, however old
        "notes.txt": "the user's own file",
        f"{'f' * 24}/data.bin": "a folder without articlepack's marker",
        "mine/manifest.json": "{}",
    }
    for name, text in foreign.items():
        (cache_dir / name).parent.mkdir(exist_ok=True)
        (cache_dir / name).write_text(text)
        os.utime(cache_dir / name, (0, 0))
    size = _cachedir.size(folders[0])
    monkeypatch.setenv("ARTICLEPACK_CACHE_MAX_BYTES", str(size * 5 // 2))  # two projects fit

    read(projects[2])
    assert not older.exists() and not folders[0].exists()  # the least recently used
    assert folders[1].is_dir() and folders[2].is_dir()

    monkeypatch.setenv("ARTICLEPACK_CACHE_MAX_BYTES", "0")
    with filelock.FileLock(folders[2] / _cachedir.LOCK):  # another run is using c's cache
        Project(projects[1]).edit_article("type: CONSULT", "type: MEET")
        read(projects[1])
    assert folders[1].is_dir() and folders[2].is_dir()  # b is being written; c is in use
    Project(projects[1]).edit_article("type: MEET", "type: CONSULT")
    read(projects[1])
    assert folders[1].is_dir() and not folders[2].exists()
    assert {name: (cache_dir / name).read_text() for name in foreign} == foreign


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", 2 << 30), ("1000", 1000), ("512M", 512 << 20), ("3 GiB", 3 << 30), ("lots", 2 << 30)],
)
def test_the_cache_bound_is_read_from_the_environment_at_call_time(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: int
) -> None:
    monkeypatch.setenv("ARTICLEPACK_CACHE_MAX_BYTES", value)
    assert _cachedir.max_bytes() == expected


def test_the_cache_lives_in_the_platforms_user_cache_folder(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.delenv("ARTICLEPACK_CACHE")
    user = Path(platformdirs.user_cache_dir("articlepack", appauthor=False))
    assert _cachedir.directory(project.root).parent == user
    read(project.root)
    assert (_cachedir.directory(project.root) / _cachefiles.MANIFEST).is_file()


def test_a_read_saved_meanwhile_by_another_run_is_kept(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = project.root / "corpus" / "articles"
    copies = _copies(project, 11)
    _settle(project)
    read(project.root)
    real = _cache.Store.save

    def another_run_first(store: _cache.Store, *args: Any) -> None:
        monkeypatch.setattr(_cache.Store, "save", real)
        for name in copies[1:4]:  # enough changes that the other run rewrites the tables
            project.edit(articles / name / "article.yaml", "type: CONSULT", "type: MEET")
        read(project.root)
        real(store, *args)

    monkeypatch.setattr(_cache.Store, "save", another_run_first)
    project.edit(articles / copies[0] / "article.yaml", "type: CONSULT", "type: MEET")
    read(project.root)  # its save would list table files the other run removed
    warm = read(project.root)
    assert _warnings(warm) == []
    _same_rows(warm, read(project.root, cache=False))


def test_a_killed_runs_worker_files_are_removed_by_a_later_save(project: Project) -> None:
    read(project.root)
    folder = _cachedir.directory(project.root)
    left, live = folder / "spool-killed", folder / "spool-live"
    for spool in (left, live):
        spool.mkdir()
        (spool / "mentions-x.arrow").write_bytes(b"\0" * 1000)
    then = time.time() - _cachefiles.STALE_SPOOL_S - 60
    os.utime(left, (then, then))
    project.edit_article("type: CONSULT", "type: MEET")
    read(project.root)  # a save
    assert not left.exists() and live.is_dir()


def test_a_run_that_waits_too_long_for_the_lock_goes_uncached(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import filelock

    _settle(project)
    read(project.root)
    folder = _cachedir.directory(project.root)
    monkeypatch.setattr(_cachedir, "LOCK_TIMEOUT", 0.1)
    before = _tree(folder)
    with filelock.FileLock(folder / _cachedir.LOCK):  # another run, stuck
        warm = read(project.root)
    assert _warnings(warm) == ["cache-unusable"]
    assert "another run held its lock" in warm.findings[0].message
    _same_rows(warm, read(project.root, cache=False))
    assert _tree(folder) == before


def test_a_cache_file_rewritten_with_its_old_size_and_mtime_is_still_hashed(
    tmp_path: Path,
) -> None:
    """A file whose recorded stat still holds is not hashed again (the wrong sha256 below goes
    unread); one rewritten in place with its size and mtime put back has a new ctime, so it is."""
    table = tmp_path / "events-1.arrow"
    table.write_bytes(b"rows the cache wrote")
    old = time.time_ns() - 10 * _cachefiles.RACY_NS
    os.utime(table, ns=(old, old))
    digests = {"events-1.arrow": "0" * 64, _cachefiles.FOLDERS: "0" * 64}
    (tmp_path / _cachefiles.FOLDERS).write_text("{}")
    manifest = _cachefiles._stated(tmp_path, {"files": digests})
    assert set(manifest["stats"]) == {"events-1.arrow"}  # folders.json is too young to trust
    with pytest.raises(_cachefiles.Discarded, match=_cachefiles.FOLDERS):
        _cachefiles._verify(tmp_path, digests, manifest["stats"])  # hashed: its sha256 differs

    digests[_cachefiles.FOLDERS] = _cachefiles._sha256(tmp_path / _cachefiles.FOLDERS)
    _cachefiles._verify(tmp_path, digests, manifest["stats"])  # the table's stat holds: unread
    time.sleep(0.01)
    table.write_bytes(b"rows planted by hand")  # same size
    os.utime(table, ns=(old, old))
    with pytest.raises(_cachefiles.Discarded, match=r"events-1\.arrow"):
        _cachefiles._verify(tmp_path, digests, manifest["stats"])
