"""Template leftovers: what ``init`` wrote as an example, still there in a project of one's own.

A project straight from ``init`` is articlepack's example, and says so once (``template-project``,
a warning): it builds, so that a newcomer can try every command. Once renamed in dataset.yaml it
is someone's dataset, and each leftover is an error, because build would otherwise publish it:
the datacard's authoring instructions (the template marks each with :data:`INSTRUCTION`), the
template's placeholder description, rights, contributors and Hub repo, and its example entities
and article. An entity that no article refers to is worth a warning in any project: published,
it could not be removed later without a MAJOR version.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from articlepack.corpus import DATASET, Corpus, article_file
from articlepack.failing_rows import findings, says
from articlepack.report import Finding
from articlepack.schema import table_of

INSTRUCTION = "> **Write this:**"
DATACARD = "datacard.md"


def check_template(corpus: Corpus) -> list[Finding]:
    """The template's leftovers in ``corpus`` (nothing for the template itself)."""
    from articlepack.project import template

    root = template()
    if corpus.root.resolve() == root.resolve():
        return []
    example = _dataset(root)
    if corpus.dataset.get("name") == example.get("name"):
        return [
            Finding(
                "template-project",
                DATASET.as_posix(),
                f"this project is still articlepack's example ({example.get('name')}): a release "
                "would publish its instructions, placeholder contributor and example entities. "
                "Rename it here to make it yours; validate then lists each leftover",
                path=("name",),
            )
        ]
    return [
        *_instructions(corpus.root),
        *_placeholders(corpus.dataset, example),
        *_examples(corpus, root),
        *_unused(corpus),
    ]


def _instructions(project: Path) -> list[Finding]:
    try:
        text = (project / DATACARD).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [
            Finding(
                "template-text",
                DATACARD,
                "there is no datacard.md, so the release's card would be the template's "
                "instructions; write one (`articlepack init` shows its shape)",
            )
        ]
    except (OSError, UnicodeDecodeError):
        return []  # the build reports an unreadable card itself
    return [
        Finding(
            "template-text",
            DATACARD,
            f"still the template's instructions ({line.removeprefix(INSTRUCTION).strip()!r}): "
            "replace them with the answer",
            line=number,
        )
        for number, line in enumerate(text.splitlines(), 1)
        if line.startswith(INSTRUCTION)
    ]


def _placeholders(dataset: dict[str, Any], example: dict[str, Any]) -> list[Finding]:
    out = []
    for key in ("description", "text_rights"):
        if dataset.get(key) is not None and dataset.get(key) == example.get(key):
            out.append(_placeholder(f"{key} is still the template's text", (key,)))
    hub, placeholder = dataset.get("hub"), example.get("hub") or {}
    if isinstance(hub, dict) and hub.get("repo") == placeholder.get("repo"):
        out.append(_placeholder("hub.repo is still the template's placeholder", ("hub", "repo")))
    names = {p.get("name") for p in example.get("contributors") or []}
    for i, person in enumerate(dataset.get("contributors") or []):
        if isinstance(person, dict) and person.get("name") in names:
            out.append(
                _placeholder(
                    f"contributor {person['name']!r} is the template's placeholder; name the "
                    "people who made the dataset",
                    ("contributors", i, "name"),
                )
            )
    return out


def _placeholder(message: str, path: tuple[str | int, ...]) -> Finding:
    return Finding("template-placeholder", DATASET.as_posix(), message, path=path)


def _examples(corpus: Corpus, root: Path) -> list[Finding]:
    """The template's example entities (same id, same values) and example article (same raw.txt)."""
    out = []
    registry = table_of(corpus.schemas, "registry")
    example = _example(root)
    if registry and registry in example.tables:
        mine, key = corpus.tables[registry], corpus.schemas[registry].primary_key[-1]
        shared = [c for c in example.tables[registry].columns if c in mine.columns]
        keys = [c for c in shared if not c.startswith("_")]
        rows = mine.join(
            example.tables[registry].select(keys), on=keys, how="semi", nulls_equal=True
        )
        out += findings(
            rows,
            "template-placeholder",
            says("{} is the template's example entity; remove it", key),
            corpus.schemas[registry],
            key,
        )
    for folder in example.folders:
        raw = article_file(folder, "raw.txt")
        mine_raw = corpus.root / raw
        if mine_raw.is_file() and mine_raw.read_bytes() == (root / raw).read_bytes():
            out.append(
                Finding(
                    "template-placeholder",
                    raw,
                    "the template's example article; remove its folder",
                )
            )
    return out


def _unused(corpus: Corpus) -> list[Finding]:
    """Registry entries that no key of any table refers to."""
    import polars as pl

    registry = table_of(corpus.schemas, "registry")
    if not registry:
        return []
    used = [
        corpus.tables[name].select(pl.col(fk.fields[-1]).alias(fk.reference[-1]))
        for name, schema in corpus.schemas.items()
        for fk in schema.foreign_keys
        if fk.resource == registry
    ]
    if not used:
        return []
    key = used[0].columns[0]
    unused = corpus.tables[registry].join(pl.concat(used).drop_nulls(), on=key, how="anti")
    return findings(
        unused,
        "unused-entity",
        says("no article refers to {}; publish it only if it belongs in the registry", key),
        corpus.schemas[registry],
        key,
    )


@cache
def _dataset(root: Path) -> dict[str, Any]:
    loaded = yaml.safe_load((root / DATASET).read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


@cache
def _example(root: Path) -> Corpus:
    """The template project, read once (without the cache: it is not the user's project)."""
    from articlepack.corpus import read

    return read(root, cache=False, workers=1)
