"""``articlepack validate``: the findings, and the version gate."""

from __future__ import annotations

from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from articlepack.cli._shared import WHOLE_PROCESS, ProjectArg, fail

if TYPE_CHECKING:
    from articlepack.corpus import Corpus
    from articlepack.diff.gate import Gate
    from articlepack.report import Report


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class Engine(StrEnum):
    """Where the per-article work runs (:mod:`articlepack.engine`)."""

    local = "local"
    dask = "dask"


EngineOption = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="Where the per-article work runs: local (this machine's cores) or dask (a Dask "
        "distributed cluster; pip install 'articlepack[dask]'). The same findings and release.",
    ),
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        metavar="ADDRESS",
        help="With --engine dask: the scheduler to run on (tcp://HOST:8786; default "
        "DASK_SCHEDULER_ADDRESS). Without it, a cluster of this machine's cores runs the command.",
    ),
]


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
    engine: EngineOption = Engine.local,
    address: AddressOption = None,
) -> None:
    """Check the corpus against its schemas. Exit 0 valid, 1 invalid, 2 unusable input.

    Every finding names its file (relative to PROJECT) and line; warnings can be waived in
    corpus/waivers.yaml (code, file, id, reason). With --against or --against-latest, a version
    that is too low (see `articlepack diff`) also exits 1.
    """
    if against is not None and against_latest:
        raise fail("use either --against REV or --against-latest, not both")
    engine_name = on_engine(engine, address)
    whole_process = ctx.obj is WHOLE_PROCESS
    report, gate = _run(project, against, against_latest, engine_name, address, whole_process)
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


def on_engine(engine: Engine, address: str | None) -> str:
    """The engine's name, once ``--address`` is shown to go with it."""
    if address is not None and engine is Engine.local:
        raise fail("--address is the address of a cluster: use it with --engine dask")
    return engine.value


def _run(
    project: Path,
    against: str | None,
    against_latest: bool,
    engine: str,
    address: str | None,
    whole_process: bool,
) -> tuple[Report, Gate | None]:
    """The report and, when asked for and the corpus is valid, the version gate's verdict.

    A plain validation that is all its process runs does without the packages validation never
    needs (:func:`articlepack._imports.without_unneeded`). On a distributed engine, the gate
    reads the project again, on this machine.
    """
    from articlepack.errors import EngineError, ProjectError

    try:
        if engine != "local":
            from articlepack.validation import validate as run_on

            report = run_on(project, engine=engine, address=address)
            if not report.valid or (against is None and not against_latest):
                return report, None
            return report, _gate(project, against, None)
        if against is None and not against_latest:
            from articlepack._imports import without_unneeded
            from articlepack.validation import validate as run

            with without_unneeded() if whole_process else nullcontext():
                return run(project), None
        from articlepack.checks import check, check_articles
        from articlepack.corpus import read_checked

        corpus, checked = read_checked(project, check=check_articles)
        report = check(corpus, checked)
        if not report.valid:
            return report, None
        return report, _gate(project, against, corpus)
    except (ProjectError, EngineError) as exc:
        raise fail(str(exc)) from None


def _gate(project: Path, against: str | None, corpus: Corpus | None) -> Gate:
    """The version gate's verdict on a valid project (``corpus``: already read whole)."""
    from articlepack.diff import DiffError, version_gate

    try:
        return version_gate(project, against, corpus=corpus)
    except DiffError as exc:
        raise fail(f"version gate: {exc}") from None
