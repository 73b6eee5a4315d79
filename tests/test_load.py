"""``articlepack.load``: what reading a release back costs must not change what it returns or
what it refuses (issue 20). The attacks on a release are in ``test_untrusted_release.py``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import articlepack
from articlepack.builder import build
from articlepack.errors import IntegrityError
from custom_scheme import custom_project
from test_untrusted_release import _rehash

FORMATS = ["datasets", "pandas", "polars", "arrow"]
SCHEMES = ["bundled", "custom"]


@pytest.fixture(scope="module", params=SCHEMES)
def built_release(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("p") / "project"
    project = articlepack.init(root) if request.param == "bundled" else custom_project(root).root
    return build(project, tmp_path_factory.mktemp("dist"))


@pytest.fixture
def release(built_release: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built_release, tmp_path / built_release.name))


def _list_table(release: Path) -> tuple[str, str, str]:
    """(table, its file, a list-of-strings column) of the first such table with rows to spare,
    found from the record, not from a table's name."""
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        own = resource["x-articlepack"]
        lists = [c for c, item in own.get("array_items", {}).items() if item["type"] == "string"]
        if lists and own["rows"] >= 2:
            return resource["name"], resource["path"], lists[0]
    raise AssertionError("no table with a list of strings and two rows")


def test_load_reads_a_list_of_strings_over_several_row_groups(release: Path) -> None:
    # Regression: a batch spanning two row groups, each with its own dictionary, cannot hold a
    # list of strings in pyarrow 26, and load refused the events of 10,000 articles (two groups).
    import pyarrow as pa
    import pyarrow.parquet as pq

    name, path, column = _list_table(release)
    table = pq.read_table(release / path)
    values = pa.array([[f"v{i}", f"w{i % 2}"] for i in range(table.num_rows)], table[column].type)
    table = table.set_column(table.schema.get_field_index(column), table.field(column), values)
    pq.write_table(table, release / path, row_group_size=1)
    _rehash(release, path)
    assert pq.ParquetFile(release / path).metadata.num_row_groups == table.num_rows
    for fmt in FORMATS:
        loaded = articlepack.load(name, release=release, format=fmt)  # type: ignore[call-overload]
        assert len(loaded) == table.num_rows, fmt
    arrow = articlepack.load(name, release=release, format="arrow")
    assert arrow[column].to_pylist() == values.to_pylist()


def test_load_rechecks_a_record_changed_since_the_last_load(release: Path) -> None:
    # A record is remembered by the sha256 of its bytes, never by its path: a record changed
    # between two loads of one process is read and checked afresh.
    name, path, _ = _list_table(release)
    before = articlepack.load(name, release=release, format="arrow")
    record = release / "datapackage.json"
    original = record.read_bytes()
    package = json.loads(original)
    entry = next(e for e in package["x-articlepack"]["files"] if e["path"] == path)
    entry["sha256"] = "0" * 64
    record.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(IntegrityError, match="hash disagrees with the sha256"):
        articlepack.load(name, release=release, format="arrow")
    next(r for r in package["resources"] if r["name"] == name)["hash"] = f"sha256:{'0' * 64}"
    record.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(IntegrityError, match="has changed"):
        articlepack.load(name, release=release, format="arrow")
    record.write_bytes(original)
    assert articlepack.load(name, release=release, format="arrow").equals(before)


def test_a_release_of_the_same_name_and_version_gets_its_own_rows_not_the_cached_ones(
    built_release: Path, tmp_path: Path
) -> None:
    # datasets caches a local folder's tables under its name and config, not its contents: a
    # release rebuilt after an edit (same name, same version) was given the first one's rows.
    import pyarrow.parquet as pq

    first = Path(shutil.copytree(built_release, tmp_path / "a" / built_release.name))
    second = Path(shutil.copytree(built_release, tmp_path / "b" / built_release.name))
    name, path, column = _list_table(first)
    table = pq.read_table(first / path)
    edited = [[f"edited {i}"] for i in range(table.num_rows)]
    index = table.schema.get_field_index(column)
    pq.write_table(table.set_column(index, table.field(column), [edited]), first / path)
    _rehash(first, path)

    assert articlepack.load(name, release=first)[column] == edited
    expected = articlepack.load(name, release=second, format="arrow")[column].to_pylist()
    assert expected != edited
    assert articlepack.load(name, release=second)[column] == expected
