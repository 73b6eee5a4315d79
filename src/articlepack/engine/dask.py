"""The Dask distributed engine: a cluster's workers run the tasks of :mod:`._split`.

The cluster is the one at the address given (``--address``), else at Dask's own
``scheduler-address`` setting (which ``DASK_SCHEDULER_ADDRESS`` sets); without either, a cluster
of worker processes on this machine's loopback starts and stops with the command, with no
dashboard and every port chosen free (no clash with another run's). A worker that dies is
replaced (by its nanny, on a local cluster) and its tasks run again elsewhere; Dask gives up on a
task that has killed ``distributed.scheduler.allowed-failures`` workers (3 by default), and so
does the command.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from articlepack.engine import INSTALL
from articlepack.errors import EngineError

if TYPE_CHECKING:
    from distributed import Client

    from articlepack.engine._split import Tasks

CONNECT_TIMEOUT_S = 30
#: With no dashboard, a scheduler still serves its health checks over HTTP, by default on port
#: 8787 of its host: on a free loopback port instead, no run clashes with another's.
LOOPBACK_HTTP = {"dashboard_address": "127.0.0.1:0"}
#: Dask's statistical profiler samples each task's stack every 10 ms, holding the GIL: it made
#: the reading of article files (Python) 14% slower, for a dashboard nobody sees.
LOCAL_CONFIG = {"distributed.worker.profile.enabled": False}
#: worker processes of a cluster started for one command: one a core, and at least two
LOCAL_WORKERS = max(2, os.cpu_count() or 1)


@contextmanager
def connect(address: str | None = None) -> Iterator[Tasks]:
    """Tasks on the cluster at ``address`` (or Dask's ``scheduler-address``), else on a cluster
    of this machine's that lasts as long as the ``with`` block."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(
            f"the dask engine needs Dask distributed, which is not installed: {INSTALL['dask']}"
        ) from None
    address = address or dask.config.get("scheduler-address", None)
    with ExitStack() as stack:
        if address:
            client = stack.enter_context(_client(Client, address))
        else:
            with dask.config.set(LOCAL_CONFIG):  # the workers take the config they start with
                cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=LOCAL_WORKERS,
                    threads_per_worker=1,  # the work is Python and polars (with threads of its own)
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    scheduler_kwargs=LOOPBACK_HTTP,
                    silence_logs=logging.ERROR,
                )
            stack.enter_context(cluster)
            client = stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]
        yield _DaskTasks(client)


def _client(client: Any, address: str) -> Any:
    """A client of the scheduler at ``address``. A client whose IO loop thread does not start
    within the 10 s distributed gives it (an AssertionError in its LoopRunner, seen once on a
    loaded machine) is tried once more."""
    try:
        try:
            return client(address, timeout=CONNECT_TIMEOUT_S)
        except AssertionError:
            return client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise EngineError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    except AssertionError:
        raise EngineError(
            f"cannot reach the Dask scheduler at {address}: the client's IO loop did not start"
        ) from None


class _DaskTasks:
    """:class:`~articlepack.engine._split.Tasks` as a Dask client's futures."""

    def __init__(self, client: Client) -> None:
        self.client = client

    @property
    def workers(self) -> int:
        return sum(self.client.nthreads().values()) or 1  # type: ignore[no-untyped-call]

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def result(self, handle: Any) -> Any:
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        try:
            return handle.result()
        except KilledWorker as exc:
            raise EngineError(
                f"Dask gave up on a task, which killed every worker it ran on: {exc}"
            ) from None
        except FutureCancelledError as exc:
            raise EngineError(
                f"the Dask cluster cancelled a task (was it shut down?): {exc}"
            ) from None
