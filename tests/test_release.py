"""Releases after the build: verify and load in every format (the Hub: test_hub_roundtrip.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import articlepack
from articlepack.errors import IntegrityError
from conftest import TABLES


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


def test_info_reports_name_version_counts_and_citation(release: Path) -> None:
    info = articlepack.info(release)
    assert (info.name, info.version) == ("example-news-corpus", "0.1.0")
    assert info.tables["mentions"] == 5 and "cff-version" in info.citation
