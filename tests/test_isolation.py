"""The test suite leaves no trace in a user's home: every cache and home path is redirected.

A regression test: one run of the suite once left about 460 folders (218 MB) in
``~/.cache/articlepack``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


def _snapshot(folder: Path) -> set[tuple[str, int]]:
    return {(p.relative_to(folder).as_posix(), p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.mark.slow
def test_a_test_run_leaves_the_users_cache_folder_untouched(tmp_path: Path) -> None:
    home = tmp_path / "user"
    (home / ".cache" / "articlepack").mkdir(parents=True)
    (home / ".cache" / "articlepack" / "kept.txt").write_text("the user's own file\n")
    before = _snapshot(home)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XDG_", "HF_", "ARTICLEPACK_", "PYTEST_"))
    }
    env.update(HOME=str(home), TMPDIR=str(temp))
    # tests that read (and so cache) a project, build a release and load it with datasets
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_cache.py",
            "tests/test_build.py::test_load_dataset_reads_every_table_with_its_features",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert _snapshot(home) == before
    assert not list(temp.glob("articlepack-tests-*")), "the run's own home folder was left behind"
