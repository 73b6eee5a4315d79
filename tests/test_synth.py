"""The generator of synthetic corpora (benchmarks/synth.py), shared by the benchmarks and
tests/strategies.py: valid by construction, deterministic, calibrated, one writer of the format."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
import yaml_rs

import articlepack
from conftest import ROOT


def _synth() -> ModuleType:
    """benchmarks/synth.py, imported with its sibling modules."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synth

    return synth


def _files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_synthetic_corpus_validates_clean_and_repeats(tmp_path: Path) -> None:
    synth = _synth()
    first = synth.generate(tmp_path / "a", 12, seed=3)
    report = articlepack.validate(first)
    assert report.valid and report.findings == () and report.summary["articles"] == 12
    assert _files(first) == _files(synth.generate(tmp_path / "b", 12, seed=3))


def test_the_sparse_profile_validates_clean(tmp_path: Path) -> None:
    root = _synth().generate(tmp_path / "sparse", 8, seed=1, profile="sparse")
    report = articlepack.validate(root)
    assert report.valid and report.findings == ()


def test_calibrated_corpus_is_as_dense_as_the_bundled_one(tmp_path: Path) -> None:
    """Every layer the schemas name, measured the same way on both, within 15%; and as much
    YAML per byte of text. A generator that drifted from the bundled corpus fails here."""
    import density

    root = _synth().generate(tmp_path / "dense", 60, seed=2)
    bundled, synthetic = density.measure(ROOT), density.measure(root)
    for layer in ("mentions", "events", "quotes"):
        assert synthetic["per_kb"][layer] == pytest.approx(bundled["per_kb"][layer], rel=0.15)
    assert synthetic["yaml_per_raw"] == pytest.approx(bundled["yaml_per_raw"], rel=0.15)
    assert set(synthetic["per_kb"]) == set(bundled["per_kb"])


def test_the_profile_follows_the_bundled_corpus() -> None:
    """profiles.json holds what density.py measures of the bundled corpus now."""
    import density

    synth = _synth()
    assert synth.style("calibrated").per_kb == density.measure(ROOT)["per_kb"]


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "true",
        "null",
        "~",
        "-",
        "?",
        "100",
        "3.5",
        "",
        " lead",
        "key: value",
        "#tag",
        "tab\tword",
        "😀",
        "“quoted”",
        "a\x85b",
        "a\u2028b",
        "\ufeffbom",
        "del\x7f",
        "back\\slash",
    ],
)
def test_the_writer_writes_any_string_yaml_reads_back(text: str) -> None:
    from corpus_format import dump

    _synth()
    document = {"id": text, "items": [{"text": text, "span": {"start": 0, "text": text}}]}
    written = dump(document)
    assert yaml_rs.loads(written, parse_datetime=False) == document
    assert yaml.safe_load(written) == document


def test_the_writer_keeps_the_corpus_style() -> None:
    """Flat items on one line, an item holding spans in block style (as people write them)."""
    from corpus_format import dump

    _synth()
    written = dump(
        {
            "id": "a",
            "mentions": [{"id": "m1", "start": 0, "end": 3, "text": "Foo"}],
            "events": [
                {"id": "e1", "trigger": {"start": 0, "end": 3, "text": "met"}, "actors": ["m1"]}
            ],
        }
    )
    assert written == (
        "id: a\n"
        "mentions:\n"
        "  - {id: m1, start: 0, end: 3, text: Foo}\n"
        "events:\n"
        "  - id: e1\n"
        "    trigger: {start: 0, end: 3, text: met}\n"
        "    actors: [m1]\n"
    )


@pytest.mark.slow
def test_output_does_not_depend_on_the_worker_count(tmp_path: Path) -> None:
    synth = _synth()
    one = synth.generate(tmp_path / "one", 1000, seed=4, workers=1)
    two = synth.generate(tmp_path / "two", 1000, seed=4, workers=2)
    assert _files(one) == _files(two)
