"""Shared fixtures: a fresh copy of the `articlepack init` project, and a CLI runner.

No test writes outside its temporary folders. ``pytest_configure`` points every home-like and
cache path at a folder of the run's own before any test module imports ``datasets`` (which
reads its cache paths at import time), and the autouse ``_isolated`` fixture points them at each
test's ``tmp_path``; ``tests/test_isolation.py`` proves that a run leaves a user's home untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import articlepack
from articlepack.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "2020-01-01-example-ministers-meet"
#: The warning that a project is still `init`'s example: tests of other things set it aside
#: (tests/test_init.py tests it).
EXAMPLE_WARNING = "template-project"
#: the bundled corpus's tables (the `init` template's too), in the order its schemas give them
TABLES = ("articles", "segments", "entities", "mentions", "events", "event_arguments", "quotes")
#: every variable through which a library finds a home, cache or config folder, or a secret
HOME_VARIABLES = (
    "HOME",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "HF_HOME",
    "HF_DATASETS_CACHE",
    "HF_HUB_CACHE",
)
UNSET = ("ARTICLEPACK_CACHE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH")


def _point_home_at(base: Path, setenv: Callable[[str, str], None]) -> None:
    for name in HOME_VARIABLES:
        folder = base / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        setenv(name, str(folder))


def pytest_configure(config: pytest.Config) -> None:
    base = Path(tempfile.mkdtemp(prefix="articlepack-tests-"))
    config.stash[_RUN_HOME] = base
    _point_home_at(base, os.environ.__setitem__)
    for name in UNSET:
        os.environ.pop(name, None)
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    base = config.stash.get(_RUN_HOME, None)
    if base is not None:
        shutil.rmtree(base, ignore_errors=True)


_RUN_HOME = pytest.StashKey[Path]()


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every home-like and cache path of this test is a temporary folder of its own."""
    _point_home_at(tmp_path_factory.mktemp("home"), monkeypatch.setenv)
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)


class Project:
    """A throw-away dataset project with helpers to damage it one way at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def article(self) -> Path:
        return self.root / "corpus" / "articles" / EXAMPLE / "article.yaml"

    @property
    def raw(self) -> Path:
        return self.root / "corpus" / "articles" / EXAMPLE / "raw.txt"

    def edit(self, relative: str | Path, old: str, new: str) -> None:
        path = self.root / relative if isinstance(relative, str) else relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def edit_article(self, old: str, new: str) -> None:
        self.edit(self.article, old, new)

    def validate(self, *args: str) -> tuple[int, dict[str, Any]]:
        """Exit code and JSON report, without the one warning every `init` project carries."""
        result = CliRunner().invoke(app, ["validate", str(self.root), "--format", "json", *args])
        assert "Traceback" not in result.output
        report = json.loads(result.output)
        report["errors"] = [f for f in report["errors"] if f["code"] != EXAMPLE_WARNING]
        return result.exit_code, report


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(articlepack.init(tmp_path / "project"))


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The bundled project (corpus, schemas, datacard) copied so that it can be changed."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "corpus", root / "corpus")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    shutil.copy(ROOT / "datacard.md", root / "datacard.md")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the `init` template, built once per test module (copy it before changing)."""
    project = articlepack.init(tmp_path_factory.mktemp("p") / "project")
    from articlepack.builder import build

    return build(project, tmp_path_factory.mktemp("dist"))


@pytest.fixture
def cli() -> Callable[..., Any]:
    def run(*args: str) -> Any:
        result = CliRunner().invoke(app, list(args))
        assert "Traceback" not in result.output
        return result

    return run


BIN = Path(sys.executable).parent


def frictionless(release: Path) -> tuple[int, dict[str, Any]]:
    """`frictionless validate --json` on a release's Data Package: exit code and report."""
    done = subprocess.run(
        [BIN / "frictionless", "validate", "--json", release / "datapackage.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def mlcroissant(release: Path) -> subprocess.CompletedProcess[str]:
    """`mlcroissant validate` on a release's Croissant file."""
    return subprocess.run(
        [BIN / "mlcroissant", "validate", "--jsonld", release / "croissant.json"],
        capture_output=True,
        text=True,
        check=False,
    )
