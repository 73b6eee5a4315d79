"""The pip-installed package: a wheel built from the checkout (and from the sdist) carries the
release, and loads it offline in a fresh virtual environment."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

_CHECK = r"""
import json, sys
import articlepack
info = articlepack.info()
out = {"name": info.name, "version": info.version, "tables": info.tables, "loaded": {}}
for table in info.tables:
    for fmt in ("datasets", "pandas", "polars", "arrow"):
        data = articlepack.load(table, format=fmt)
        out["loaded"][f"{table}/{fmt}"] = data.num_rows if fmt in ("datasets", "arrow") else len(data)
articles = articlepack.load(format="polars")
mentions = articlepack.load("mentions", format="polars")
text = dict(zip(articles["id"], articles["text"]))
out["bad_spans"] = [m["id"] for m in mentions.iter_rows(named=True)
                    if text[m["article_id"]] is not None and text[m["article_id"]][m["start"]:m["end"]] != m["text"]]
print(json.dumps(out))
"""

_TAMPER = r"""
import articlepack
from articlepack.load import bundled
path = bundled() / "data" / "quotes" / "train-00000-of-00001.parquet"
data = bytearray(path.read_bytes()); data[100] ^= 1; path.write_bytes(bytes(data))
try:
    articlepack.load("quotes", format="arrow")
except articlepack.IntegrityError as exc:
    print("IntegrityError:", exc)
"""


def _build(*args: str, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", *args, "--outdir", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = _build("--wheel", out=tmp_path_factory.mktemp("wheel"))
    return next(out.glob("*.whl"))


def _release_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("articlepack/_release/")}


def test_wheel_carries_the_release(wheel: Path) -> None:
    files = _release_files(wheel)
    names = {n.split("/")[2] for n in files}
    dataset = (ROOT / "corpus" / "dataset.yaml").read_text()
    assert len(names) == 1 and next(iter(names)).startswith("russia-syria-diplomacy-")
    assert any(n.endswith("datapackage.json") for n in files) and "version:" in dataset


def test_wheel_from_sdist_equals_wheel_from_checkout(wheel: Path, tmp_path: Path) -> None:
    sdist = next(_build("--sdist", out=tmp_path / "sdist").glob("*.tar.gz"))
    subprocess.run(["tar", "-xzf", str(sdist), "-C", str(tmp_path)], check=True)
    unpacked = next(
        p for p in tmp_path.iterdir() if p.is_dir() and p.name.startswith("articlepack-")
    )
    assert (unpacked / "corpus" / "dataset.yaml").is_file() and (unpacked / "schemas").is_dir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--no-isolation",
            "--wheel",
            "--outdir",
            str(tmp_path / "w2"),
        ],
        cwd=unpacked,
        check=True,
        capture_output=True,
    )
    again = next((tmp_path / "w2").glob("*.whl"))
    assert _release_files(again) == _release_files(wheel)


def test_fresh_venv_loads_every_table_offline(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True)
    offline = {
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "HF_HOME": str(tmp_path / "hf"),
    }
    done = subprocess.run(
        [python, "-c", _CHECK], cwd=tmp_path, env=offline, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["name"] == "russia-syria-diplomacy"
    for key, rows in result["loaded"].items():
        assert rows == result["tables"][key.split("/")[0]], key
    assert result["tables"]["articles"] == 5 and result["bad_spans"] == []
    tampered = subprocess.run(
        [python, "-c", _TAMPER], cwd=tmp_path, env=offline, capture_output=True, text=True
    )
    assert (
        "IntegrityError: " in tampered.stdout
        and "data/quotes/train-00000-of-00001.parquet" in tampered.stdout
    )
