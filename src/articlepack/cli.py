"""The ``articlepack`` command: a thin layer over the library's functions.

Exit codes: 0 success, 1 invalid (or refused), 2 unusable input or arguments.
"""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from articlepack.__about__ import __version__
from articlepack.errors import InvalidCorpusError

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

ProjectArg = Annotated[
    Path,
    typer.Argument(
        help="The dataset project folder (holds corpus/ and schemas/).", show_default=True
    ),
]


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _fail(message: str, code: int = 2) -> typer.Exit:
    from rich.console import Console
    from rich.markup import escape

    from articlepack.report import printable

    Console(stderr=True).print(
        f"[bold red]error:[/] {escape(printable(message))}", highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


def _invalid(exc: InvalidCorpusError) -> typer.Exit:
    """Print the findings that stopped the command, then exit 1."""
    from articlepack._console import print_report

    print_report(exc.report)
    return _fail(str(exc), 1)


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


@app.command()
def validate(
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
) -> None:
    """Check the corpus against its schemas. Exit 0 valid, 1 invalid, 2 unusable input.

    Every finding names its file (relative to PROJECT) and line; warnings can be waived in
    corpus/waivers.yaml (code, file, id, reason). With --against or --against-latest, a version
    that is too low (see `articlepack diff`) also exits 1.
    """
    from articlepack.checks import validate as run
    from articlepack.corpus import ProjectError

    if against is not None and against_latest:
        raise _fail("use either --against REV or --against-latest, not both")
    gate = None
    try:
        if against is None and not against_latest:
            from articlepack._imports import without_unneeded

            with without_unneeded() if _whole_process else nullcontext():
                report = run(project)
        else:
            from articlepack.checks import check
            from articlepack.corpus import read
            from articlepack.diff import DiffError, version_gate

            corpus = read(project)
            report = check(corpus)
            if report.valid:
                try:
                    gate = version_gate(project, against, corpus=corpus)
                except DiffError as exc:
                    raise _fail(f"version gate: {exc}") from None
    except ProjectError as exc:
        raise _fail(str(exc)) from None
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


@app.command()
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
    from articlepack.errors import BuildBusyError, CardError, ProjectError

    try:
        if quiet:
            target = run(project, out)
        else:
            from articlepack._console import steps

            with steps(STEPS, "Building") as advance:
                target = run(project, out, progress=advance)
    except ProjectError as exc:
        raise _fail(str(exc)) from None
    except InvalidCorpusError as exc:
        raise _invalid(exc) from None
    except CardError as exc:
        raise _fail(f"the dataset card would be refused by the Hub: {exc}", 1) from None
    except BuildBusyError as exc:
        raise _fail(str(exc), 3) from None
    except OSError as exc:
        raise _fail(f"cannot write the release: {exc}", 1) from None
    from articlepack.record import record_digest

    typer.echo(f"record sha256 {record_digest(target)}", err=True)
    typer.echo(str(target))


@app.command()
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
        raise _fail(str(exc)) from None
    except InvalidCorpusError as exc:
        raise _invalid(exc) from None
    if check and stale:
        raise _fail(f"datacard.md is stale ({', '.join(stale)}); run `articlepack card`", 1)
    typer.echo(
        "datacard.md is up to date" if not stale else f"refreshed datacard.md: {', '.join(stale)}"
    )


@app.command()
def verify(
    release: Annotated[
        Path, typer.Argument(help="A release folder (as written by `articlepack build`).")
    ],
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            metavar="SHA256",
            help="Accept only the release whose datapackage.json has this sha256 (as `build` and "
            "`publish` print it): proof that it is the release its author made.",
        ),
    ] = None,
) -> None:
    """Re-hash every file of a release against its datapackage.json; exit 1 naming each bad file.

    Also exit 1 for a malformed record, a path that leaves the release, a link or FIFO, a Parquet
    file of another schema or row count, a card config that reads other files, or (with
    --expect) another record. Exit 2 when RELEASE is no release folder at all.
    """
    from articlepack.errors import IntegrityError
    from articlepack.record import RECORD, normalise_digest
    from articlepack.report import printable
    from articlepack.verify import problems

    if expect is not None:
        try:
            expect = normalise_digest(expect)
        except ValueError as exc:
            raise _fail(f"--expect: {exc}") from None
    if not release.is_dir() or not os.path.lexists(release / RECORD):
        raise _fail(
            f"{printable(str(release))}: {RECORD} is missing: this is not an articlepack release"
        )
    try:
        found = problems(release, expect=expect)
    except IntegrityError as exc:
        found = exc.problems
    for problem in found:
        typer.echo(f"{printable(str(release))}: {problem}", err=True)
    if found:
        raise typer.Exit(1)
    typer.echo(f"{printable(str(release))}: every file matches the release record")


