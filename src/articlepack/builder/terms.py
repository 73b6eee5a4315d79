"""The usage terms of a release: the annotations under the dataset's licence, and the page text
they copy under its rights holders' terms (Croissant 1.1's ODRL ``usageInfo``, the Data Package
and the card say the same, from here)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from articlepack.builder import documents
from articlepack.builder.release import creators

if TYPE_CHECKING:
    import pyarrow

    from articlepack.schema import TableSchema


def terms(
    tables: dict[str, pyarrow.Table],
    schemas: Mapping[str, TableSchema],
    dataset: dict[str, Any],
    document: str,
) -> dict[str, Any]:
    """The usage terms of a release: the annotations under the dataset's licence, and the copied
    page text under its rights holders' terms, per group of articles with the same rights."""
    rows = tables[document].select(["id", "rights_statement", "rights_distribution"]).to_pylist()
    groups: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        groups.setdefault((row["rights_statement"], row["rights_distribution"]), []).append(
            row["id"]
        )
    text = text_columns(schemas, document)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    standoff = [ids for (_, distribution), ids in ordered if distribution == "standoff"]
    held = iter(_withheld(tables, text, standoff, document, documents.copies(schemas)))
    out = []
    for (statement, distribution), ids in ordered:
        group: dict[str, Any] = {
            "rights_statement": statement,
            "distribution": distribution,
            "articles": sorted(ids),
        }
        if distribution == "standoff":
            group["withheld"], group["published"] = next(held)
        out.append(group)
    rights = dataset.get("text_rights")
    licence = str(dataset.get("license") or "unknown")
    return {
        "license": licence,
        "rules": licence_rules().get(licence.lower()),
        "creators": [str(c.get("name")) for c in creators(dataset)],
        "text_rights": " ".join(rights.split()) if isinstance(rights, str) else None,
        "text_columns": text,
        "groups": out,
    }


@cache
def licence_rules() -> dict[str, dict[str, list[str]]]:
    """Licence id (lower case) -> the ODRL rules it amounts to (``data/odrl.yaml``)."""
    import yaml

    text = resources.files("articlepack").joinpath("data/odrl.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


def text_columns(schemas: Mapping[str, TableSchema], document: str) -> list[str]:
    """``table.column`` of every published column that copies page text: each span's text, the
    document table's published text (the body segments joined), and their copies in the
    ``documents`` table (``documents.column``, ``documents.layer.column``)."""
    out = []
    for name, schema in schemas.items():
        copied = {sp.text for sp in schema.spans}
        if name == document:
            offsets = {c for sp in schema.spans for c in (sp.start, sp.end) if c}
            copied |= (set(schema.derived) - offsets) | ({"text"} & set(schema.columns))
        out += [f"{name}.{c}" for c in schema.columns if c in copied]
    return out + [c for c, source in documents.copies(schemas).items() if source in out]


def _withheld(
    tables: dict[str, pyarrow.Table],
    text: list[str],
    groups: list[list[str]],
    document: str,
    copies: dict[str, str],
) -> list[tuple[list[str], list[str]]]:
    """Per group of articles (their ids), of the text columns that have rows for them: those
    null in every such row (withheld), and those that still hold text (a title, an evidence span
    outside the body). A column of ``documents`` is as the column it ``copies``.

    Each table's rows are assigned their group once (a hash lookup of their article), and each
    column counts its rows and values per group in one pass: a lookup per group and column
    took a minute at 10,000 articles."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found: list[tuple[list[str], list[str]]] = [([], []) for _ in groups]
    if not groups:
        return found
    ids = pa.array([i for ids in groups for i in ids], pa.string())
    group = pa.array([g for g, ids in enumerate(groups) for _ in ids], pa.int32())
    of_table: dict[str, pyarrow.ChunkedArray] = {}
    for column in text:
        name, field = copies.get(column, column).split(".", 1)
        table = tables[name]
        key = "id" if name == document else "article_id"
        if key not in table.column_names:
            continue
        if name not in of_table:
            of_table[name] = pc.take(group, pc.index_in(table.column(key), value_set=ids))
        counted = (
            pa.table({"g": of_table[name], "v": pc.is_valid(table.column(field))})
            .filter(pc.is_valid(of_table[name]))
            .group_by("g")
            .aggregate([("v", "sum")])
        )
        for g, valid in zip(
            counted.column("g").to_pylist(), counted.column("v_sum").to_pylist(), strict=True
        ):
            found[g][1 if valid else 0].append(column)
    return found
