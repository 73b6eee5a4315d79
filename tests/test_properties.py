"""Property-based tests of the validator (profiles in tests/strategies.py: ``ci`` by default,
``HYPOTHESIS_PROFILE=fuzz`` for 2,000 examples each)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import event, given, note
from hypothesis import strategies as st

import articlepack
from bad_inputs.support import validate
from conftest import EXAMPLE
from strategies import Corpus, corpora, dump, hostile_bytes, mutations, write_corpus

FILES = [
    f"corpus/articles/{EXAMPLE}/article.yaml",
    f"corpus/articles/{EXAMPLE}/raw.txt",
    "corpus/entities.yaml",
    "corpus/dataset.yaml",
]


@given(corpora())
def test_random_valid_corpora_validate_clean(corpus: Corpus) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_corpus(corpus, Path(tmp) / "project")
        outcome = validate(root)
        assert (outcome.code, outcome.findings) == (0, []), dump(corpus.articles[0].doc)


@given(st.data())
def test_any_single_mutation_is_caught(data: st.DataObject) -> None:
    corpus = data.draw(corpora(), label="corpus")
    mutation = data.draw(mutations(corpus), label="mutation")
    note(f"{mutation.kind}: {mutation.describe}")
    event(mutation.kind)
    with tempfile.TemporaryDirectory() as tmp:
        outcome = validate(write_corpus(mutation.corpus, Path(tmp) / "project"))
        assert outcome.code == 1, (mutation.describe, outcome.findings)
        assert outcome.report is not None and not outcome.report["valid"]


_TEMPLATE = Path(tempfile.mkdtemp(prefix="articlepack-template-")) / "project"
articlepack.init(_TEMPLATE)


@given(file=st.sampled_from(FILES), data=st.data())
def test_arbitrary_bytes_in_any_corpus_file_never_crash(file: str, data: st.DataObject) -> None:
    original = (_TEMPLATE / file).read_bytes()
    content = data.draw(hostile_bytes(original), label="content")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(_TEMPLATE, root)
        (root / file).write_bytes(content)
        outcome = validate(root)  # asserts: no traceback, no exception, a well-formed report
        assert outcome.code in (0, 1)
        if file.endswith("raw.txt") and content != original:
            assert outcome.code == 1  # the recorded hash no longer matches
