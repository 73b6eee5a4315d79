"""Build a release: validate, then write ``OUT/<name>-<version>/`` atomically.

Files are written into a staging folder beside the target and renamed into place at the end
(:mod:`~articlepack.builder.atomic` guards the path and holds the lock), so an interrupted or
failed build leaves any earlier release untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from articlepack import hub
from articlepack.__about__ import __version__
from articlepack.builder import (
    atomic,
    card,
    croissant,
    datapackage,
    facts,
    parquet,
    tables,
    timeline,
)
from articlepack.builder.release import Release, build_time, creators, iso
from articlepack.checks import check, check_articles
from articlepack.corpus import Corpus, read_checked
from articlepack.errors import CardError, InvalidCorpusError
from articlepack.report import Report

Progress = Callable[[str], None]
STEPS = ("read", "validate", "tables", "parquet", "card", "metadata", "publish")
DATACARD = "datacard.md"
CHANGELOG = "CHANGELOG.md"


def build(
    project: Path | str, out: Path | str = "dist", *, progress: Progress | None = None
) -> Path:
    """Validate the project and write its release folder; return the folder's path.

    Raises :class:`InvalidCorpusError` (nothing written) when validation finds errors.
    """
    step = progress or (lambda _name: None)
    project = Path(project).resolve()
    corpus, report, published, release_facts = _prepare(project, step)
    dataset = corpus.dataset
    out = Path(out).resolve()
    target = out / f"{dataset['name']}-{dataset['version']}"
    atomic.guard(project, out, target)
    out.mkdir(parents=True, exist_ok=True)
    with atomic.lock(target):
        atomic.recover(target)
        atomic.guard(project, out, target)  # what another build left may have changed it
        _write(project, target, corpus, report, published, release_facts, step)
    return target


def _write(
    project: Path,
    target: Path,
    corpus: Corpus,
    report: Report,
    published: dict[str, Any],
    release_facts: dict[str, Any],
    step: Progress,
) -> None:
    """Write the release into a staging folder, then swap it into ``target``."""
    dataset = corpus.dataset
    staging = atomic.staging(target)
    try:
        step("parquet")
        files = [parquet.write_table(staging, name, table) for name, table in published.items()]
        release = Release(
            dataset,
            corpus.schemas,
            files,
            {n: t.num_rows for n, t in published.items()},
            build_time(project),
            release_facts,
        )
        step("card")
        summary = {
            **report.summary,
            "validator": f"articlepack {__version__}",
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "waived": len(corpus.waivers),
        }
        extra = _write_card(staging, project, release, summary, published)
        step("metadata")
        extra += _write_metadata(staging, release)
        _write_json(staging / "datapackage.json", datapackage.descriptor(release, extra))
        step("publish")
        atomic.swap(staging, target)
    except BaseException:
        atomic.discard(staging)
        raise


def refresh_card(project: Path | str, *, check_only: bool = False) -> list[str]:
    """Regenerate the project blocks of ``datacard.md``; return the names of those that were stale.

    With ``check_only``, write nothing. Raises :class:`InvalidCorpusError` on an invalid corpus.
    """
    project = Path(project).resolve()
    corpus, _, _, release_facts = _prepare(project, lambda _name: None)
    blocks = _project_blocks(project, release_facts, corpus.dataset)
    template = _datacard_template(project)
    stale = card.stale(template, blocks)
    if stale and not check_only:
        (project / DATACARD).write_text(card.pending(card.fill(template, blocks)), encoding="utf-8")
    return stale


def _prepare(
    project: Path, step: Progress
) -> tuple[Corpus, Report, dict[str, Any], dict[str, Any]]:
    """Read and validate the project, then compute its published tables and their facts."""
    step("read")
    corpus, checked = read_checked(project, check=check_articles)
    step("validate")
    report = check(corpus, checked)
    if not report.valid:
        raise InvalidCorpusError(report)
    step("tables")
    published = tables.publish(corpus)
    guidelines = card.guidelines_version(_read_optional(project / "corpus" / "GUIDELINES.md"))
    found = facts.compute(published, corpus.dataset, corpus.schemas, guidelines=guidelines)
    return corpus, report, published, found


def _project_blocks(
    project: Path, release_facts: dict[str, Any], dataset: dict[str, Any]
) -> dict[str, str]:
    guidelines = card.guidelines_version(_read_optional(project / "corpus" / "GUIDELINES.md"))
    changelog = _read_optional(project / CHANGELOG)
    return card.project_blocks(release_facts, dataset, guidelines, changelog)


def _write_card(
    root: Path, project: Path, release: Release, summary: dict[str, Any], published: dict[str, Any]
) -> list[parquet.DataFile]:
    drawn = release.facts["timeline"]
    svg: list[parquet.DataFile] = []
    if drawn:
        (root / "timeline.svg").write_text(
            timeline.svg([r for r in drawn["rows"] if r[0]], drawn["title"]), encoding="utf-8"
        )
        svg.append(parquet.describe(root, "timeline.svg"))
    template = _datacard_template(project)
    blocks = {
        **_project_blocks(project, release.facts, release.dataset),
        **card.release_blocks(release, [*release.files, *svg], summary),
    }
    front = card.front_matter(release)
    problems = card.check_front_matter(front, [f.path for f in release.files])
    if problems:
        raise CardError("; ".join(problems))
    text = f"---\n{front}\n---\n\n{card.fill(template, blocks)}"
    (root / "README.md").write_text(text, encoding="utf-8")
    return [*svg, parquet.describe(root, "README.md")]


def _write_metadata(root: Path, release: Release) -> list[parquet.DataFile]:
    _write_json(root / "croissant.json", croissant.jsonld(release))
    (root / "CITATION.cff").write_text(citation_cff(release), encoding="utf-8")
    return [parquet.describe(root, "croissant.json"), parquet.describe(root, "CITATION.cff")]


def citation_cff(release: Release) -> str:
    authors = [{"name": str(c.get("name"))} for c in creators(release.dataset)]
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": release.title,
        "version": release.version,
        "date-released": iso(release.created)[:10],
        "license": datapackage.license_entry(release.license)["name"],
        "authors": authors or [{"name": "unknown"}],
        "keywords": [str(k) for k in release.dataset.get("keywords") or []],
    }
    if release.hub_repo:
        data["repository"] = hub.dataset_url(release.hub_repo)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _datacard_template(project: Path) -> str:
    text = _read_optional(project / DATACARD)
    if text is None:
        from importlib import resources

        text = (
            resources.files("articlepack")
            .joinpath("templates/project/datacard.md")
            .read_text("utf-8")
        )
    return text


def _read_optional(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
