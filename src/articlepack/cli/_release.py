"""``articlepack verify`` and ``articlepack publish``: commands on a built release folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from articlepack.cli._shared import fail

ReleaseArg = Annotated[
    Path, typer.Argument(help="A release folder (as written by `articlepack build`).")
]


def verify(
    release: ReleaseArg,
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
            raise fail(f"--expect: {exc}") from None
    if not release.is_dir() or not os.path.lexists(release / RECORD):
        raise fail(
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


def publish(
    release: ReleaseArg,
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
        raise fail(str(exc), 1) from None
    except HubError as exc:
        raise fail(str(exc), EXIT_CODES[exc.reason]) from None
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
