"""The `documents` table: one row per article with its layers nested, derived from the flat tables.

Every check runs on the bundled corpus and on the custom scheme (tests/custom_scheme.py), whose
`relations` layer articlepack's Python does not know.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

import articlepack
from articlepack import layers
from articlepack.builder import build
from articlepack.diff import diff
from articlepack.errors import IntegrityError, SchemaError
from articlepack.schema import TableSchema, load_schemas
from conftest import ROOT, Project, frictionless, mlcroissant
from custom_scheme import custom_project

DOCUMENTS = "documents"


@pytest.fixture(scope="module", params=["corpus", "custom"])
def built_from(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, TableSchema]]:
    """A release of the bundled corpus, and one of the custom scheme, with their schemas."""
    custom = request.param == "custom"
    root = custom_project(tmp_path_factory.mktemp("p") / "custom").root if custom else ROOT
    return build(root, tmp_path_factory.mktemp("dist")), load_schemas(root / "schemas")


@pytest.fixture(scope="module")
def release(built_from: tuple[Path, dict[str, TableSchema]]) -> Path:
    return built_from[0]


@pytest.fixture(scope="module")
def schemas(built_from: tuple[Path, dict[str, TableSchema]]) -> dict[str, TableSchema]:
    return built_from[1]


def _flat(documents: list[dict[str, Any]], schemas: Mapping[str, TableSchema]) -> dict[str, list]:
    """Each flat table rebuilt from the documents rows: the document table's columns, and each
    layer's rows with the columns that repeat their parent's key put back."""
    document = next(n for n, s in schemas.items() if s.source.kind == "document")
    found = layers.layers(schemas)
    out: dict[str, list[dict[str, Any]]] = {document: [], **{n: [] for n in found}}

    def walk(table: str, row: dict[str, Any]) -> None:
        for child in layers.children(schemas, table):
            for item in row[child]:
                keys = {own: row[theirs] for own, theirs in found[child].keys}
                flat = {**keys, **item}
                out[child].append({c: flat[c] for c in schemas[child].columns})
                walk(child, flat)

    for row in documents:
        out[document].append({c: row[c] for c in schemas[document].columns})
        walk(document, row)
    return out


def test_documents_rebuilds_every_flat_table(release: Path, schemas: dict[str, Any]) -> None:
    documents = articlepack.load(DOCUMENTS, release=release, format="arrow").to_pylist()
    rebuilt = _flat(documents, schemas)
    assert set(rebuilt) == {n for n, s in schemas.items() if s.source.kind != "registry"}
    for table, rows in rebuilt.items():
        assert rows == articlepack.load(table, release=release, format="arrow").to_pylist(), table
    assert sum(len(rows) for rows in rebuilt.values()) > len(documents)


def test_documents_loads_with_datasets_and_offsets_index_its_text(
    release: Path, schemas: dict[str, TableSchema]
) -> None:
    import datasets

    loaded = datasets.load_dataset(str(release), DOCUMENTS, split="train")
    ours = articlepack.load(DOCUMENTS, release=release)
    assert loaded.features == ours.features and loaded.num_rows == ours.num_rows >= 1
    for name, layer in layers.layers(schemas).items():  # an HF List of structs, at every depth
        path = [name]
        while layer.parent in layers.layers(schemas):
            path.insert(0, layer.parent)
            layer = layers.layers(schemas)[layer.parent]
        feature = loaded.features[path[0]]
        for step in path[1:]:
            feature = feature.feature[step]
        assert isinstance(feature, datasets.List) and isinstance(feature.feature, dict), name
    rows = loaded.to_list()
    text = {row["id"]: row["text"] for row in rows}
    checked = 0
    for table, flat in _flat(rows, schemas).items():
        for span in [s for s in schemas[table].spans if s.start and s.end]:
            for row in [r for r in flat if r[span.start] is not None]:
                found = text[row["article_id"]][row[span.start] : row[span.end]]
                assert found == row[span.text], (table, row)
                checked += 1
    assert checked >= 5


def test_documents_is_declared_like_the_other_tables(release: Path) -> None:
    front = (release / "README.md").read_text(encoding="utf-8").split("---\n")[1]
    card = yaml.safe_load(front)
    assert DOCUMENTS in [c["config_name"] for c in card["configs"]]
    assert DOCUMENTS in [i["config_name"] for i in card["dataset_info"]]
    package = json.loads((release / "datapackage.json").read_text())
    resource = next(r for r in package["resources"] if r["name"] == DOCUMENTS)
    events = resource["x-articlepack"]["array_items"].get("events")
    if events is not None:  # the bundled corpus: events, their arguments nested
        assert events["type"] == "object"
        assert "event_arguments" in [f["name"] for f in events["fields"]]
    croissant = json.loads((release / "croissant.json").read_text())
    record = next(r for r in croissant["recordSet"] if r["@id"] == DOCUMENTS)
    mentions = next(f for f in record["field"] if f["name"] == "mentions")
    assert mentions["isArray"] and "documents/mentions/text" in [
        f["@id"] for f in mentions["subField"]
    ]
    # the page text it copies is under its rights holders' terms, as in the flat tables
    text = package["x-articlepack"]["usage_terms"]["text_columns"]
    assert {"documents.text", "documents.mentions.text"} <= set(text)


@pytest.mark.slow
def test_frictionless_and_mlcroissant_accept_the_documents_table(release: Path) -> None:
    code, report = frictionless(release)
    assert code == 0 and report["valid"], json.dumps(report)[-2000:]
    assert DOCUMENTS in {task["name"] for task in report["tasks"]}
    checked = mlcroissant(release)
    assert checked.returncode == 0, checked.stderr[-2000:]


def test_each_layer_is_a_column_named_after_its_table(
    release: Path, schemas: dict[str, TableSchema]
) -> None:
    # the custom scheme's `relations`, unknown to articlepack's Python, is one of them
    document = next(n for n, s in schemas.items() if s.source.kind == "document")
    table = articlepack.load(DOCUMENTS, release=release, format="arrow")
    wanted = [*schemas[document].columns, *layers.children(schemas, document)]
    assert table.column_names == wanted
    if "relations" in schemas:
        (row,) = table.to_pylist()
        (relation,) = row["relations"]
        assert "article_id" not in relation
        assert (
            row["text"][relation["evidence_start"] : relation["evidence_end"]]
            == (relation["evidence"])
        )


def test_the_one_type_map_gives_the_nested_types_in_every_system(
    release: Path, schemas: dict[str, TableSchema]
) -> None:
    import polars as pl

    from articlepack.builder import documents

    declared = documents.schema(schemas)
    table = articlepack.load(DOCUMENTS, release=release, format="arrow")
    assert table.schema.equals(declared.arrow())
    assert dict(pl.from_arrow(table).schema) == declared.polars()  # type: ignore[union-attr]
    assert articlepack.load(DOCUMENTS, release=release).features == declared.features()


# -- the diff leaves it to its sources ----------------------------------------------------------


def _bump(project: Project, version: str) -> None:
    project.edit("corpus/dataset.yaml", "version: 0.1.0", f"version: {version}")


def test_diff_grades_a_corrected_annotation_in_its_own_table_not_in_documents(
    project: Project, tmp_path: Path
) -> None:
    old = build(project.root, tmp_path / "old")
    project.edit_article("type: CONSULT", "type: COOPERATE")
    _bump(project, "0.1.1")
    new = build(project.root, tmp_path / "new")
    result = diff(str(old), str(new))
    changed = {t for t, c in result.data_changes.items() if c.added or c.removed or c.changed}
    assert changed == {"events"} and DOCUMENTS not in result.data_changes
    assert result.required_bump == "patch"
    assert all(c.table != DOCUMENTS for c in result.schema_changes)


def test_diff_of_a_release_made_before_documents_existed_adds_no_table(
    project: Project, tmp_path: Path
) -> None:
    release = build(project.root, tmp_path / "dist")
    older = Path(shutil.copytree(release, tmp_path / "older" / release.name))
    package = json.loads((older / "datapackage.json").read_text())
    package["resources"] = [r for r in package["resources"] if r["name"] != DOCUMENTS]
    files = package["x-articlepack"]["files"]
    package["x-articlepack"]["files"] = [f for f in files if "/documents/" not in f["path"]]
    (older / "datapackage.json").write_text(json.dumps(package))
    shutil.rmtree(older / "data" / DOCUMENTS)
    result = diff(str(older), str(release))
    assert (result.schema_changes, result.required_bump) == ([], "none")


# -- bad input ---------------------------------------------------------------------------------


def test_a_schema_named_documents_is_refused(project: Project, cli: Any) -> None:
    shutil.copy(
        project.root / "schemas" / "quotes.schema.yaml",
        project.root / "schemas" / "documents.schema.yaml",
    )
    result = cli("validate", str(project.root))
    assert result.exit_code == 2, result.output
    assert "schemas/documents.schema.yaml: `documents` is the table every release" in result.output


def test_a_layer_named_like_a_column_of_the_rows_it_nests_in_is_refused(
    project: Project, cli: Any, tmp_path: Path
) -> None:
    # event_arguments nest in each event as its column `event_arguments`: events may not have one
    project.edit(
        "schemas/events.schema.yaml",
        "primaryKey: [article_id, id]",
        "  - {name: event_arguments, type: string}\nprimaryKey: [article_id, id]",
    )
    with pytest.raises(SchemaError, match="already has a column of that name"):
        layers.check(load_schemas(project.root / "schemas"))
    for command in (["validate"], ["build", "--out", str(tmp_path / "dist")]):
        result = cli(*command, str(project.root))
        assert result.exit_code == 2, result.output
        said = " ".join(result.output.split())
        assert "schemas/event_arguments.schema.yaml: the rows of event_arguments nest" in said
    assert not (tmp_path / "dist").exists()


def _declare(release: Path, change: Any) -> None:
    """Change the documents resource's declared item types, rehashing nothing (the record is
    what pins the release: its own digest changes, but a reader without --expect trusts it)."""
    package = json.loads((release / "datapackage.json").read_text())
    resource = next(r for r in package["resources"] if r["name"] == DOCUMENTS)
    change(resource["x-articlepack"]["array_items"])
    (release / "datapackage.json").write_text(json.dumps(package))


def _deep(items: dict[str, Any]) -> None:
    inner: dict[str, Any] = {"type": "string"}
    for _ in range(40):
        inner = {
            "type": "object",
            "fields": [{"name": "x", "type": "array"}],
            "array_items": {"x": inner},
        }
    items["mentions"] = inner


ATTACKS = {
    "nested-too-deep": (_deep, "nests deeper than"),
    "objects-without-fields": (lambda i: i.update(mentions={"type": "object"}), "KeyError"),
    "fields-not-a-list": (
        lambda i: i.update(mentions={"type": "object", "fields": 7}),
        "TypeError",
    ),
}


@pytest.mark.parametrize(("damage", "message"), ATTACKS.values(), ids=ATTACKS.keys())
def test_load_refuses_a_record_that_declares_documents_articlepack_never_writes(
    built: Path, tmp_path: Path, damage: Any, message: str
) -> None:
    release = Path(shutil.copytree(built, tmp_path / built.name))
    _declare(release, damage)
    for fmt in ("arrow", "datasets"):
        with pytest.raises(IntegrityError, match=message):
            articlepack.load(DOCUMENTS, release=release, format=fmt)  # type: ignore[call-overload]
