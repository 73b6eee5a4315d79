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


FIXTURES = Path(__file__).parent / "fixtures" / "agreement"  # two annotators' own versions


def _benchmarks() -> tuple[Any, Any]:
    """benchmarks/synth.py (a synthetic corpus) and benchmarks/plant.py (errors planted in it:
    the test and the 10k/100k benchmark plant the same)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import plant
    import synth

    return synth, plant


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
    return Path(_benchmarks()[0].generate(root, n, seed=5))


def _plant(project: Path, *, duplicate: bool) -> dict[str, str]:
    """Two annotators' versions of every 10th article, then errors spread over chunks of 25:
    in article.yaml files and in annotators' files (benchmarks/plant.py)."""
    planter = _benchmarks()[1]
    annotated = planter.annotate(project, 10)
    return dict(planter.plant(project, duplicate=duplicate, annotated=annotated))


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
    """With annotators' own versions: checked by a task, measured into the card by the driver."""
    project = custom_project(tmp_path / "custom").root
    shutil.copytree(FIXTURES / "custom", project / "corpus" / "annotations")
    assert _json(validate(project, "dask", address=address)) == _json(validate(project))
    release = _same_release(project, tmp_path, address)
    assert (release / "data" / "relations" / "train-00000-of-00001.parquet").is_file()
    assert "relations | span F1" in (release / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["bundled", "custom"])
def test_annotators_files_with_errors_give_the_same_json_findings(
    cli: Any, address: str, tmp_path: Path, scheme: str
) -> None:
    """An annotator's span past the end of the text (checked by the task that read its article)
    and a file of no article (found by the driver, which lists corpus/annotations/)."""
    root = articlepack.init(tmp_path / "p") if scheme == "bundled" else None
    root = root or custom_project(tmp_path / "p").root
    annotations = root / "corpus" / "annotations"
    shutil.copytree(FIXTURES / scheme, annotations)
    mine = next((annotations / "bob").iterdir())
    text = re.sub(r"end: \d+,", "end: 9999,", mine.read_text(encoding="utf-8"), count=1)
    mine.write_text(text, encoding="utf-8")
    shutil.copy(mine, annotations / "alice" / "2099-01-01-no-such-article.yaml")
    local = cli("validate", str(root), "--format", "json")
    on_dask = cli(
        "validate", str(root), "--format", "json", "--engine", "dask", "--address", address
    )
    assert (local.exit_code, on_dask.exit_code) == (1, 1)
    assert json.loads(on_dask.stdout) == json.loads(local.stdout)
    found = {(f["code"], f["file"]) for f in json.loads(on_dask.stdout)["errors"]}
    assert ("span-outside-text", mine.relative_to(root).as_posix()) in found
    assert ("unknown-article", "corpus/annotations/alice/2099-01-01-no-such-article.yaml") in found


def test_the_python_api_validates_on_an_engine(address: str, tmp_path: Path) -> None:
    from articlepack.errors import EngineError

    project = custom_project(tmp_path / "custom").root
    on_dask = articlepack.validate(project, engine="dask", address=address)
    assert _json(on_dask) == _json(articlepack.validate(project))
    with pytest.raises(EngineError, match="give it with engine='dask'"):
        articlepack.validate(project, address=address)


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
    """An unknown entity id and a bad span are found within their chunks or against the registry,
    in article.yaml files and in annotators' files; a duplicate id makes the driver check the
    whole corpus, as the local engine does."""
    project = _synthetic(tmp_path / "synth", 120)
    where = _plant(project, duplicate=duplicate)
    local = _json(validate(project))
    on_dask = _json(validate(project, "dask", address=address, chunk=25))
    assert on_dask == local
    found = {(f["code"], f["file"]) for f in on_dask["errors"]}
    article = "corpus/articles/{}/article.yaml".format
    assert ("missing-reference", article(where["unknown-entity"])) in found
    assert ("span-text-mismatch", article(where["span"])) in found
    assert ("span-text-mismatch", where["annotator-span"]) in found
    assert ("missing-reference", where["annotator-entity"]) in found
    assert ("unknown-article", where["annotator-of-no-article"]) in found
    assert ("stray-file", where["stray"]) in found
    assert (("id-folder-mismatch", article(where.get("duplicate"))) in found) is duplicate
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


def test_a_client_whose_io_loop_does_not_start_is_tried_once_more() -> None:
    """distributed asserts when a client's IO loop thread does not start within 10 s (seen once
    on a loaded machine): one more try, then a clear EngineError, never a bare AssertionError."""
    from articlepack.engine import dask as engine_dask
    from articlepack.errors import EngineError

    tries: list[str] = []

    def flaky(address: str, timeout: float) -> str:
        tries.append(address)
        if len(tries) == 1:
            raise AssertionError
        return f"client of {address}"

    assert engine_dask._client(flaky, "tcp://127.0.0.1:1") == "client of tcp://127.0.0.1:1"
    assert len(tries) == 2

    def never(address: str, timeout: float) -> str:
        raise AssertionError

    with pytest.raises(EngineError, match="IO loop did not start"):
        engine_dask._client(never, "tcp://127.0.0.1:1")
