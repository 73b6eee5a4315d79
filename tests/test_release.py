"""Releases after the build: verify, load in every format, and publish to a stood-in Hub."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import articlepack
from articlepack.builder import build
from articlepack.errors import IntegrityError, PublishError
from articlepack.publish import publish
from articlepack.schema import TABLES


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = articlepack.init(tmp_path_factory.mktemp("p") / "project")
    return build(project, tmp_path_factory.mktemp("dist"))


@pytest.fixture
def release(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / built.name))


# -- verify --------------------------------------------------------------------------------------


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


TAMPER: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "flipped-byte",
        lambda r: _flip(r / "data/mentions/train-00000-of-00001.parquet"),
        "data/mentions/train-00000-of-00001.parquet has changed",
    ),
    ("deleted-file", lambda r: (r / "CITATION.cff").unlink(), "CITATION.cff is missing"),
    (
        "added-file",
        lambda r: (r / "data/mentions/extra.parquet").write_bytes(b"x"),
        "data/mentions/extra.parquet is not part of the release",
    ),
    ("edited-card", lambda r: (r / "README.md").write_text("---\n---\n"), "README.md has changed"),
]


@pytest.mark.parametrize(("tamper", "message"), [t[1:] for t in TAMPER], ids=[t[0] for t in TAMPER])
def test_verify_names_each_tampered_file(
    release: Path, cli: Callable[..., Any], tamper: Callable[[Path], None], message: str
) -> None:
    assert cli("verify", str(release)).exit_code == 0
    tamper(release)
    result = cli("verify", str(release))
    assert result.exit_code == 1
    assert message in result.output


def test_verify_of_a_folder_that_is_no_release_exits_2(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    result = cli("verify", str(tmp_path))
    assert result.exit_code == 2 and "datapackage.json is missing" in result.output


# -- load ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["datasets", "pandas", "polars", "arrow"])
def test_load_every_table_in_every_format(release: Path, fmt: str) -> None:
    rows = articlepack.info(release).tables
    for table in TABLES:
        data = articlepack.load(table, release=release, format=fmt)  # type: ignore[arg-type]
        assert len(data) == rows[table] if fmt != "arrow" else data.num_rows == rows[table]


def test_load_offsets_index_the_text(release: Path) -> None:
    articles = articlepack.load(release=release, format="polars")
    mentions = articlepack.load("mentions", release=release, format="polars")
    text = dict(zip(articles["id"], articles["text"], strict=True))
    for m in mentions.iter_rows(named=True):
        assert text[m["article_id"]][m["start"] : m["end"]] == m["text"]


def test_load_refuses_a_tampered_file(release: Path) -> None:
    _flip(release / "data/events/train-00000-of-00001.parquet")
    with pytest.raises(IntegrityError, match=r"data/events/train-00000-of-00001\.parquet"):
        articlepack.load("events", release=release, format="arrow")
    articlepack.load("mentions", release=release, format="arrow")  # other tables still load


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"table": "people"}, "unknown table 'people'; choose one of: articles"),
        ({"format": "csv"}, "unknown format 'csv'; choose one of: datasets, pandas, polars, arrow"),
    ],
    ids=["table", "format"],
)
def test_load_rejects_unknown_names(release: Path, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        articlepack.load(release=release, **kwargs)  # type: ignore[arg-type]


def test_load_from_the_hub_downloads_only_the_table(
    release: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the network call is stood in for: snapshot_download returns a local copy of the release.
    calls: list[dict[str, Any]] = []

    def snapshot_download(**kwargs: Any) -> str:
        calls.append(kwargs)
        return str(release)

    monkeypatch.setattr("huggingface_hub.snapshot_download", snapshot_download)
    events = articlepack.load("events", repo="org/name", revision="v0.1.0")
    assert events.num_rows == 1
    assert calls == [
        {
            "repo_id": "org/name",
            "repo_type": "dataset",
            "revision": "v0.1.0",
            "allow_patterns": ["datapackage.json", "README.md", "data/events/*"],
        }
    ]
    _flip(release / "data/events/train-00000-of-00001.parquet")
    with pytest.raises(IntegrityError):
        articlepack.load("events", repo="org/name", revision="v0.1.0")


def test_info_reports_name_version_counts_and_citation(release: Path) -> None:
    info = articlepack.info(release)
    assert (info.name, info.version) == ("example-news-corpus", "0.1.0")
    assert info.tables["mentions"] == 5 and "cff-version" in info.citation


# -- publish -------------------------------------------------------------------------------------


class FakeHub:
    """Stands in for the Hub's network calls only; records what the real HfApi would send."""

    def __init__(self, tags: list[str] | None = None, files: list[str] | None = None) -> None:
        self.tags, self.files, self.calls = tags or [], files or [".gitattributes"], []

    def create_repo(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_repo", repo_id, kwargs))

    def list_repo_refs(self, repo_id: str, **kwargs: Any) -> Any:
        return SimpleNamespace(tags=[SimpleNamespace(name=t) for t in self.tags])

    def repo_info(self, repo_id: str, **kwargs: Any) -> Any:
        return SimpleNamespace(sha="parent123")

    def list_repo_files(self, repo_id: str, **kwargs: Any) -> list[str]:
        return self.files

    def create_commit(self, repo_id: str, operations: list[Any], **kwargs: Any) -> Any:
        self.calls.append(("create_commit", repo_id, operations, kwargs))
        return SimpleNamespace(oid="commit456")

    def create_tag(self, repo_id: str, **kwargs: Any) -> None:
        self.calls.append(("create_tag", repo_id, kwargs))


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    fake = FakeHub()
    for name in (
        "create_repo",
        "list_repo_refs",
        "repo_info",
        "list_repo_files",
        "create_commit",
        "create_tag",
    ):
        monkeypatch.setattr(
            f"huggingface_hub.HfApi.{name}",
            lambda self, *a, _n=name, **k: getattr(fake, _n)(*a, **k),
        )
    monkeypatch.setenv("HF_TOKEN", "hf_secret_token_value")
    return fake


def test_publish_is_one_commit_on_the_checked_parent_then_a_tag(
    release: Path, hub: FakeHub
) -> None:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    hub.files = [".gitattributes", "data/old/train-00000-of-00001.parquet"]
    plan = publish(release, "org/name")
    commits = [c for c in hub.calls if c[0] == "create_commit"]
    assert len(commits) == 1
    _, repo, operations, kwargs = commits[0]
    added = sorted(op.path_in_repo for op in operations if isinstance(op, CommitOperationAdd))
    deleted = [op.path_in_repo for op in operations if isinstance(op, CommitOperationDelete)]
    released = sorted(p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file())
    assert repo == "org/name" and added == released
    assert deleted == ["data/old/train-00000-of-00001.parquet"]
    assert kwargs["parent_commit"] == "parent123" and kwargs["repo_type"] == "dataset"
    assert hub.calls[-1] == (
        "create_tag",
        "org/name",
        {
            "tag": "v0.1.0",
            "revision": "commit456",
            "repo_type": "dataset",
            "tag_message": "Release 0.1.0",
        },
    )
    assert plan.commit == "commit456"


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (["v0.1.0"], "tag v0.1.0 already exists"),
        (["v0.0.9", "v0.2.0"], "not newer than the Hub's latest tag v0.2.0"),
    ],
    ids=["existing-tag", "older-version"],
)
def test_publish_refuses_existing_or_older_versions(
    release: Path, hub: FakeHub, tags: list[str], message: str
) -> None:
    hub.tags = tags
    with pytest.raises(PublishError, match=message):
        publish(release, "org/name")
    assert not [c for c in hub.calls if c[0] in ("create_commit", "create_tag")]


