"""``articlepack fix``: the repairs the validator can prove, as a diff; written with --write."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from articlepack.cli._shared import ProjectArg, fail


def fix(
    project: ProjectArg = Path("."),
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Write the changes (atomically) instead of only showing them."
        ),
    ] = False,
) -> None:
    """Repair what the validator can prove: fill raw.sha256, re-anchor a span whose text occurs
    exactly once near its offsets, move offsets counted on LF text onto a CRLF raw.txt, and
    normalise an abbreviated text. Exit 0 (2: not a project).

    The changes go to stdout as a unified diff (`git apply` reads it); what fix leaves alone
    (a span whose text is nowhere near, or near more than once) is listed on stderr. Nothing is
    written without --write, and article.yaml keeps its comments, order and quoting.
    """
    from rich.console import Console
    from rich.markup import escape

    from articlepack import fix as repairs
    from articlepack.corpus import ProjectError
    from articlepack.report import printable

    try:
        found = repairs.plan(project)
    except ProjectError as exc:
        raise fail(str(exc)) from None
    diff = found.diff()
    if diff:
        typer.echo(diff, nl=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for f in found.left:
        where = f"{f.file}:{f.line}" if f.line else f.file
        err.print(
            f"[yellow]left alone[/] [dim]{escape(printable(where))}[/] {escape(printable(f.message))}"
        )
    counts = found.counts()
    done = ", ".join(f"{n} {repairs.KINDS[kind]}" for kind, n in counts.items()) or "nothing to fix"
    if write and found.texts:
        written = repairs.write(project, found)
        err.print(f"fixed {len(written)} file(s): {done}")
        if len(written) < len(found.texts):
            err.print(
                "[yellow]some files changed while fix ran and were left alone; run it again[/]"
            )
    else:
        hint = " (nothing written: run with --write to apply)" if found.texts else ""
        err.print(f"{done}{hint}")
