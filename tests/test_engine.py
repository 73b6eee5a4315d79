"""`--engine dask`: the same findings and the same release as the local engine, on a real Dask
cluster of worker processes on loopback, even when a worker dies in the middle of a run."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import articlepack
from articlepack.builder import build
from articlepack.engine import NAMES, validate
from articlepack.engine.dask import LOOPBACK_HTTP
from conftest import ROOT
from custom_scheme import custom_project

distributed = pytest.importorskip("distributed")


def _synth() -> Any:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synth

    return synth


def _cluster() -> Any:
    """A real cluster: two worker processes on loopback, no dashboard, ports chosen free."""
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs=LOOPBACK_HTTP,
    )


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with _cluster() as cluster:
        yield cluster.scheduler_address


def _json(report: articlepack.Report) -> dict[str, Any]:
    body = json.loads(report.to_json())
    body["errors"] = sorted(body["errors"], key=lambda f: json.dumps(f, sort_keys=True))
    return body


def _files(release: Path) -> dict[str, str]:
    return {
        str(p.relative_to(release)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(release.rglob("*"))
        if p.is_file()
    }


def _same_release(project: Path, out: Path, address: str, chunk: int = 0) -> Path:
    """Build ``project`` locally and on the cluster; assert the two are byte-identical."""
    local = build(project, out / "local")
    on_dask = build(project, out / "dask", engine="dask", address=address, chunk=chunk)
    assert _files(local) == _files(on_dask)
    return on_dask


def _synthetic(root: Path, n: int) -> Path:
    return Path(_synth().generate(root, n, seed=5))


def _plant(project: Path, *, duplicate: bool) -> list[str]:
    """An unknown entity id in one article, a span off by one in another and, with
    ``duplicate``, a third article that takes the id of a fourth; returns the folders."""
    folders = sorted(p.name for p in (project / "corpus" / "articles").iterdir())
    first, second, third, fourth = folders[3], folders[40], folders[77], folders[78]

    def edit(folder: str, pattern: str, replace: Any) -> None:
        path = project / "corpus" / "articles" / folder / "article.yaml"
        text, n = re.subn(pattern, replace, path.read_text(encoding="utf-8"), count=1)
        assert n == 1, (folder, pattern)
        path.write_text(text, encoding="utf-8")

    edit(first, r"entity: [a-z0-9-]+\}", "entity: no-such-entity}")
    edit(second, r"\{id: m2, start: (\d+),", lambda m: f"{{id: m2, start: {int(m[1]) + 1},")
    if duplicate:
        edit(third, r'^id: "[^"]+"', f'id: "{fourth}"')
    return [first, second, third, fourth]


def test_the_cli_knows_every_engine() -> None:
    from articlepack.cli._validate import Engine

    assert {e.value for e in Engine} == set(NAMES)


@pytest.mark.slow  # starts a cluster for each of its two commands
@pytest.mark.filterwarnings("error:Port 8787 is already in use")
def test_bundled_corpus_validates_and_builds_the_same_with_a_cluster_of_its_own(
    cli: Any, tmp_path: Path
) -> None:
    """No --address: the command starts its own cluster (two worker processes) and stops it,
    clashing with no other cluster's ports (Dask's default is 8787, held here if free)."""
    local = cli("validate", str(ROOT), "--format", "json")
    with socket.socket() as held:
        with contextlib.suppress(OSError):  # already taken: the clash is there anyway
            held.bind(("127.0.0.1", 8787))
            held.listen()
        on_dask = cli("validate", str(ROOT), "--format", "json", "--engine", "dask")
    assert (local.exit_code, on_dask.exit_code) == (0, 0)
    assert json.loads(local.stdout) == json.loads(on_dask.stdout)
    built = cli("build", str(ROOT), "--out", str(tmp_path / "dask"), "-q", "--engine", "dask")
    assert built.exit_code == 0, built.output
    release = Path(built.stdout.strip().splitlines()[-1])
    assert _files(release) == _files(build(ROOT, tmp_path / "local"))


def test_custom_scheme_validates_and_builds_the_same(address: str, tmp_path: Path) -> None:
    project = custom_project(tmp_path / "custom").root
    assert _json(validate(project, "dask", address=address)) == _json(validate(project))
    release = _same_release(project, tmp_path, address)
    assert (release / "data" / "relations" / "train-00000-of-00001.parquet").is_file()


def test_synthetic_corpus_builds_byte_identical_from_many_chunks(
    address: str, tmp_path: Path
) -> None:
    """120 articles in chunks of 25: each table is written from five parts plus the driver's."""
    project = _synthetic(tmp_path / "synth", 120)
    _same_release(project, tmp_path, address, chunk=25)


