"""The provenance datacard: Hub conventions, staleness checks, and numbers that match the data."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from articlepack.builder import build
from conftest import ROOT


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("dist"))


def test_committed_card_is_up_to_date(cli: Callable[..., Any]) -> None:
    result = cli("card", str(ROOT), "--check")
    assert result.exit_code == 0, result.output


def test_check_fails_after_a_corpus_change_until_refreshed(
    repo_copy: Path, cli: Callable[..., Any]
) -> None:
    article = next((repo_copy / "corpus" / "articles").glob("2016-01-28-*/article.yaml"))
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace("credited: [AFP]", "credited: [AFP, Reuters]"), encoding="utf-8"
    )
    stale = cli("card", str(repo_copy), "--check")
    assert stale.exit_code == 1 and "sources" in stale.output
    prose = (repo_copy / "datacard.md").read_text(encoding="utf-8").split("## Sources")[0]
    assert cli("card", str(repo_copy)).exit_code == 0
    assert cli("card", str(repo_copy), "--check").exit_code == 0
    refreshed = (repo_copy / "datacard.md").read_text(encoding="utf-8")
    assert refreshed.startswith(prose)  # the prose people wrote is untouched
    assert "AFP, Reuters" in refreshed


def test_card_parses_with_huggingface_hub(release: Path) -> None:
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(release / "README.md")
    data = card.data
    assert data.license == "cc-by-4.0"
    assert data.language == ["en"]
    assert data.pretty_name == "Russia–Syria Diplomacy News Corpus"
    configs = {c["config_name"]: c for c in data.configs}
    assert set(configs) == {
        "articles",
        "segments",
        "entities",
        "mentions",
        "events",
        "event_arguments",
        "quotes",
        "documents",
    }
    assert configs["articles"].get("default") is True
    assert "## Sources" in card.text and "<!-- articlepack:distribution -->" in card.text
    assert "Filled in by" not in card.text  # every release block was filled


def test_generated_numbers_equal_the_parquet_files(release: Path) -> None:
    import polars as pl

    def table(name: str) -> pl.DataFrame:
        return pl.read_parquet(release / "data" / name / "train-00000-of-00001.parquet")

    card = (release / "README.md").read_text(encoding="utf-8")
    block = card.split("<!-- articlepack:composition -->")[1].split(
        "<!-- /articlepack:composition -->"
    )[0]
    rows = dict(re.findall(r"^\| (\w+) \| ([\d,]+) \|$", block, re.M))
    for name in (
        "articles",
        "segments",
        "entities",
        "mentions",
        "events",
        "event_arguments",
        "quotes",
    ):
        assert int(rows.pop(name).replace(",", "")) == table(name).height, name
    events = table("events")
    for kind, n in events.group_by("type").len().iter_rows():
        assert rows.pop(kind) == str(n)
    articles = table("articles")
    for publisher, n in (
        articles.group_by(pl.col("source_publisher").fill_null("unknown")).len().iter_rows()
    ):
        assert f"| {publisher} | {n} |" in block
    dates = articles["published_date"].sort()
    assert f"Articles published from {dates[0]} to {dates[-1]}." in block
    sources = card.split("<!-- articlepack:sources -->")[1].split("<!-- /articlepack:sources -->")[
        0
    ]
    for sha in articles["raw_sha256"]:
        assert f"`{sha}`" in sources
    distribution = card.split("<!-- articlepack:distribution -->")[1]
    for path in sorted(release.glob("data/*/*.parquet")):
        rel = path.relative_to(release).as_posix()
        assert f"| `{rel}` | {path.stat().st_size:,} |" in distribution


def test_timeline_is_rendered_and_linked(release: Path) -> None:
    import polars as pl

    svg = (release / "timeline.svg").read_text(encoding="utf-8")
    events = pl.read_parquet(release / "data/events/train-00000-of-00001.parquet")
    assert svg.startswith("<svg") and svg.count("<circle") == events["date"].drop_nulls().len() > 0
    assert "](timeline.svg)" in (release / "README.md").read_text(encoding="utf-8")
