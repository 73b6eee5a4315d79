"""Writing an import's files into a project: validated first on a staged copy, then each file
renamed into place.

The staged copy holds the project's schemas, dataset.yaml, waivers and registry (with the
entries the import adds) and the articles the import writes; the validator runs on it, so an
import whose articles would not validate writes nothing (unless asked to, for articles whose
metadata the tool does not carry). Each file is then written beside its target and renamed over
it, a new article's folder in one rename: an interrupted import leaves every file either as it
was or as the import wrote it. The record of what the import wrote comes last.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from articlepack import _files
from articlepack.errors import ProjectError
from articlepack.interchange.importer import STATE, Plan
from articlepack.report import Report

_STAGE = ".articlepack-import-"


def stage_and_write(root: Path, plan: Plan, *, incomplete: bool = False) -> tuple[Report, bool]:
    """Validate what ``plan`` writes on a staged copy of the project, then write it unless the
    staged articles (or registry) have errors and ``incomplete`` is not given. Returns what the
    validator found in the files the import writes, and whether they were written."""
    for rel in plan.files:  # never write through a symlink that leads out of the project
        if not _files.inside(root.resolve(), _nearest(root / rel)):
            raise ProjectError(f"{rel} leads outside the project (a symlink?); nothing was written")
    stage = Path(tempfile.mkdtemp(prefix=_STAGE, dir=root))
    try:
        report = _validate(root, plan, stage)
        ours = set(plan.files) | {_files.article_file(a, "raw.txt") for a in plan.imported}
        report = report.with_findings([f for f in report.findings if f.file in ours])
        if not report.valid and not incomplete:
            return report, False
        _commit(root, plan, stage)
        return report, True
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _nearest(path: Path) -> Path:
    """``path``, or its nearest ancestor that exists."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _validate(root: Path, plan: Plan, stage: Path) -> Report:
    from articlepack.checks import check, check_articles
    from articlepack.corpus import read_checked

    shutil.copytree(root / "schemas", stage / "schemas")
    (stage / "corpus" / "articles").mkdir(parents=True)
    for small in (_files.DATASET, _files.WAIVERS, _files.ENTITIES):
        if (root / small).is_file():
            shutil.copyfile(root / small, stage / small)
    for article_id in plan.imported:
        for name in ("raw.txt", "article.yaml"):
            rel = _files.article_file(article_id, name)
            if rel in plan.files:
                _write(stage / rel, plan.files[rel])
            else:
                _link(root / rel, stage / rel)
    for rel, data in plan.files.items():  # the registry, the annotators' versions
        if not rel.startswith(_files.ARTICLES_DIR.as_posix()) and rel != STATE:
            _write(stage / rel, data)
    corpus, checked = read_checked(stage, cache=False, check=check_articles)
    return check(corpus, checked)


def _commit(root: Path, plan: Plan, stage: Path) -> None:
    """Rename every staged file into the project: new folders whole, other files one by one."""
    done: set[str] = set()
    for article_id in plan.new:
        folder = _files.article_file(article_id, "").rstrip("/")
        os.rename(stage / folder, root / folder)
        done |= {f"{folder}/raw.txt", f"{folder}/article.yaml"}
    for rel, data in plan.files.items():
        if rel not in done and rel != STATE:
            _replace(root / rel, data)
    if STATE in plan.files:
        _replace(root / STATE, plan.files[STATE])


def _replace(target: Path, data: bytes) -> None:
    """Write ``data`` beside ``target``, then rename it over ``target`` (unchanged: untouched)."""
    if target.is_file() and target.read_bytes() == data:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.articlepack-part")
    _write(part, data)
    os.replace(part, target)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _link(source: Path, target: Path) -> None:
    """A staged copy of an unchanged file: a hard link where the file system allows one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
