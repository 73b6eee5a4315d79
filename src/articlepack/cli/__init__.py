"""The ``articlepack`` command: a thin layer over the library's functions.

Exit codes: 0 success, 1 invalid (or refused), 2 unusable input or arguments.

One module per command group; the commands are registered here, in the order ``--help`` lists
them: ``_validate``, ``_fix``, ``_build`` (build, card), ``_release`` (verify, publish),
``_diff`` (diff, bump, changelog), ``_agreement`` (agreement), ``_project`` (init) and
``_interchange`` (import, export). Each imports what it runs only when it runs, so that
``articlepack --help`` stays instant.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from articlepack.__about__ import __version__
from articlepack.cli._agreement import agreement
from articlepack.cli._build import build, card, package
from articlepack.cli._diff import bump, changelog, diff
from articlepack.cli._fix import fix
from articlepack.cli._interchange import export, import_
from articlepack.cli._project import init
from articlepack.cli._release import publish, verify
from articlepack.cli._shared import WHOLE_PROCESS
from articlepack.cli._validate import validate

app = typer.Typer(
    name="articlepack",
    help="Turn a folder of annotated news articles into a validated, versioned dataset release.\n\n"
    "A dataset project holds corpus/ (dataset.yaml, entities.yaml, articles/ID/raw.txt + "
    "article.yaml) and schemas/ (Frictionless Table Schemas). Start with `articlepack init DIR`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"articlepack {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Validate, build, publish and load annotated news corpora."""


for _command in (
    validate,
    fix,
    build,
    package,
    card,
    verify,
    publish,
    diff,
    bump,
    changelog,
    agreement,
    init,
):
    app.command()(_command)
app.command(name="import")(import_)  # `import` is a Python keyword
app.command()(export)


def main() -> None:
    """Console-script entry point."""
    try:
        app(obj=WHOLE_PROCESS)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # last resort: one clear sentence, never a traceback
        if os.environ.get("ARTICLEPACK_DEBUG"):
            raise
        print(
            f"error: articlepack failed unexpectedly: {type(exc).__name__}: {exc}. "
            "Set ARTICLEPACK_DEBUG=1 for the traceback and please report it.",
            file=sys.stderr,
        )
        sys.exit(2)
