"""What the commands share: the project argument, and how a command fails."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from articlepack.errors import InvalidCorpusError

ProjectArg = Annotated[
    Path,
    typer.Argument(
        help="The dataset project folder (holds corpus/ and schemas/).", show_default=True
    ),
]

#: The context object of a command that is all its process runs (the console script), not a call
#: from a library or a test: only such a command may change the process for good.
WHOLE_PROCESS = object()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr; the exit (by default 2) for the caller to raise."""
    from rich.console import Console
    from rich.markup import escape

    from articlepack.report import printable

    Console(stderr=True).print(
        f"[bold red]error:[/] {escape(printable(message))}", highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


def invalid(exc: InvalidCorpusError) -> typer.Exit:
    """Print the findings that stopped the command, then exit 1."""
    from articlepack._console import print_report

    print_report(exc.report)
    return fail(str(exc), 1)
