"""``articlepack diff``, ``bump`` and ``changelog``: what changed since a revision, and the
version and changelog entry that it requires."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from articlepack.cli._shared import ProjectArg, fail


class DiffFormat(StrEnum):
    text = "text"
    json = "json"


AgainstOption = Annotated[
    str | None,
    typer.Option(
        "--against",
        metavar="REV",
        help="Compare with REV (a git revision, release or project folder); default: the latest "
        "v* git tag.",
    ),
]


def diff(
    old: Annotated[
        str,
        typer.Argument(help="A release folder, a project folder or a git revision (v1.0.0, HEAD)."),
    ],
    new: Annotated[
        str, typer.Argument(help="The same kinds as OLD; `.` is the project in the current folder.")
    ],
    format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text (for people) or json (for scripts).")
    ] = DiffFormat.text,
    project: Annotated[
        Path, typer.Option("--project", help="The project whose git revisions OLD and NEW name.")
    ] = Path("."),
) -> None:
    """Show what changed from OLD to NEW (schemas, articles, rows) and the SemVer bump it requires.

    MAJOR: a field removed, renamed or retyped, a constraint tightened, articles removed; MINOR:
    articles, rows, optional fields or tables added, a constraint loosened; PATCH: rows corrected.
    """
    from articlepack.diff import DiffError, print_diff
    from articlepack.diff import diff as run

    try:
        result = run(old, new, project)
    except DiffError as exc:
        raise fail(str(exc)) from None
    if format is DiffFormat.json:
        typer.echo(result.to_json())
    else:
        print_diff(result)


def bump(project: ProjectArg = Path("."), against: AgainstOption = None) -> None:
    """Write the version that the changes since REV require into corpus/dataset.yaml.

    Only its `version:` line changes; a version that is already high enough stays.
    """
    from articlepack.diff import DiffError
    from articlepack.diff import bump as run

    try:
        done = run(project, against)
    except DiffError as exc:
        raise fail(str(exc)) from None
    typer.echo(done.summary())


def changelog(
    project: ProjectArg = Path("."),
    against: AgainstOption = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="YYYY-MM-DD",
            help="The entry's date; default: today (or SOURCE_DATE_EPOCH's).",
        ),
    ] = None,
) -> None:
    """Prepend the declared version's entry, generated from `diff` against REV, to CHANGELOG.md.

    Creates CHANGELOG.md when missing; a version that already has an entry is left as it is.
    Exit 1 when the declared version is lower than the changes require (run `articlepack bump`).
    """
    from articlepack.diff import DiffError, VersionTooLow
    from articlepack.diff import changelog as run

    try:
        done = run(project, against, when=date)
    except VersionTooLow as exc:
        raise fail(str(exc), 1) from None
    except DiffError as exc:
        raise fail(str(exc)) from None
    typer.echo(done.summary())
