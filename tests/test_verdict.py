"""A warm validation of an unchanged project gives the last report without reading the project
(``articlepack._verdict``); any change it could have read is seen at once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import articlepack

HEAVY = ("polars", "pyarrow", "pandera", "yaml_rs", "articlepack.checks", "articlepack.corpus")
_RUN = f"""
import json, sys
import articlepack
report = articlepack.validate(sys.argv[1])
print(json.dumps({{"report": json.loads(report.to_json()),
                  "heavy": sorted(m for m in {HEAVY!r} if m in sys.modules)}}))
"""


def _age(root: Path) -> None:
    """Every file and folder of the project last changed a minute ago (not "just now", whose
    stats a second change in the same clock tick could leave as they are)."""
    then = time.time() - 60
    for where, folders, files in os.walk(root):
        for name in [*folders, *files]:
            os.utime(os.path.join(where, name), (then, then))
    os.utime(root, (then, then))


def _fresh_process(root: Path) -> tuple[dict[str, object], list[str]]:
    """Validate ``root`` in a new process: the report, and which heavy packages it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(root)], capture_output=True, text=True, check=True
    )
    out = json.loads(done.stdout)
    return out["report"], out["heavy"]


def _article(root: Path) -> Path:
    return next(p for p in sorted((root / "corpus" / "articles").iterdir()) if p.is_dir())


def test_an_unchanged_project_is_answered_without_reading_it(repo_copy: Path) -> None:
    _age(repo_copy)
    first = json.loads(articlepack.validate(repo_copy).to_json())
    report, heavy = _fresh_process(repo_copy)
    assert report == first and first["valid"]
    assert heavy == []  # nothing was parsed, no table built


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = {
    "article.yaml": (
        lambda root: _edit(_article(root) / "article.yaml", "language: en", "language: english"),
        "bad-pattern",
    ),
    "raw.txt": (lambda root: (_article(root) / "raw.txt").open("a").write("x"), "hash-mismatch"),
    "a file added to an article folder": (
        lambda root: (_article(root) / "notes.txt").write_text("x"),
        "stray-file",
    ),
    "an article folder added": (
        lambda root: shutil.copytree(_article(root), root / "corpus" / "articles" / "zz-copy"),
        "id-folder-mismatch",
    ),
    "dataset.yaml": (
        lambda root: _edit(root / "corpus" / "dataset.yaml", "version: ", "version: one-"),
        "bad-version",
    ),
    "entities.yaml": (
        lambda root: _edit(root / "corpus" / "entities.yaml", "type: PER", "type: XYZ"),
        "not-in-enum",
    ),
    "a schema": (
        lambda root: _edit(root / "schemas" / "articles.schema.yaml", "^[a-z]{2}$", "^[a-z]{3}$"),
        "bad-pattern",
    ),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_every_kind_of_change_is_seen_at_once(repo_copy: Path, change: str) -> None:
    """No waiting for the clock: the change is seen by the run right after it."""
    _age(repo_copy)
    assert articlepack.validate(repo_copy).valid
    make, code = CHANGES[change]
    make(repo_copy)
    assert code in {f.code for f in articlepack.validate(repo_copy).findings}


def test_a_change_below_an_extra_folder_is_seen(repo_copy: Path) -> None:
    """An article folder that holds more than article.yaml and raw.txt has its entries kept
    with the report, and each is looked at again."""
    extra = _article(repo_copy) / "notes" / "todo.txt"
    extra.parent.mkdir()
    extra.write_text("first")
    _age(repo_copy)
    articlepack.validate(repo_copy)
    assert _fresh_process(repo_copy)[1] == []
    extra.write_text("second, longer")
    assert _fresh_process(repo_copy)[1] != []


def test_a_project_changed_just_before_is_read_again(repo_copy: Path) -> None:
    """Files changed within the clock's resolution of a run could change again unseen."""
    articlepack.validate(repo_copy)  # its files were written just now
    assert _fresh_process(repo_copy)[1] != []


def test_a_damaged_verdict_is_not_used(repo_copy: Path) -> None:
    _age(repo_copy)
    articlepack.validate(repo_copy)
    (kept,) = Path(os.environ["XDG_CACHE_HOME"]).rglob("verdict.json")
    wrapper = json.loads(kept.read_text())
    wrapper["body"] = wrapper["body"].replace('"valid"', '"valid"').replace("0", "1", 1)
    kept.write_text(json.dumps(wrapper))
    report, heavy = _fresh_process(repo_copy)
    assert heavy != [] and report["valid"]
