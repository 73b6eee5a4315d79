"""``articlepack init``: a new dataset project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from articlepack.cli._shared import fail


def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to create the new project (must not exist or be empty).")
    ],
) -> None:
    """Create a new, minimal dataset project that validates clean."""
    from articlepack.project import init as run

    try:
        path = run(directory)
    except FileExistsError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"Created a dataset project in {path}. Next: articlepack validate {directory}")
