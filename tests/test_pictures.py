"""The card's pictures: deterministic SVG whose numbers are the published tables', each with its
alt text and its table in the card, and none where the scheme lacks what it would show."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from articlepack.builder import build
from articlepack.builder.facts import compute
from articlepack.builder.pictures import PER_ARTICLE, Picture, density, draw
from articlepack.schema import load_schemas
from conftest import ROOT, Project
from custom_scheme import custom_project

SVG = "{http://www.w3.org/2000/svg}"


def _tables(release: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    return {
        p.parent.name: pq.read_table(p)
        for p in sorted(release.glob("data/*/*.parquet"))
        if p.parent.name != "documents"
    }


def _drawn(project: Path, release: Path) -> dict[str, Picture]:
    """The pictures of ``release``, drawn again from its Parquet files and the project's facts."""
    tables = _tables(release)
    schemas = load_schemas(project / "schemas")
    dataset = yaml.safe_load((project / "corpus" / "dataset.yaml").read_text(encoding="utf-8"))
    facts = compute(tables, dataset, schemas)
    return {p.path: p for p in draw(facts, tables, schemas)}


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(ROOT, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def pictures(release: Path) -> dict[str, Picture]:
    return _drawn(ROOT, release)


def test_the_release_holds_each_picture_as_drawn(
    release: Path, pictures: dict[str, Picture]
) -> None:
    assert sorted(pictures) == [
        "pictures/date-basis.svg",
        "pictures/density.svg",
        "pictures/entities-by-type.svg",
        "pictures/events-by-month.svg",
    ]
    for path, picture in pictures.items():
        assert (release / path).read_text(encoding="utf-8") == picture.svg  # same bytes, redrawn


def test_the_pictures_count_what_the_tables_hold(
    release: Path, pictures: dict[str, Picture]
) -> None:
    import polars as pl

    def table(name: str) -> pl.DataFrame:
        return pl.read_parquet(release / f"data/{name}/train-00000-of-00001.parquet")

    entities, events, articles = table("entities"), table("events"), table("articles")
    by_type = Counter(entities["type"])
    assert dict(pictures["pictures/entities-by-type.svg"].rows) == {
        t: str(n) for t, n in by_type.items()
    }
    monthly = Counter(
        (t, d[:7]) for t, d in zip(events["type"], events["date"], strict=True) if d and len(d) >= 7
    )
    drawn = {(t, m): int(n) for t, m, n in pictures["pictures/events-by-month.svg"].rows}
    assert drawn.pop(("all", "undated")) == events["date"].null_count()
    assert drawn.pop(("all", "dated to the year only")) == sum(
        1 for d in events["date"] if d and len(d) == 4
    )
    assert drawn == monthly
    basis = dict(zip(articles["id"], articles["published_basis"], strict=True))
    dated = Counter(
        basis[a] for a, d in zip(events["article_id"], events["date"], strict=True) if d
    )
    expected = {(b, str(n), str(dated[b])) for b, n in Counter(articles["published_basis"]).items()}
    assert set(pictures["pictures/date-basis.svg"].rows) == expected
    segments = table("segments")
    for row in pictures["pictures/density.svg"].rows:
        article, counts, rate = row[0], [int(n) for n in row[1:-2]], float(row[-1])
        layers = ("mentions", "events", "event_arguments", "quotes")
        assert counts == [table(n).filter(pl.col("article_id") == article).height for n in layers]
        body = segments.filter(pl.col("article_id") == article)
        length = (body["raw_end"] - body["raw_start"]).sum()
        assert rate == pytest.approx(1000 * sum(counts) / length, abs=0.05)


def test_every_picture_is_in_the_card_with_its_alt_text_and_table(
    release: Path, pictures: dict[str, Picture]
) -> None:
    card = (release / "README.md").read_text(encoding="utf-8")
    for path, picture in pictures.items():
        assert f"![{picture.alt}]({path})" in card
        head = "| " + " | ".join(picture.header) + " |"
        assert f"<summary>{picture.title}: the numbers</summary>\n\n{head}\n" in card
        for row in picture.rows:
            assert "| " + " | ".join(row) + " |" in card


def test_each_svg_is_well_formed_and_carries_its_title_and_alt(
    pictures: dict[str, Picture],
) -> None:
    for picture in pictures.values():
        root = ET.fromstring(picture.svg)
        assert root.tag == f"{SVG}svg"
        assert root.findtext(f"{SVG}title") == picture.title
        assert root.findtext(f"{SVG}desc") == picture.alt
        assert re.search(r"\d", picture.alt)  # the alt text says the numbers, not only the kind


def test_a_scheme_without_a_timeline_has_no_events_picture(
    project: Project, tmp_path: Path
) -> None:
    project.edit(
        "schemas/events.schema.yaml",
        project.root.joinpath("schemas/events.schema.yaml")
        .read_text(encoding="utf-8")
        .split("x-articlepack:\n")[1]
        .split("  not_after:")[0],
        "",
    )
    release = build(project.root, tmp_path / "dist")
    drawn = sorted(p.relative_to(release).as_posix() for p in release.glob("pictures/*"))
    assert drawn == [
        "pictures/date-basis.svg",
        "pictures/density.svg",
        "pictures/entities-by-type.svg",
    ]
    assert "by-month" not in (release / "README.md").read_text(encoding="utf-8")


def test_a_custom_layer_counts_in_the_density_picture(tmp_path: Path) -> None:
    project = custom_project(tmp_path / "custom")
    release = build(project.root, tmp_path / "dist")
    picture = _drawn(project.root, release)["pictures/density.svg"]
    assert picture.header[:-2] == (
        "article",
        "mentions",
        "events",
        "event_arguments",
        "quotes",
        "relations",
    )
    assert picture.rows[0][1:-2] == ("5", "1", "2", "1", "1")


def test_more_articles_than_bars_make_a_histogram(pictures: dict[str, Picture]) -> None:
    import pyarrow as pa

    schemas = load_schemas(ROOT / "schemas")
    ids = [f"a{i:03d}" for i in range(PER_ARTICLE + 10)]
    tables = {name: pa.table({"article_id": pa.array([], pa.string())}) for name in schemas}
    tables["articles"] = pa.table({"id": ids})
    tables["mentions"] = pa.table({"article_id": [a for i, a in enumerate(ids) for _ in range(i)]})
    tables["segments"] = pa.table(
        {"article_id": ids, "raw_start": [0] * len(ids), "raw_end": [1000] * len(ids)}
    )
    picture = density(tables, schemas)
    assert picture is not None and picture.header == ("per 1,000 characters", "articles")
    assert sum(int(n) for _, n in picture.rows) == len(ids) and len(picture.rows) == 20
    assert picture.rows[0] == ("0.0–2.5", "3")  # 0, 1 and 2 mentions per 1,000 characters
