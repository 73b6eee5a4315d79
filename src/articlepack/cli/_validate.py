"""``articlepack validate``: the findings, and the version gate."""

from __future__ import annotations

from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from articlepack.cli._shared import WHOLE_PROCESS, ProjectArg, fail

if TYPE_CHECKING:
    from articlepack.diff.gate import Gate
    from articlepack.report import Report


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def validate(
    ctx: typer.Context,
    project: ProjectArg = Path("."),
    format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="text (for people), json (for scripts) or github (workflow annotations).",
        ),
    ] = Format.text,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            metavar="REV",
            help="Version gate: also fail when corpus/dataset.yaml's version is lower than the bump "
            "that the changes since REV (a git revision, release or project folder) require, or is "
            "already tagged with other content.",
        ),
    ] = None,
    against_latest: Annotated[
        bool,
        typer.Option(
            "--against-latest",
            help="The version gate against the latest v* git tag (passes when there is none).",
        ),
    ] = False,
) -> None:
    """Check the corpus against its schemas. Exit 0 valid, 1 invalid, 2 unusable input.

    Every finding names its file (relative to PROJECT) and line; warnings can be waived in
    corpus/waivers.yaml (code, file, id, reason). With --against or --against-latest, a version
    that is too low (see `articlepack diff`) also exits 1.
    """
    if against is not None and against_latest:
        raise fail("use either --against REV or --against-latest, not both")
    report, gate = _run(project, against, against_latest, whole_process=ctx.obj is WHOLE_PROCESS)
    if format is Format.json:
        typer.echo(report.to_json() if gate is None else gate.add_to_json(report.to_json()))
    elif format is Format.github:
        if report.findings:
            typer.echo(report.to_github())
        if gate is not None:
            typer.echo(gate.to_github(project))
    else:
        from articlepack._console import print_report

        print_report(report)
        if gate is not None:
            from articlepack.diff import print_gate

            print_gate(gate)
    raise typer.Exit(0 if report.valid and (gate is None or gate.passed) else 1)


def _run(
    project: Path, against: str | None, against_latest: bool, *, whole_process: bool
) -> tuple[Report, Gate | None]:
    """The report and, when asked for and the corpus is valid, the version gate's verdict.

    A plain validation that is all its process runs does without the packages validation never
    needs (:func:`articlepack._imports.without_unneeded`).
    """
    from articlepack.corpus import ProjectError

    try:
        if against is None and not against_latest:
            from articlepack._imports import without_unneeded
            from articlepack.checks import validate as run

            with without_unneeded() if whole_process else nullcontext():
                return run(project), None
        from articlepack.checks import check, check_articles
        from articlepack.corpus import read_checked
        from articlepack.diff import DiffError, version_gate

        corpus, checked = read_checked(project, check=check_articles)
        report = check(corpus, checked)
        if not report.valid:
            return report, None
        try:
            return report, version_gate(project, against, corpus=corpus)
        except DiffError as exc:
            raise fail(f"version gate: {exc}") from None
    except ProjectError as exc:
        raise fail(str(exc)) from None
