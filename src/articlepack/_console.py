"""Rich rendering of reports for people at a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from articlepack.report import Report, printable


def print_report(report: Report, console: Console | None = None) -> None:
    """Findings grouped by file, coloured by severity, then a one-line summary."""
    console = console or Console(highlight=False)
    for file, group in groupby(report.findings, key=lambda f: f.file):
        shown = escape(printable(file))  # a folder name may hold ESC bytes or markup
        console.print(f"[bold]{shown}[/]")
        for f in group:
            colour = "red" if f.severity == "error" else "yellow"
            where = f":{f.line}" if f.line else ""
            console.print(
                f"  [{colour}]{f.severity}[/] [dim]{shown}{where}[/] [cyan]{f.code}[/] "
                f"{escape(printable(f.message))}",
                soft_wrap=True,
                markup=True,
            )
    s = report.summary
    counts = ", ".join(f"{n} {name}" for name, n in s.items())
    verdict = "[bold green]valid[/]" if report.valid else "[bold red]invalid[/]"
    console.print(
        f"{verdict}: {len(report.errors)} errors, {len(report.warnings)} warnings ({counts})"
    )


@contextmanager
def steps(names: Sequence[str], title: str) -> Iterator[Callable[[str], None]]:
    """A progress bar over named pipeline steps, on stderr; yields the function that advances it."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=len(names), step="")
        seen: list[str] = []

        def advance(name: str) -> None:
            if seen:
                bar.advance(task)
            seen.append(name)
            bar.update(task, step=name)

        yield advance
        bar.update(task, completed=len(names))
