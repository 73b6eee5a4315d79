"""Import and export, end to end: a tool's files into a project, and a project out to a tool.

tool files ──read──▶ Documents ──plan (mapping)──▶ files to write ──validate staged──▶ project
project ──read + validate──▶ Corpus ──export (mapping)──▶ Documents + Labels ──write──▶ tool files
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from articlepack.errors import InvalidCorpusError, ProjectError
from articlepack.interchange import formats, importer, store
from articlepack.interchange import mapping as mappings
from articlepack.interchange.model import Unmapped
from articlepack.report import Report
from articlepack.schema import TableSchema

EXPORT_RECORD = ".articlepack-export.json"


@dataclass
class Imported:
    """What an import did: its plan, what it could not carry over, the staged validation."""

    plan: importer.Plan
    unmapped: list[Unmapped]
    report: Report | None = None  # None: nothing was left to import
    written: bool = False


@dataclass
class Exported:
    paths: list[Path]
    lost: list[Unmapped] = field(default_factory=list)


def import_annotations(
    format: str,
    source: Path,
    project: Path,
    *,
    mapping: Path | None = None,
    replace: bool = False,
    adjudicated: str | None = None,
    incomplete: bool = False,
) -> Imported:
    """Import a tool's files into ``project``; nothing is written when the articles would not
    validate (``incomplete``: write them all the same, for the user to complete)."""
    root = Path(project).resolve()
    schemas = _schemas(root)
    tool = formats.module(format)
    checked = mappings.load(mapping, schemas)
    documents, unmapped = tool.read(Path(source))
    plan = importer.plan(root, documents, checked, replace=replace, adjudicated=adjudicated)
    result = Imported(plan, [*unmapped, *plan.unmapped])
    if plan.imported:
        result.report, result.written = store.stage_and_write(root, plan, incomplete=incomplete)
    return result


def export_annotations(
    format: str, project: Path, out: Path, *, mapping: Path | None = None
) -> Exported:
    """Export a valid project's articles to a tool's files (and configuration) in ``out``."""
    from articlepack.checks import check, check_articles
    from articlepack.corpus import read_checked
    from articlepack.interchange.from_project import export

    if format not in formats.WRITES:
        raise ValueError(
            f"articlepack does not export to {format} (it does to: {', '.join(formats.WRITES)})"
        )
    tool = formats.module(format)
    corpus, found = read_checked(project, check=check_articles)
    report = check(corpus, found)
    if any(f.file.startswith("corpus/") for f in report.errors):  # the annotations are wrong
        raise InvalidCorpusError(report)
    done = export(corpus, mappings.load(mapping, corpus.schemas))
    lost = [*done.lost, *formats.losses(done.documents, formats.carries(tool), format)]
    clear_export(Path(out))
    paths = tool.write(done.documents, done.labels, Path(out))
    record = {
        "about": "files written by articlepack export",
        "files": sorted(p.relative_to(out).as_posix() for p in paths),
    }
    (Path(out) / EXPORT_RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return Exported(paths, lost)


def _schemas(root: Path) -> dict[str, TableSchema]:
    from articlepack.corpus import project_schemas  # the reader's own checks

    if not (root / "corpus").is_dir():
        raise ProjectError(
            f"{root} is not a dataset project: it has no corpus/ folder "
            "(`articlepack init` makes one)"
        )
    return project_schemas(root)


def clear_export(out: Path) -> None:
    """Make ``out`` ready for an export: new, empty, or a previous export (whose files go)."""
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} is a file, not a folder")
    record = out / EXPORT_RECORD
    if out.is_dir() and any(out.iterdir()):
        if not record.is_file():
            raise FileExistsError(
                f"{out} holds files articlepack did not export; choose an empty or new folder"
            )
        try:
            listed = json.loads(record.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            raise FileExistsError(f"{record} is not a record articlepack wrote") from None
        root = out.resolve()
        for name in listed:
            path = (out / str(name)).resolve()
            if path.is_relative_to(root) and path.is_file():
                path.unlink()
        record.unlink()
    out.mkdir(parents=True, exist_ok=True)
