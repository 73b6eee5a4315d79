"""A diff and a version gate's verdict for people at a terminal (scripts use ``to_json``).

rich is imported inside each function, so that the library and ``--format json`` never load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table as Grid

    from articlepack.diff.gate import Gate
    from articlepack.diff.result import Diff

_COLOURS = {"major": "red", "minor": "yellow", "patch": "cyan", "none": "green"}


def print_gate(gate: Gate, console: Console | None = None) -> None:
    """The version gate's verdict, for people at a terminal."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(highlight=False)
    verdict = (
        "[bold green]version gate passed:[/]"
        if gate.passed
        else "[bold red]version gate failed:[/]"
    )
    console.print(f"{verdict} {escape(gate.message)}", soft_wrap=True)


def print_diff(result: Diff, console: Console | None = None) -> None:
    """A readable summary for people at a terminal."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(highlight=False)
    console.print(f"[bold]old[/] {escape(result.old.describe())}")
    console.print(f"[bold]new[/] {escape(result.new.describe())}")
    console.print(_schema_grid(result) or "No schema or metadata changes.")
    console.print(_data_grid(result) or "No data changes.")
    bump = result.required_bump
    target = (
        f" (from {result.old.version}: at least {result.required_version})"
        if result.required_version
        else ""
    )
    console.print(f"Required bump: [bold {_COLOURS[bump]}]{bump.upper()}[/]{escape(target)}")


def _schema_grid(result: Diff) -> Grid | None:
    from rich.markup import escape

    changes = [*result.schema_changes, *result.metadata_changes]
    if not changes:
        return None
    grid = _grid("Schema and metadata changes", ("bump", "table", "field", "change", "detail"))
    for c in changes:
        grid.add_row(
            f"[{_COLOURS[c.bump]}]{c.bump}[/]",
            escape(c.table or "—"),
            escape(c.field or "—"),
            c.kind,
            escape(c.detail),
        )
    return grid


def _data_grid(result: Diff) -> Grid | None:
    from rich.markup import escape

    touched = {name: t for name, t in result.data_changes.items() if t}
    if not touched:
        return None
    grid = _grid(
        "Data changes (rows by primary key)",
        ("bump", "table", "added", "removed", "changed", "examples"),
    )
    for name, t in touched.items():
        examples = "; ".join(
            f"{sign}{', '.join(ids[:3])}{' …' if len(ids) > 3 else ''}"
            for sign, ids in (("+", t.added), ("-", t.removed), ("~", t.changed))
            if ids
        )
        grid.add_row(
            f"[{_COLOURS[t.bump]}]{t.bump}[/]",
            name,
            str(len(t.added)),
            str(len(t.removed)),
            str(len(t.changed)),
            escape(examples),
        )
    return grid


def _grid(title: str, columns: tuple[str, ...]) -> Grid:
    from rich.table import Table as Grid

    grid = Grid(title=title, title_justify="left", show_edge=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    return grid
