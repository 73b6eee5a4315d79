"""Arrow's flattening gives exactly the rows Python's does, and refuses anything out of shape."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from articlepack import _articles, arrow_flatten, flatten, shape
from articlepack.corpus import read
from conftest import ROOT, Project
from test_synth import _synth


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


@pytest.mark.parametrize("which", ["bundled", "template", "synthetic"])
def test_arrow_and_python_flatten_alike(
    which: str, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = {
        "bundled": ROOT,
        "template": project.root,
        "synthetic": _synth().generate(tmp_path / "synth", 20, seed=5),
    }[which]
    monkeypatch.setattr(_articles, "ARROW_FROM", 0)  # Arrow, however few the articles
    arrow = read(root, cache=False)
    calls: list[int] = []
    monkeypatch.setattr(arrow_flatten, "arrow_frames", lambda articles, layout: calls.append(1))
    python = read(root, cache=False)
    assert calls  # the Python path did run
    for name, table in arrow.tables.items():
        assert table.height, name
        assert _sorted(table).equals(_sorted(python.tables[name])), name
    assert arrow.findings == python.findings


def test_a_few_articles_are_flattened_without_importing_pyarrow(project: Project) -> None:
    """A small project (or the one article changed since the cached read) is flattened in
    Python: importing pyarrow would cost more than Arrow saves on a few articles."""
    import subprocess
    import sys

    code = (
        "import sys; from articlepack.corpus import read; "
        f"read({str(project.root)!r}, cache=False); "
        "assert 'pyarrow' not in sys.modules, 'pyarrow was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _article(project: Project) -> shape.Article:
    text = project.article.read_text(encoding="utf-8")
    article = _articles.parse_article(text, "x", [])
    assert article is not None
    return article


MISFITS = {
    "a float offset": lambda d: d["mentions"][0].update(start=1.0),
    "a bool offset": lambda d: d["mentions"][0].update(end=True),
    "an offset past 64 bits": lambda d: d["mentions"][0].update(start=2**63),
    "a number for a string": lambda d: d["mentions"][0].update(entity=5),
    "a string for a list": lambda d: d.update(tags="one"),
    "a null in a list": lambda d: d.update(tags=["one", None]),
    "a null item": lambda d: d["mentions"].append(None),
    "a scalar item": lambda d: d["quotes"].append("said"),
    "a list that is a mapping": lambda d: d.update(events={"a": 1}),
    "an unknown key": lambda d: d["events"][0].update(note="x"),
    "an unknown nested key": lambda d: d["source"].update(where="x"),
    "a non-string key": lambda d: d["mentions"][0].update({5: "x"}),
    "a string for a span": lambda d: d.update(title="A title"),
    "an integer id": lambda d: d.update(id=7),
}


@pytest.mark.parametrize("misfit", MISFITS)
def test_arrow_refuses_what_python_would_report(misfit: str, project: Project) -> None:
    good = _article(project)
    layout = shape.layout(read(project.root, cache=False).schemas)
    assert arrow_flatten.arrow_frames([good], layout) is not None
    doc: dict[Any, Any] = copy.deepcopy(good.doc)
    MISFITS[misfit](doc)
    bad = shape.Article(good.file, good.id, doc)
    assert arrow_flatten.arrow_frames([good, bad], layout) is None
    rows = flatten.Rows()
    flatten.flatten_article(doc, bad.id, bad.file, rows, layout)
    assert rows.findings  # and the Python path words it


def test_polars_types_are_those_of_the_arrow_schema() -> None:
    for name, schema in read(ROOT, cache=False).schemas.items():
        frame = pl.from_arrow(schema.arrow().empty_table())
        assert isinstance(frame, pl.DataFrame)
        assert dict(frame.schema) == schema.polars(), name
