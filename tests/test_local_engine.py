"""The local engine's build: the corpus published a chunk of articles at a time into a spool, so
no published table is held whole, and the release the same as published whole."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from articlepack import _cachedir
from articlepack.builder import build
from articlepack.engine import local, validated
from articlepack.schema import article_tables, table_of
from conftest import ROOT
from custom_scheme import custom_project
from test_synth import _synth


def _files(release: Path) -> dict[str, str]:
    return {
        str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(release.rglob("*"))
        if p.is_file()
    }


def _project(which: str, tmp_path: Path) -> Path:
    if which == "bundled":
        return ROOT
    if which == "custom":
        return custom_project(tmp_path / "custom").root
    return Path(_synth().generate(tmp_path / "synth", 60, seed=5))


@pytest.mark.parametrize("which", ["bundled", "custom", "synthetic"])
def test_a_release_published_in_chunks_is_the_release_published_whole(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(which, tmp_path)
    whole = build(project, tmp_path / "whole")
    monkeypatch.setattr(local, "CHUNK", 2)  # the bundled corpus: 3 chunks; synthetic: 30
    chunked = build(project, tmp_path / "chunked")
    assert _files(chunked) == _files(whole)


@pytest.mark.parametrize("which", ["bundled", "custom"])
def test_no_table_is_held_whole_and_the_corpus_keeps_only_keys(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every article table comes a chunk of at most CHUNK articles at a time, after its first
    (the registry's rows, none of an article's), and the corpus the build keeps holds no text."""
    monkeypatch.setattr(local, "CHUNK", 2)
    project = _project(which, tmp_path)
    with validated(project) as run:
        schemas = run.corpus.schemas
        document = table_of(schemas, "document")
        articles = article_tables(schemas)
        for name in articles:
            parts = list(run.parts(name))
            assert parts[0].num_rows == 0
            ids = {
                frozenset(p.column("id" if name == document else "article_id").to_pylist())
                for p in parts[1:]
            }
            assert len(parts) == 1 + -(-run.corpus.n_articles // 2)
            assert all(len(chunk) <= 2 for chunk in ids)
        for name in articles:
            texts = {c for span in schemas[name].spans for c in (span.text, span.raw_start)}
            assert not texts & set(run.corpus.tables[name].columns)
        assert run.corpus.raw.height == 0


def test_the_spool_is_removed_when_a_build_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails while writing leaves no spooled files behind, and no release."""
    from articlepack.builder import documents

    project = custom_project(tmp_path / "custom").root
    cache = _cachedir.directory(project)

    def broken(*_args: object) -> None:
        assert list(cache.glob("spool-*/*.arrow"))  # the tables are spooled beside the cache
        raise RuntimeError("disk full")

    monkeypatch.setattr(documents, "write", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build(project, tmp_path / "out")
    assert not list(cache.glob("spool-*"))
    assert [p.name for p in (tmp_path / "out").iterdir() if not p.name.endswith(".lock")] == []


@pytest.mark.parametrize("which", ["bundled", "custom"])
def test_tables_with_a_row_per_article_are_written_a_few_articles_a_row_group(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The document table and ``documents`` hold whole texts (and every layer) a row: their row
    groups are of ARTICLE_GROUP_ROWS articles, so neither the writer nor a reader holds them all;
    the file's bytes do not depend on the chunks they were published in, and they load whole."""
    import pyarrow.parquet as pq

    import articlepack
    from articlepack.builder import parquet

    monkeypatch.setattr(parquet, "ARTICLE_GROUP_ROWS", 2)
    project = _project(which, tmp_path)
    whole = build(project, tmp_path / "whole")
    monkeypatch.setattr(local, "CHUNK", 3)  # chunks that do not end where row groups do
    chunked = build(project, tmp_path / "chunked")
    assert _files(chunked) == _files(whole)
    with validated(project) as run:
        document = table_of(run.corpus.schemas, "document") or ""
        articles, layer = run.corpus.n_articles, article_tables(run.corpus.schemas)[-1]
    groups = {
        name: pq.ParquetFile(whole / "data" / name / "train-00000-of-00001.parquet").metadata
        for name in (document, "documents", layer)
    }
    assert groups[document].num_row_groups == groups["documents"].num_row_groups
    assert groups["documents"].num_row_groups == -(-articles // 2)  # bundled: 3
    assert groups[layer].num_row_groups == 1
    loaded = articlepack.load("documents", release=whole, format="polars")
    assert loaded.height == articles