@pytest.mark.parametrize("duplicate", [False, True], ids=["own-ids", "duplicate-id"])
def test_planted_errors_give_the_same_findings(
    address: str, tmp_path: Path, duplicate: bool
) -> None:
    """An unknown entity id and a bad span are found within their chunks or against the registry;
    a duplicate id makes the driver check the whole corpus, as the local engine does."""
    project = _synthetic(tmp_path / "synth", 120)
    first, second, third, _ = _plant(project, duplicate=duplicate)
    local = _json(validate(project))
    on_dask = _json(validate(project, "dask", address=address, chunk=25))
    assert on_dask == local
    found = {(f["code"], f["file"].split("/")[2]) for f in on_dask["errors"]}
    assert ("missing-reference", first) in found
    assert ("span-text-mismatch", second) in found
    assert (("id-folder-mismatch", third) in found) is duplicate
    assert ("duplicate-id" in {code for code, _ in found}) is duplicate


class _KillFirstRead(distributed.WorkerPlugin):  # type: ignore[misc]
    """Kills its worker's process as the cluster's first read task starts on it (once: the
    marker file records the pid it killed)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing" or not str(key).startswith("_read"):
            return
        try:
            handle = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(handle, str(os.getpid()).encode())
        os.close(handle)
        os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.slow  # a cluster of its own, and a worker restarted
def test_a_worker_killed_mid_run_changes_nothing(tmp_path: Path) -> None:
    import cloudpickle

    project = _synthetic(tmp_path / "synth", 120)
    _plant(project, duplicate=False)
    marker = tmp_path / "killed"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import it
    with _cluster() as cluster, distributed.Client(cluster) as client:
        client.register_plugin(_KillFirstRead(str(marker)))
        on_dask = _json(validate(project, "dask", address=cluster.scheduler_address, chunk=25))
        alive = set(client.run(os.getpid).values())
    assert int(marker.read_text()) not in alive  # a worker did die, and was replaced
    assert on_dask == _json(validate(project))


def test_dask_not_installed_says_how_to_install_it(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    result = cli("validate", str(ROOT), "--engine", "dask")
    assert result.exit_code == 2
    assert "pip install 'articlepack[dask]'" in result.stderr


def test_address_without_a_distributed_engine_is_refused(cli: Any) -> None:
    result = cli("build", str(ROOT), "--address", "tcp://127.0.0.1:8786")
    assert result.exit_code == 2
    assert "--engine dask" in result.stderr


def test_an_address_that_is_no_scheduler_is_refused(cli: Any) -> None:
    result = cli("validate", str(ROOT), "--engine", "dask", "--address", "no-port")
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at no-port" in result.stderr


def test_an_unknown_engine_is_refused(cli: Any) -> None:
    assert cli("validate", str(ROOT), "--engine", "spark").exit_code == 2


def test_a_table_written_in_parts_is_the_table_written_whole(tmp_path: Path) -> None:
    """Regression: the Parquet writer cuts its pages where the table's chunks end, so 10 MB of
    text written a chunk of articles at a time gave other bytes than written whole."""
    import pyarrow as pa

    from articlepack.builder.parquet import write_table

    texts = [f"{i:05d} " + "word " * (200 + i % 300) for i in range(5_000)]
    table = pa.table({"id": list(range(5_000)), "text": texts})
    whole = write_table(tmp_path / "whole", "t", [table])
    parts = write_table(tmp_path / "parts", "t", [table.slice(i, 37) for i in range(0, 5_000, 37)])
    assert (whole.rows, whole.sha256) == (parts.rows, parts.sha256) == (5_000, whole.sha256)


def test_an_empty_corpus_gives_the_same_findings(address: str, project: Any) -> None:
    for folder in (project.root / "corpus" / "articles").iterdir():
        shutil.rmtree(folder)
    on_dask = _json(validate(project.root, "dask", address=address))
    assert on_dask == _json(validate(project.root))
    assert "empty-corpus" in {f["code"] for f in on_dask["errors"]}


def test_a_path_that_is_no_project_fails_before_a_cluster_starts(cli: Any, tmp_path: Path) -> None:
    result = cli("validate", str(tmp_path), "--engine", "dask")
    assert result.exit_code == 2
    assert "is not a dataset project" in result.stderr


def test_workers_that_see_no_project_stop_the_run(address: str, project: Any) -> None:
    """The project moved after the driver listed it: the workers see nothing at its path, and
    say so, rather than reporting every article missing."""
    from articlepack.corpus import read_outline
    from articlepack.engine import dask
    from articlepack.engine._split import Run
    from articlepack.errors import EngineError

    outline = read_outline(project.root)
    project.root.rename(project.root.with_name("moved"))
    with dask.connect(address) as tasks, pytest.raises(EngineError, match="sees no project"):
        Run(outline, tasks).check()