def test_publish_refuses_an_unverified_release(release: Path, hub: FakeHub) -> None:
    _flip(release / "data/quotes/train-00000-of-00001.parquet")
    with pytest.raises(PublishError, match="fails verify"):
        publish(release, "org/name")
    assert hub.calls == []


def test_dry_run_touches_nothing_and_needs_no_token(
    release: Path, hub: FakeHub, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN")
    result = cli("publish", str(release), "--repo", "org/name", "--dry-run")
    assert result.exit_code == 0 and hub.calls == []
    assert "would commit 12 files" in result.output and "tag v0.1.0" in result.output


def test_publish_without_a_token_says_how_to_get_one(
    release: Path, hub: FakeHub, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.setattr("huggingface_hub.get_token", lambda: None)
    result = cli("publish", str(release), "--repo", "org/name")
    assert result.exit_code == 1 and "HF_TOKEN" in result.output and hub.calls == []


def test_the_token_never_appears_in_output(
    release: Path, hub: FakeHub, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("401 Unauthorized for token hf_secret_token_value")

    monkeypatch.setattr(hub, "create_commit", refuse)
    result = cli("publish", str(release), "--repo", "org/name")
    assert result.exit_code == 1 and "Unauthorized" in result.output
    assert "hf_secret_token_value" not in result.output
    ok = cli("publish", str(release), "--repo", "org/name", "--dry-run")
    assert "hf_secret_token_value" not in ok.output
    assert not any(
        "hf_secret_token_value" in p.read_text(errors="ignore")
        for p in release.rglob("*")
        if p.is_file()
    )
