"""The reader's worker processes: many article folders read in parallel, a chunk per task.

Workers start from a fresh server process, never forked from this one: a fork of a process whose
polars thread pool has run leaves the child waiting on threads it lacks. Each writes the tables
of its chunk to Arrow files in a spool folder, which the parent maps into memory: nothing is
copied through a pipe or unpickled, only the pages the parent reads become resident, and the
cache can keep the files as they are.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from articlepack import _articles
from articlepack._articles import Chunk
from articlepack._corpus import Check
from articlepack._imports import HIDE_UNNEEDED
from articlepack.schema import TableSchema
from articlepack.verify import sha256_file

if TYPE_CHECKING:
    import concurrent.futures
    import multiprocessing.context

    import polars as pl

PARALLEL_FROM = 200  # articles; below this, process start-up costs more than it saves
# A worker is given at least _articles.CHUNK articles at a time, and at most MAX_CHUNK: each
# chunk's checks cost 0.2 s more, and each article holds ~0.1 MB.
MAX_CHUNK = 5_000
CHECK_FROM = 5_000  # articles; below this, workers leave the checks to the parent (faster)


def read(
    root: Path,
    jobs: list[tuple[str, str | None]],
    workers: int | None,
    schemas: dict[str, TableSchema],
    check: Check | None,
    spool: str,
) -> list[Chunk]:
    """Read the folders of ``jobs`` (each with the article.yaml sha256 the cache holds), in
    parallel when there are many, in chunks of a few per worker; workers ``check`` too.

    Raises OSError when the workers cannot write their files in ``spool``.
    """
    from concurrent.futures import ProcessPoolExecutor  # only here: a tenth of a second
    from concurrent.futures.process import BrokenProcessPool

    workers = workers or os.cpu_count() or 1
    if _parallel(len(jobs), workers):
        check = check if len(jobs) >= CHECK_FROM else None
        size = min(max(_articles.CHUNK, -(-len(jobs) // (2 * workers))), MAX_CHUNK)
        chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
        n = len(chunks)
        try:
            with ProcessPoolExecutor(
                min(workers, n), mp_context=_start_method(), initializer=_start_worker
            ) as pool:
                spooled = pool.map(
                    _spool, [spool] * n, [root] * n, chunks, [schemas] * n, [check] * n
                )
                return [_unspool(chunk) for chunk in spooled]
        except BrokenProcessPool:  # a worker could not start (a script without a main guard?)
            pass
    if not jobs:
        return []
    with paused_gc():
        return [_articles.read_chunk(root, jobs, schemas)]


def warm_up(folders: int, workers: int | None) -> None:
    """Start the workers' fork server if ``folders`` will be read in parallel: it imports its
    modules (half a second) while this process does the same and reads the small files."""
    if _parallel(folders, workers) and _start_method().get_start_method() == "forkserver":
        import multiprocessing.forkserver

        multiprocessing.forkserver.ensure_running()


def pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """``workers`` processes started as the reader's are (from the fork server), for other
    work that is cut into tasks (the review site's pages)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=_start_method(), initializer=_start_worker)


def _parallel(folders: int, workers: int | None) -> bool:
    """Whether ``folders`` article folders are read by worker processes."""
    return folders >= PARALLEL_FROM and (workers or os.cpu_count() or 1) > 1


def _start_method() -> multiprocessing.context.BaseContext:
    """A fork server where there is one, which has imported what the workers run."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "polars", "pyarrow.compute"])
    return context


def _start_worker() -> None:
    """A worker never needs pandas or hypothesis (see :mod:`articlepack._imports`), nor to
    look for garbage among what it imported."""
    sys.meta_path.insert(0, HIDE_UNNEEDED)
    gc.freeze()


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while articles are parsed and flattened. Their documents
    hold no cycles (reference counting frees them), but the collector, triggered by their
    many allocations, scanned every live object again and again: a tenth of a cold read's CPU."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _spool(
    spool: str,
    root: Path,
    jobs: list[tuple[str, str | None]],
    schemas: dict[str, TableSchema],
    check: Check | None,
) -> Chunk:
    """:func:`~articlepack._articles.read_chunk` in a worker, its tables written to Arrow files
    in ``spool``, each hashed as written (the cache records the sha256 of each file it keeps)."""
    import tempfile

    with paused_gc():
        chunk = _articles.read_chunk(root, jobs, schemas, check)
    files, digests = {}, {}
    for name, table in chunk.tables.items():
        handle, files[name] = tempfile.mkstemp(".arrow", f"{name}-", spool)
        os.close(handle)
        table.write_ipc(files[name])
        digests[Path(files[name]).name] = sha256_file(Path(files[name]))
    return replace(chunk, tables={}, files=files, digests=digests)


def _unspool(chunk: Chunk) -> Chunk:
    """A worker's chunk with its tables mapped from their files."""
    return replace(chunk, tables={name: _map_arrow(p) for name, p in chunk.files.items()})


def _map_arrow(path: str) -> pl.DataFrame:
    """A table from an Arrow IPC file this process's own workers just wrote (into the spool),
    mapped into memory rather than copied (pages are read only when used). Not for files from
    elsewhere: the buffers are not checked, and a corrupt file could crash the process."""
    import polars as pl
    import pyarrow as pa

    with pa.memory_map(path) as source:
        table = pa.ipc.open_file(source).read_all()
    return cast("pl.DataFrame", pl.from_arrow(table, rechunk=False))
