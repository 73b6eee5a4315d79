"""``articlepack build``, ``package`` and ``card``: the release, its pip package, and the card."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from articlepack.cli._shared import ProjectArg, fail, invalid
from articlepack.cli._validate import AddressOption, Engine, EngineOption, on_engine
from articlepack.errors import InvalidCorpusError


def build(
    project: ProjectArg = Path("."),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder that receives NAME-VERSION/.")
    ] = Path("dist"),
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No progress bar; print only the release path (and, on stderr, its record's "
            "sha256).",
        ),
    ] = False,
    engine: EngineOption = Engine.local,
    address: AddressOption = None,
) -> None:
    """Validate, then write the release OUT/NAME-VERSION/ atomically.

    The release holds data/TABLE/*.parquet, README.md (the Hub dataset card), datapackage.json,
    croissant.json, CITATION.cff and timeline.svg; the last line of stdout is its path, and stderr
    says `record sha256 HEX`, the sha256 of its datapackage.json that pins the whole release (see
    `verify --expect`). An invalid corpus writes nothing (exit 1). A
    folder in the way that articlepack did not write is never replaced (exit 2); a build into a
    folder that another build is writing waits for it (exit 3 if it waits too long).
    """
    from articlepack.builder import STEPS
    from articlepack.builder import build as run

    name = on_engine(engine, address)
    with _refusals("the release"):
        if quiet:
            target = run(project, out, engine=name, address=address)
        else:
            from articlepack._console import steps

            with steps(STEPS, "Building") as advance:
                target = run(project, out, progress=advance, engine=name, address=address)
    from articlepack.record import record_digest

    typer.echo(f"record sha256 {record_digest(target)}", err=True)
    typer.echo(str(target))


def package(
    project: ProjectArg = Path("."),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder that receives the wheel and the sdist.")
    ] = Path("dist"),
) -> None:
    """Make the dataset its own pip package: a wheel and an sdist in OUT.

    The package is named after the dataset (import name with `_`), has its version, and carries
    the release with a small loader (`load`, `info`, `path`) that needs only pyarrow and checks
    every read against the sizes, sha256 and schemas it was made with. Extras `datasets`,
    `pandas` and `polars` add those formats. Byte-identical on rebuild; an invalid corpus writes
    nothing (exit 1). Prints the two paths.
    """
    from articlepack.package import package as run

    with _refusals("the package"):
        wheel, sdist = run(project, out)
    typer.echo(str(wheel))
    typer.echo(str(sdist))


@contextmanager
def _refusals(what: str) -> Iterator[None]:
    """How a build's refusals end the command: the exit codes of the CLI contract."""
    from articlepack.errors import BuildBusyError, CardError, EngineError, ProjectError

    try:
        yield
    except (ProjectError, EngineError) as exc:
        raise fail(str(exc)) from None
    except InvalidCorpusError as exc:
        raise invalid(exc) from None
    except CardError as exc:
        raise fail(f"the dataset card would be refused by the Hub: {exc}", 1) from None
    except BuildBusyError as exc:
        raise fail(str(exc), 3) from None
    except OSError as exc:
        raise fail(f"cannot write {what}: {exc}", 1) from None


def card(
    project: ProjectArg = Path("."),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when a generated block is stale.")
    ] = False,
) -> None:
    """Refresh the generated blocks of datacard.md (sources, composition, ...) from the corpus.

    Prose outside the `<!-- articlepack:NAME -->` markers is never touched. Run with --check in CI.
    """
    from articlepack.builder import refresh_card
    from articlepack.errors import ProjectError

    try:
        stale = refresh_card(project, check_only=check)
    except ProjectError as exc:
        raise fail(str(exc)) from None
    except InvalidCorpusError as exc:
        raise invalid(exc) from None
    if check and stale:
        raise fail(f"datacard.md is stale ({', '.join(stale)}); run `articlepack card`", 1)
    typer.echo(
        "datacard.md is up to date" if not stale else f"refreshed datacard.md: {', '.join(stale)}"
    )
