"""`articlepack build`: a release that datasets, frictionless and mlcroissant all accept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from articlepack.builder import build
from conftest import ROOT, TABLES, Project, frictionless, mlcroissant


@pytest.fixture(params=["template", "corpus"])
def release(request: pytest.FixtureRequest, project: Project, tmp_path: Path) -> Path:
    """A release of the `init` template, and one of the bundled Russia–Syria corpus."""
    return build(project.root if request.param == "template" else ROOT, tmp_path / "dist")


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_load_dataset_reads_every_table_with_its_features(release: Path) -> None:
    import datasets

    from articlepack.schema import load_schemas

    schemas = load_schemas(ROOT / "schemas")
    loaded = {t: datasets.load_dataset(str(release), t, split="train") for t in TABLES}
    for table, ds in loaded.items():
        assert ds.features == schemas[table].features(), table
    rows = json.loads((release / "datapackage.json").read_text())["x-articlepack"]["files"]
    tables = {f["path"].split("/")[1] for f in rows if f["path"].startswith("data/")}
    assert tables == {*TABLES, "documents"}  # and the documents table derived from them
    assert loaded["articles"].num_rows in (1, 5)
    text = {a["id"]: a["text"] for a in loaded["articles"]}
    spans = [(m, "start", "end", "text") for m in loaded["mentions"]]
    spans += [(e, "trigger_start", "trigger_end", "trigger") for e in loaded["events"]]
    spans += [(q, "content_start", "content_end", "content") for q in loaded["quotes"]]
    spans += [(q, "cue_start", "cue_end", "cue") for q in loaded["quotes"]]
    spans += [
        (e, "date_evidence_start", "date_evidence_end", "date_evidence") for e in loaded["events"]
    ]
    spans += [(s, "start", "end", "text") for s in loaded["segments"]]
    checked = 0
    for row, start, end, value in spans:
        if row[start] is not None:
            assert text[row["article_id"]][row[start] : row[end]] == row[value]
            checked += 1
    assert checked >= 10
    assert loaded["events"].features["type"].names[loaded["events"][0]["type"]] in (
        "CONSULT",
        "AGREE",
        "ACCUSE",
        "ASSAULT",
        "REJECT",
        "REQUEST",
        "SUPPORT",
        "COOPERATE",
        "AID",
        "MOBILIZE",
        "PROTEST",
        "THREATEN",
        "SANCTION",
        "COERCE",
        "CONCEDE",
        "RETREAT",
    )


def test_frictionless_validates_the_package_with_foreign_keys(
    release: Path, project: Project
) -> None:
    code, report = frictionless(release)
    assert code == 0 and report["valid"], json.dumps(report)[-2000:]
    # The package declares foreign keys, and frictionless does check them: break one and see it fail.
    import pyarrow.parquet as pq

    path = release / "data/mentions/train-00000-of-00001.parquet"
    table = pq.read_table(path)
    import pyarrow as pa

    ids = table.column("entity_id").to_pylist()
    pq.write_table(
        table.set_column(
            table.schema.get_field_index("entity_id"), "entity_id", pa.array(["nobody", *ids[1:]])
        ),
        path,
    )
    code, report = frictionless(release)
    assert code == 1 and "foreign-key" in json.dumps(report)


def test_each_table_is_one_parquet_file(release: Path) -> None:
    """frictionless 5.21 reads only the first file of a multipart Parquet resource: a table in
    several files would be checked in part, and its foreign keys reported missing."""
    resources = json.loads((release / "datapackage.json").read_text())["resources"]
    for resource in resources:
        assert isinstance(resource["path"], str), resource["name"]
        assert len(list((release / "data" / resource["name"]).iterdir())) == 1


def test_mlcroissant_validates_and_reads_records(release: Path) -> None:
    done = mlcroissant(release)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "WARNING" not in done.stderr and "ERROR" not in done.stderr
    import mlcroissant as mlc

    records = list(mlc.Dataset(jsonld=release / "croissant.json").records(record_set="mentions"))
    import pyarrow.parquet as pq

    expected = (
        pq.read_table(release / "data/mentions/train-00000-of-00001.parquet")
        .column("text")
        .to_pylist()
    )
    assert [r["mentions/text"].decode() for r in records] == expected


def test_rebuild_is_byte_identical(project: Project, tmp_path: Path) -> None:
    git = ["git", "-C", str(project.root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run(
        [*git, "commit", "-qm", "corpus", "--date", "2021-05-06T07:08:09Z"],
        check=True,
        env={**os.environ, "GIT_COMMITTER_DATE": "2021-05-06T07:08:09Z"},
    )
    first = _files(build(project.root, tmp_path / "a"))
    os.utime(project.article)  # touching a file changes no byte: the time is the last commit's
    second = _files(build(project.root, tmp_path / "b"))
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    assert json.loads(first["datapackage.json"])["created"] == "2021-05-06T07:08:09Z"


def test_source_date_epoch_sets_the_release_time(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    release = build(project.root, tmp_path / "dist")
    assert (
        json.loads((release / "datapackage.json").read_text())["created"] == "2020-09-13T12:26:40Z"
    )


def test_invalid_corpus_writes_nothing(
    project: Project, tmp_path: Path, cli: Callable[..., object]
) -> None:
    project.edit_article("type: CONSULT", "type: MEET")
    out = tmp_path / "dist"
    result = cli("build", str(project.root), "--out", str(out), "--quiet")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "not-in-enum" in result.output  # type: ignore[attr-defined]
    assert not out.exists() or list(out.iterdir()) == []


def test_rebuild_replaces_release_and_cleans_up(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = build(project.root, out)
    project.edit_article("tags: [World]", "tags: [World, Politics]")
    second = build(project.root, out)
    assert first == second
    # the release and the lock that builds into the same folder take turns on
    assert sorted(p.name for p in out.iterdir()) == [f".{first.name}.lock", first.name]


_SLOW_BUILD = """
import sys, time
import articlepack.builder.parquet as parquet
real, written = parquet.write_table, []
def slow(root, name, table, *rest):
    out = real(root, name, table, *rest)
    written.append(name)
    if len(written) == int(sys.argv[3]):
        print("ready", flush=True)
        time.sleep(60)
    return out
