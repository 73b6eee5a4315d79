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
    git: Annotated[
        bool, typer.Option("--git", help="Also `git init` the project and make a first commit.")
    ] = False,
) -> None:
    """Create a new dataset project, ready for git and CI.

    It holds an example article, entities, schemas and datacard to make your own, plus
    pyproject.toml (for `articlepack package`), .gitattributes (raw.txt kept byte-exact),
    .gitignore, CHANGELOG.md and .github/workflows/dataset.yml (validate, version gate, build,
    publish on a v* tag with the HF_TOKEN secret).
    """
    from articlepack.errors import ProjectError
    from articlepack.project import init as run

    try:
        path = run(directory, git=git)
    except FileExistsError as exc:
        raise fail(str(exc)) from None
    except ProjectError as exc:
        raise fail(str(exc), 1) from None
    typer.echo(
        f"Created a dataset project in {path}. Make it yours: rename it in corpus/dataset.yaml, "
        "replace the example article, entities and contributors, and write datacard.md "
        f"(validate lists what is left). Next: articlepack validate {directory}"
    )
