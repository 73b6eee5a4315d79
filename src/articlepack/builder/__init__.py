"""Build a release: validate, then write ``OUT/<name>-<version>/`` atomically.

Files are written into a staging folder beside the target and renamed into place at the end
(:mod:`~articlepack.builder.atomic` guards the path and holds the lock), so an interrupted or
failed build leaves any earlier release untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from articlepack import hub
from articlepack.__about__ import __version__
from articlepack.builder import (
    atomic,
    card,
    croissant,
    datapackage,
    documents,
    facts,
    parquet,
    pictures,
    site,
    timeline,
)
from articlepack.builder import views as viewing
from articlepack.builder.release import Release, build_time, creators, iso
from articlepack.corpus import Corpus
from articlepack.errors import CardError
from articlepack.schema import table_of

if TYPE_CHECKING:
    import pyarrow

    from articlepack.agreement import Agreement
    from articlepack.engine import Validated

Progress = Callable[[str], None]
STEPS = ("read", "validate", "tables", "parquet", "card", "review", "metadata", "publish")
DATACARD = "datacard.md"
CHANGELOG = "CHANGELOG.md"


def build(
    project: Path | str,
    out: Path | str = "dist",
    *,
    progress: Progress | None = None,
    engine: str = "local",
    address: str | None = None,
    chunk: int = 0,
) -> Path:
    """Validate the project and write its release folder; return the folder's path.

    ``engine`` does the per-article work (:mod:`articlepack.engine`), on the cluster at
    ``address`` if it has one, ``chunk`` article folders a task; the release is the same on every
    engine. Raises :class:`InvalidCorpusError` (nothing written) when validation finds errors.
    """
    from articlepack.engine import validated

    step = progress or (lambda _name: None)
    project = Path(project).resolve()
    with validated(project, engine, address=address, chunk=chunk, progress=step) as run:
        dataset = run.corpus.dataset
        out = Path(out).resolve()
        target = out / f"{dataset['name']}-{dataset['version']}"
        atomic.guard(project, out, target)
        out.mkdir(parents=True, exist_ok=True)
        with atomic.lock(target):
            atomic.recover(target)
            atomic.guard(project, out, target)  # what another build left may have changed it
            _write(project, target, run, step)
    return target


def _write(project: Path, target: Path, run: Validated, step: Progress) -> None:
    """Write the release into a staging folder, then swap it into ``target``.

    Each table streams to its Parquet file part after part, in article order; of each part,
    only what the card's facts need is kept (:func:`.views.view`)."""
    corpus, report = run.corpus, run.report
    dataset = corpus.dataset
    staging = atomic.staging(target)
    try:
        step("tables")
        views: dict[str, list[pyarrow.Table]] = {name: [] for name in corpus.schemas}
        step("parquet")
        document = table_of(corpus.schemas, "document")
        files = [
            parquet.write_table(
                staging,
                name,
                _viewed(run.parts(name), name, corpus, views),
                parquet.ARTICLE_GROUP_ROWS if name == document else parquet.ROW_GROUP_ROWS,
            )
            for name in corpus.schemas
        ]
        files.append(documents.write(staging, run.parts, corpus.schemas))
        viewed = _concat(views)
        release = Release(
            dataset,
            {**corpus.schemas, documents.DOCUMENTS: documents.schema(corpus.schemas)},
            files,
            {f.table or "": f.rows for f in files},
            build_time(project),
            _facts(project, corpus, viewed),
        )
        step("card")
        summary = {
            **report.summary,
            "validator": f"articlepack {__version__}",
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "waived": len(corpus.waivers),
        }
        extra = _write_card(staging, project, release, summary, viewed)
        del views, viewed
        step("review")
        findings, waivers = report.findings, corpus.waivers
        published = {f.table: staging / f.path for f in files if f.table in corpus.schemas}
        extra += site.write(staging, published, corpus.schemas, dataset, findings, waivers, summary)
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
    from articlepack.engine import validated

    with validated(Path(project).resolve()) as run:
        corpus = run.corpus
        views: dict[str, list[pyarrow.Table]] = {name: [] for name in corpus.schemas}
        for name in corpus.schemas:
            list(_viewed(run.parts(name), name, corpus, views))
    project = corpus.root
    blocks = _project_blocks(project, _facts(project, corpus, _concat(views)), corpus.dataset)
    template = _datacard_template(project)
    stale = card.stale(template, blocks)
    if stale and not check_only:
        (project / DATACARD).write_text(card.pending(card.fill(template, blocks)), encoding="utf-8")
    return stale


def _viewed(
    parts: Iterator[pyarrow.Table], name: str, corpus: Corpus, views: dict[str, list[pyarrow.Table]]
) -> Iterator[pyarrow.Table]:
    """``parts`` of table ``name``, keeping in ``views`` what the card's facts need of each."""
    for part in parts:
        views[name].append(viewing.view(name, part, corpus.schemas))
        yield part


def _concat(views: dict[str, list[pyarrow.Table]]) -> dict[str, pyarrow.Table]:
    """Each table's view, its parts' views one after the other (:func:`.views.view`)."""
    import pyarrow as pa

    return {name: viewing.unify(pa.concat_tables(parts)) for name, parts in views.items()}


def _facts(project: Path, corpus: Corpus, views: dict[str, pyarrow.Table]) -> dict[str, Any]:
    """The facts of the release whose published tables ``views`` shows (:func:`.views.view`)."""
    guidelines = card.guidelines_version(_read_optional(project / "corpus" / "GUIDELINES.md"))
    return facts.compute(
        views,
        corpus.dataset,
        corpus.schemas,
        guidelines=guidelines,
        agreement=_agreement(corpus),
    )


def _agreement(corpus: Corpus) -> Agreement | None:
    """The annotators' agreement, where corpus/annotations/ holds their own versions."""
    from articlepack import agreement, annotators

    annotations = annotators.read(corpus)
    return agreement.measure(annotations, corpus.schemas) if annotations.versions else None


def _project_blocks(
    project: Path, release_facts: dict[str, Any], dataset: dict[str, Any]
) -> dict[str, str]:
    guidelines = card.guidelines_version(_read_optional(project / "corpus" / "GUIDELINES.md"))
    changelog = _read_optional(project / CHANGELOG)
    return card.project_blocks(release_facts, dataset, guidelines, changelog)


def _write_card(
    root: Path,
    project: Path,
    release: Release,
    summary: dict[str, Any],
    views: dict[str, pyarrow.Table],
) -> list[parquet.DataFile]:
    """The card, ``README.md``, with its pictures, drawn from the facts and the published
    tables' ``views`` (:func:`.views.view`)."""
    drawn = release.facts["timeline"]
    svg: list[parquet.DataFile] = []
    if drawn:
        timeline.write(root / "timeline.svg", timeline.dated_rows(drawn["rows"]), drawn["title"])
        svg.append(parquet.describe(root, "timeline.svg"))
    drawings = pictures.draw(release.facts, views, {n: release.schemas[n] for n in views})
    svg += pictures.write(root, drawings)
    template = _datacard_template(project)
    blocks = {
        **_project_blocks(project, release.facts, release.dataset),
        **card.release_blocks(release, [*release.files, *svg], summary, drawings),
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
        from articlepack.project import template

        text = (template() / DATACARD).read_text("utf-8")
    return text


def _read_optional(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
