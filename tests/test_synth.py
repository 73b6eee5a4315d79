"""The benchmarks' synthetic corpora are valid by construction and deterministic."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import articlepack
from conftest import ROOT


def _synth():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_corpus_validates_clean_and_repeats(tmp_path: Path) -> None:
    synth = _synth()
    first = synth.generate(tmp_path / "a", 12, seed=3)
    report = articlepack.validate(first)
    assert report.valid and report.findings == () and report.summary["articles"] == 12
    second = synth.generate(tmp_path / "b", 12, seed=3)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