@app.command()
def publish(
    release: Annotated[
        Path, typer.Argument(help="A release folder (as written by `articlepack build`).")
    ],
    repo: Annotated[
        str | None,
        typer.Option(
            "--repo",
            metavar="ORG/NAME",
            help="The Hub dataset repo; default: the one the release names (hub.repo).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and print the plan; touch nothing.")
    ] = False,
    private: Annotated[
        bool, typer.Option("--private", help="Create the repo private if it is new.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="SECONDS", help="Give up on a silent Hub after this."),
    ] = 60.0,
) -> None:
    """Publish RELEASE to the Hub as one commit plus the tag vVERSION.

    Needs a token with write access in HF_TOKEN (or `hf auth login`). Refuses (exit 1), before
    any write: a release that fails `verify`, a repo id the Hub would reject, a repo other than
    the one the release was built for, a tag that already exists, a version not newer than the
    Hub's latest tag. Hub failures exit 3 (token rejected, 401), 4 (no permission, 403), 5 (no
    such repo, 404), 6 (Hub server error: retry later), 7 (timed out), 8 (could not reach the Hub,
    or HF_HUB_OFFLINE is set).
    """
    from articlepack._hub_http import EXIT_CODES
    from articlepack.errors import HubError, PublishError
    from articlepack.publish import publish as run

    try:
        plan = run(release, repo, dry_run=dry_run, private=private, timeout=timeout)
    except PublishError as exc:
        raise _fail(str(exc), 1) from None
    except HubError as exc:
        raise _fail(str(exc), EXIT_CODES[exc.reason]) from None
    verb = "would commit" if dry_run else "committed"
    typer.echo(
        f"{plan.repo}: {verb} {len(plan.files)} files ({plan.bytes:,} bytes) in one commit, "
        f"tag {plan.tag}"
    )
    for path, size in plan.files:
        typer.echo(f"  add {path} ({size:,} bytes)")
    for path in plan.deletions:
        typer.echo(f"  delete {path}")
    if plan.commit:
        typer.echo(f"commit {plan.commit} on parent {plan.parent_commit}")
    typer.echo(f"sha256 of datapackage.json: {plan.digest} (pin it: verify --expect)")


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


@app.command()
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
        raise _fail(str(exc)) from None
    if format is DiffFormat.json:
        typer.echo(result.to_json())
    else:
        print_diff(result)


@app.command()
def bump(project: ProjectArg = Path("."), against: AgainstOption = None) -> None:
    """Write the version that the changes since REV require into corpus/dataset.yaml.

    Only its `version:` line changes; a version that is already high enough stays.
    """
    from articlepack.diff import DiffError
    from articlepack.diff import bump as run

    try:
        done = run(project, against)
    except DiffError as exc:
        raise _fail(str(exc)) from None
    typer.echo(done.summary())


@app.command()
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
        raise _fail(str(exc), 1) from None
    except DiffError as exc:
        raise _fail(str(exc)) from None
    typer.echo(done.summary())


@app.command()
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
        raise _fail(str(exc)) from None
    typer.echo(f"Created a dataset project in {path}. Next: articlepack validate {directory}")


_whole_process = False  # True when the command is all the process runs (not a library call)


def main() -> None:
    """Console-script entry point."""
    global _whole_process
    _whole_process = True
    try:
        app()
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