parquet.write_table = slow
from articlepack.builder import build
build(sys.argv[1], sys.argv[2])
"""


@pytest.mark.parametrize("after_tables", [1, 3], ids=["after-first-table", "after-third-table"])
def test_killed_build_leaves_previous_release_intact(
    project: Project, tmp_path: Path, after_tables: int
) -> None:
    out = tmp_path / "dist"
    previous = build(project.root, out)
    before = _files(previous)
    project.edit_article("tags: [World]", "tags: [World, Politics]")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_BUILD, str(project.root), str(out), str(after_tables)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _files(previous) == before
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == [previous.name]
    # The next build cleans the partial folder away and succeeds.
    build(project.root, out)
    assert sorted(p.name for p in out.iterdir()) == [f".{previous.name}.lock", previous.name]


def test_empty_tables_keep_their_declared_types(project: Project, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    text = project.article.read_text(encoding="utf-8")
    project.article.write_text(text[: text.index("quotes:")], encoding="utf-8")
    release = build(project.root, tmp_path / "dist")
    from articlepack.schema import load_schemas

    declared = load_schemas(project.root / "schemas")["quotes"].arrow()
    table = pq.read_table(release / "data/quotes/train-00000-of-00001.parquet")
    assert table.num_rows == 0
    assert table.schema.equals(declared)
    # An all-empty list column (`source_credited: []` in every article) keeps list<string>.
    articles = pq.read_table(release / "data/articles/train-00000-of-00001.parquet")
    assert str(articles.schema.field("source_credited").type) == "list<element: string>"


def test_standoff_articles_publish_no_text(project: Project, tmp_path: Path) -> None:
    import datasets

    project.edit_article("distribution: full", "distribution: standoff")
    release = build(project.root, tmp_path / "dist")
    article = datasets.load_dataset(str(release), "articles", split="train")[0]
    mentions = datasets.load_dataset(str(release), "mentions", split="train")
    assert article["text"] is None and article["title"]
    assert set(mentions["text"]) == {None} and set(mentions["start"]) == {None}
    assert mentions["raw_start"][0] == 121
