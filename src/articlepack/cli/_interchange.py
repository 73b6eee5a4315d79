"""``articlepack import`` and ``articlepack export``: annotation tools' files in and out."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from articlepack.cli._shared import ProjectArg, fail, invalid

if TYPE_CHECKING:
    from articlepack.interchange.pipeline import Imported


class ImportFormat(StrEnum):
    brat = "brat"
    labelstudio = "labelstudio"
    inception = "inception"
    doccano = "doccano"


class ExportFormat(StrEnum):
    brat = "brat"
    labelstudio = "labelstudio"
    inception = "inception"
    webanno = "webanno"  # W3C Web Annotation JSON-LD (articlepack.webanno), no tool config


MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="The mapping of the tool's labels onto the project's layers (YAML; default: the "
        "bundled scheme's, see docs/importing.md).",
    ),
]


def import_(
    format: Annotated[ImportFormat, typer.Argument(help="The tool the files come from.")],
    source: Annotated[Path, typer.Argument(help="The tool's export: a folder or a file.")],
    project: ProjectArg = Path("."),
    mapping: MappingOption = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Overwrite the annotations of articles that were written by hand or edited "
            "since an import wrote them (their provenance stays).",
        ),
    ] = False,
    adjudicated: Annotated[
        str | None,
        typer.Option(
            "--adjudicated",
            metavar="NAME",
            help="The annotator whose version article.yaml holds (default: the only one, else "
            "the first). Every annotator's version is kept in corpus/annotations/.",
        ),
    ] = None,
    incomplete: Annotated[
        bool,
        typer.Option(
            "--incomplete",
            help="Write the articles even when they will not validate (new articles whose "
            "metadata the tool does not carry), for you to complete.",
        ),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Where the import report goes (default: PROJECT/import-report.json)."
        ),
    ] = None,
) -> None:
    """Import annotations from brat, Label Studio, INCEpTION or doccano into the corpus.

    Exit 0 when articles were imported, 1 when nothing could be, 2 on unusable input. Every
    annotation that cannot be carried over is listed (with counts per kind) and written to the
    import report; nothing is written when the imported articles would not validate.
    """
    from articlepack.errors import ArticlepackError
    from articlepack.interchange.pipeline import import_annotations

    try:
        result = import_annotations(
            format.value,
            source,
            project,
            mapping=mapping,
            replace=replace,
            adjudicated=adjudicated,
            incomplete=incomplete,
        )
    except (ArticlepackError, ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    _print(result)
    _report(result, report or project / "import-report.json", format.value, source)
    raise typer.Exit(0 if result.written else 1)


def _print(result: Imported) -> None:
    from articlepack.interchange import report

    plan = result.plan
    for note in plan.notes:
        typer.echo(f"note: {note}")
    for article, why in plan.refused:
        typer.echo(f"refused {article}: {why}")
    if result.unmapped:
        typer.echo(f"Not carried over: {len(result.unmapped)} annotations")
        typer.echo("\n".join(report.lines(result.unmapped)))
    if result.report is not None and not result.report.valid:
        from articlepack._console import print_report

        print_report(result.report)
    if result.written:
        new = f" ({len(plan.new)} new)" if plan.new else ""
        typer.echo(f"Imported {len(plan.imported)} articles{new}: {', '.join(plan.imported)}")
        if plan.entities:
            typer.echo(f"Added to the registry: {', '.join(plan.entities)}")
    elif plan.imported:
        typer.echo(
            "Nothing was written: the imported articles would not validate (see above: the "
            "lines are those of the files the import would write; --incomplete writes them all "
            "the same, for you to complete)."
        )
    else:
        typer.echo("Nothing could be imported.")


def _report(result: Imported, path: Path, format: str, source: Path) -> None:
    from articlepack.interchange import report

    plan = result.plan
    try:
        report.write(
            path,
            result.unmapped,
            format=format,
            source=str(source),
            written=result.written,
            imported=plan.imported if result.written else [],
            new=plan.new if result.written else [],
            refused=[{"article": a, "why": why} for a, why in plan.refused],
            entities=plan.entities if result.written else [],
            notes=plan.notes,
            findings=[f.as_dict() for f in result.report.findings] if result.report else [],
        )
    except OSError as exc:
        raise fail(f"cannot write the import report: {exc}") from None
    typer.echo(f"Report: {path}")


def export(
    format: Annotated[ExportFormat, typer.Argument(help="The tool to export to.")],
    out: Annotated[
        Path, typer.Option("--out", help="The folder to write (new, empty, or a previous export).")
    ],
    project: ProjectArg = Path("."),
    mapping: MappingOption = None,
) -> None:
    """Export the corpus's annotations to brat, Label Studio or INCEpTION, with the tool's
    configuration, for re-annotation (`articlepack import --replace` brings them back), or as
    W3C Web Annotations (webanno: one JSON-LD AnnotationCollection per article, docs/webanno.md)."""
    from articlepack.errors import ArticlepackError, InvalidCorpusError
    from articlepack.interchange import report
    from articlepack.interchange.pipeline import Exported, export_annotations

    try:
        if format is ExportFormat.webanno:
            if mapping is not None:
                raise ValueError("webanno follows the project's schemas: --mapping does not apply")
            from articlepack.webanno import export as webanno

            done = Exported(webanno(project, out))
        else:
            done = export_annotations(format.value, project, out, mapping=mapping)
    except InvalidCorpusError as exc:
        raise invalid(exc) from None
    except (ArticlepackError, ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    if done.lost:
        typer.echo(f"Not exported: {len(done.lost)} kinds of values")
        typer.echo("\n".join(report.lines(done.lost)))
    typer.echo(f"Wrote {len(done.paths)} files to {out}")
