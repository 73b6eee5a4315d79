"""``articlepack agreement``: how far the annotators agree, per layer."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from articlepack.cli._shared import ProjectArg, fail

if TYPE_CHECKING:
    from articlepack.agreement import Agreement


class AgreementFormat(StrEnum):
    text = "text"
    json = "json"


def agreement(
    project: ProjectArg = Path("."),
    format: Annotated[
        AgreementFormat,
        typer.Option("--format", "-f", help="text (for people) or json (for scripts)."),
    ] = AgreementFormat.text,
) -> None:
    """Inter-annotator agreement per layer, from corpus/annotations/ANNOTATOR/ARTICLE-ID.yaml.

    Pairwise between the annotators of each article, micro-averaged: span F1 (exact and
    overlapping), Krippendorff's alpha for labels, and agreement on references (docs/agreement.md
    defines each). Exit 0, 1 when an annotator's file is invalid, 2 unusable input.
    """
    from articlepack import agreement as measures
    from articlepack import annotators
    from articlepack.checks import locate
    from articlepack.corpus import ProjectError, read
    from articlepack.report import Report

    try:
        corpus = read(project)
    except ProjectError as exc:
        raise fail(str(exc)) from None
    annotations, findings = annotators.load(corpus)
    report = Report.of(locate(corpus.root, findings))
    if not report.valid:
        if format is AgreementFormat.json:
            typer.echo(report.to_json())
        else:
            from articlepack._console import print_report

            print_report(report)
        raise fail("an annotator's file is invalid; nothing was measured", 1)
    result = measures.measure(annotations, corpus.schemas)
    if format is AgreementFormat.json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print(result)


def _print(result: Agreement) -> None:
    from rich.console import Console
    from rich.table import Table

    from articlepack.agreement import KIND_LABELS, basis

    console = Console(highlight=False)
    if not result.articles:
        console.print(
            "No article has two annotators' versions in corpus/annotations/: nothing to compare."
        )
        return
    table = Table(
        title=f"Agreement, pairwise and micro-averaged (annotators: {len(result.annotators)}, "
        f"articles compared: {result.articles}, comparisons: {result.comparisons})",
        title_justify="left",
    )
    for name in ("layer", "measure", "field"):
        table.add_column(name)
    table.add_column("value", justify="right")
    table.add_column("basis")
    for m in result.measures:
        value = "n/a" if m.value is None else f"{m.value:.3f}"
        table.add_row(m.layer, KIND_LABELS[m.kind], m.field, value, basis(m))
    console.print(table)
