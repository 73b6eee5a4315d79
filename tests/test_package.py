"""`articlepack package`: every dataset its own small wheel, which installs without articlepack,
offline, into a fresh virtual environment, and loads every table in every format, checked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from articlepack.errors import InvalidCorpusError, ProjectError
from articlepack.package import REQUIRES, package
from conftest import ROOT, Project
from custom_scheme import custom_project

_LOAD_ALL = r"""
import importlib, importlib.util, json, sys
data = importlib.import_module(sys.argv[1])
info = data.info()
out = {"name": info.name, "version": info.version, "tables": info.tables, "loaded": {},
       "articlepack": importlib.util.find_spec("articlepack") is not None,
       "citation": info.citation[:13], "record": info.record_sha256}
for table in info.tables:
    for fmt in ("arrow", "datasets", "pandas", "polars"):
        frame = data.load(table, format=fmt)
        out["loaded"][f"{table}/{fmt}"] = len(frame)
print(json.dumps(out))
"""

_TAMPER = r"""
import importlib, sys
data = importlib.import_module(sys.argv[1])
path = data.path() / sys.argv[2]
raw = bytearray(path.read_bytes()); raw[len(raw) // 2] ^= 1; path.write_bytes(bytes(raw))
try:
    data.load(sys.argv[3])
except data.IntegrityError as exc:
    print("IntegrityError:", exc)
"""


def test_the_tools_own_wheel_carries_no_dataset(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    names = zipfile.ZipFile(next(tmp_path.glob("articlepack-*.whl"))).namelist()
    assert "articlepack/dataset_loader.py" in names
    assert not [n for n in names if n.endswith((".parquet", "datapackage.json"))]


def test_a_rebuilt_package_is_byte_identical(tmp_path: Path) -> None:
    first = package(ROOT, tmp_path / "a")
    again = package(ROOT, tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    wheel, sdist = first
    assert wheel.name == "russia_syria_diplomacy-2.0.0-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    assert "russia_syria_diplomacy/_loader.py" in names
    assert "russia_syria_diplomacy/release/data/mentions/train-00000-of-00001.parquet" in names
    metadata = zipfile.ZipFile(wheel).read("russia_syria_diplomacy-2.0.0.dist-info/METADATA")
    assert b"Name: russia-syria-diplomacy\n" in metadata
    requires = [x for x in metadata.splitlines() if x.startswith(b"Requires-Dist")]
    assert requires[0] == b"Requires-Dist: pyarrow>=18"
    assert not [r for r in requires if b"articlepack" in r]
    with tarfile.open(sdist) as archive:
        assert "russia_syria_diplomacy-2.0.0/pyproject.toml" in archive.getnames()


def test_package_refuses_an_invalid_corpus_and_writes_nothing(
    repo_copy: Path, tmp_path: Path
) -> None:
    mentions = next((repo_copy / "corpus/articles").iterdir()) / "article.yaml"
    text = mentions.read_text(encoding="utf-8")
    mentions.write_text(text.replace("start: ", "start: 1", 1), encoding="utf-8")
    with pytest.raises(InvalidCorpusError):
        package(repo_copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["json", "datasets", "2024-news"])
def test_package_refuses_a_dataset_name_python_cannot_import_as_its_own(
    project: Project, tmp_path: Path, name: str
) -> None:
    project.edit("corpus/dataset.yaml", "name: example-news-corpus", f"name: {name}")
    with pytest.raises(ProjectError, match=r"rename it in corpus/dataset\.yaml"):
        package(project.root, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_new_project_packages_with_pip_through_its_own_pyproject(
    project: Project, tmp_path: Path
) -> None:
    """`init` writes a pyproject.toml whose backend is articlepack: a PEP 517 frontend builds the
    same wheel as `articlepack package`."""
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path)],
        cwd=project.root,
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("*.whl"))
    assert wheel.read_bytes() == package(project.root, tmp_path / "direct")[0].read_bytes()


# Installing into fresh virtual environments, offline --------------------------------------------


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The loader's dependencies and extras, downloaded once: the installs below are offline."""
    house = tmp_path_factory.mktemp("wheelhouse")
    download = [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:"]
    done = subprocess.run(
        [*download, "--dest", house, *REQUIRES.values()],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_CACHE_DIR": str(house / ".cache")},
    )
    if done.returncode:
        pytest.skip(f"the package index cannot be reached: {done.stderr[-300:]}")
    shutil.rmtree(house / ".cache", ignore_errors=True)
    return house


def _install(wheel: Path, house: Path, where: Path) -> Path:
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    extras = ",".join(k for k in REQUIRES if k)
    requirement = f"{wheel}[{extras}]"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-index", "--find-links", house, requirement],
        check=True,
        capture_output=True,
    )
    return python


def _offline(tmp_path: Path) -> dict[str, str]:
    return {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "HF_HOME": str(tmp_path / "hf"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["bundled", "custom"])
def test_a_dataset_wheel_installs_offline_and_loads_every_table_in_every_format(
    scheme: str, wheelhouse: Path, tmp_path: Path
) -> None:
    source = ROOT if scheme == "bundled" else custom_project(tmp_path / "custom").root
    wheel, _ = package(source, tmp_path / "dist")
    module = wheel.name.split("-")[0]
    python = _install(wheel, wheelhouse, tmp_path / "venv")
    env = _offline(tmp_path)
    done = subprocess.run(
        [python, "-c", _LOAD_ALL, module], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["articlepack"] is False  # it loaded without the tool
    assert result["version"] == wheel.name.split("-")[1]
    for key, rows in result["loaded"].items():
        assert rows == result["tables"][key.split("/")[0]], key
    if scheme == "custom":
        assert result["tables"]["relations"] == 1
    else:
        assert result["tables"]["articles"] == 5 and result["citation"] == "cff-version: "
    tampered = subprocess.run(
        [python, "-c", _TAMPER, module, "data/mentions/train-00000-of-00001.parquet", "mentions"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert "IntegrityError: " in tampered.stdout, tampered.stderr[-2000:]
    assert "data/mentions/train-00000-of-00001.parquet" in tampered.stdout


@pytest.mark.slow
def test_a_missing_extra_names_the_pip_command(wheelhouse: Path, tmp_path: Path) -> None:
    wheel, _ = package(ROOT, tmp_path / "dist")
    where = tmp_path / "venv"
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-index", "--find-links", wheelhouse, wheel],
        check=True,
        capture_output=True,
    )
    script = (
        "import russia_syria_diplomacy as d\n"
        "print(d.load('events').num_rows)\n"
        "try:\n    d.load('events', format='polars')\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [python, "-c", script], env=_offline(tmp_path), capture_output=True, text=True
    )
    assert done.stdout.splitlines() == [
        "68",
        "format='polars' needs polars: pip install \"russia-syria-diplomacy[polars]\"",
    ], done.stderr[-2000:]
