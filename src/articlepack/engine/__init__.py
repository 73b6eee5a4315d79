"""Where ``validate`` and ``build`` do their per-article work: on this machine or on a cluster.

- ``local`` (the default): this machine's worker pool, with the reader's cache
  (:func:`articlepack.corpus.read_checked`).
- ``dask``: a Dask distributed cluster (:mod:`.dask`): the one at ``address`` (or at
  ``DASK_SCHEDULER_ADDRESS``), else one on this machine that starts and stops with the command.

On a distributed engine the work is split as :mod:`._split` says: the per-article work runs as
the engine's tasks over chunks of article folders; what spans articles runs on the driver, where
it is small; each published table streams to its Parquet file a chunk at a time, in article
order. Both engines give the same report and the same release, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from articlepack.errors import EngineError, InvalidCorpusError

if TYPE_CHECKING:
    import pyarrow

    from articlepack.corpus import Corpus
    from articlepack.engine._split import Tasks
    from articlepack.report import Report

NAMES = ("local", "dask")
#: what to install for an engine that is not built in
INSTALL = {"dask": "pip install 'articlepack[dask]'"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Validated:
    """A valid project, as a build writes it: the corpus (on a distributed engine, without its
    articles' rows: they stay on the workers), its report, and each published table's parts in
    article order (:func:`parts`)."""

    corpus: Corpus
    report: Report
    parts: Callable[[str], Iterator[pyarrow.Table]]


def validate(
    project: Path | str, engine: str = "local", *, address: str | None = None, chunk: int = 0
) -> Report:
    """Read and validate the project on ``engine``; the report is the same on every engine.

    ``chunk``: article folders per task on a distributed engine (0: :func:`._split.chunk_size`).
    Raises :class:`EngineError`, and :class:`articlepack.errors.ProjectError` as
    :func:`articlepack.validate` does.
    """
    if _local(engine, address):
        from articlepack.validation import validate as run

        return run(project)
    from articlepack.corpus import read_outline
    from articlepack.engine._split import Run

    outline = read_outline(project)  # a path that is no project fails before a cluster starts
    with _tasks(engine, address) as tasks:
        return Run(outline, tasks, chunk).check()[1]


@contextmanager
def validated(
    project: Path,
    engine: str = "local",
    *,
    address: str | None = None,
    chunk: int = 0,
    progress: Progress | None = None,
) -> Iterator[Validated]:
    """The project read and validated on ``engine``, which stays up while the caller writes its
    tables. Raises :class:`InvalidCorpusError` when it is invalid, and :class:`EngineError`."""
    step = progress or (lambda _name: None)
    if _local(engine, address):
        with _read_here(project, step) as here:
            yield here
        return
    from articlepack.corpus import read_outline
    from articlepack.engine._split import Run

    outline = read_outline(project)
    with _tasks(engine, address) as tasks:
        step("read")
        run = Run(outline, tasks, chunk)
        corpus, report = run.check()
        step("validate")
        if not report.valid:
            raise InvalidCorpusError(report)
        yield Validated(corpus, report, run.parts)


def _local(engine: str, address: str | None) -> bool:
    """Whether ``engine`` is this machine's, once ``address`` is shown not to go with it."""
    if engine == "local" and address is not None:
        raise EngineError(f"{address} is the address of a cluster: give it with engine='dask'")
    return engine == "local"


@contextmanager
def _read_here(project: Path, step: Progress) -> Iterator[Validated]:
    """The project read by this machine's worker pool, then published a chunk of articles at a
    time into a spool that lasts as long as the run (:mod:`.local`)."""
    from articlepack.checks import check, check_articles
    from articlepack.corpus import read_checked
    from articlepack.engine.local import spooled

    step("read")
    corpus, checked = read_checked(project, check=check_articles)
    step("validate")
    report = check(corpus, checked)
    if not report.valid:
        raise InvalidCorpusError(report)
    with spooled(corpus) as spool:
        del corpus  # the spool lets go of its rows once published
        yield Validated(spool.corpus, report, spool.parts)


@contextmanager
def _tasks(engine: str, address: str | None) -> Iterator[Tasks]:
    """The tasks of a distributed ``engine``'s cluster, for the length of the run."""
    if engine == "dask":
        from articlepack.engine import dask

        with dask.connect(address) as tasks:
            yield tasks
        return
    raise EngineError(f"unknown engine {engine!r} (known: {', '.join(NAMES)})")
