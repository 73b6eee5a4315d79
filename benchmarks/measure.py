"""Measure one command as a whole process tree: wall time, CPU time and peak memory, workers included.

- **CPU**: ``perf stat -x, -e task-clock`` around the command. perf counts every task the command
  starts (``inherit``), so the fork server that ``multiprocessing`` starts and the workers it
  forks are counted, whoever reaps them. ``wait4``'s rusage is not enough: a worker forked by the
  fork server is reaped by the fork server, which is not reaped by the command at all.
  Without perf, the CPU comes from sampling ``/proc/<pid>/stat`` of the tree (a lower bound:
  the last slice of a process that exits between samples is lost), and the result says so.
- **Memory**: the process tree (``/proc/<pid>/task/<tid>/children``, recursively) is sampled
  every :data:`SAMPLE_S`: ``rss`` is the largest sum of resident set sizes (``statm``; pages
  shared between processes count once per process, so this errs high), ``pss`` the largest sum
  of proportional set sizes (``smaps_rollup``; shared pages split between their users, what the
  tree makes the machine hold).

:func:`self_check` runs a known two-process workload (a fork-server worker and its parent, each
burning a known CPU time and holding a known amount of memory at the same time) and reports
what this module measures of it: a measure that missed the worker would show about half.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SAMPLE_S = 0.1  # a finer period costs the measured command a fifth of a core in the sampler
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")
MIB = 2**20


def loadavg() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def wait_quiet(limit: float, most_s: float, log: Any = print) -> tuple[float, float]:
    """Wait (a minute at a time, up to ``most_s``) until the 1-minute load is at most ``limit``;
    return (the load now, seconds waited)."""
    waited = 0.0
    while loadavg() > limit and waited < most_s:
        log(f"  load {loadavg():.2f} > {limit}: waiting 60 s ({waited:.0f} s so far)")
        time.sleep(60)
        waited += 60
    return loadavg(), waited


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


class _Sampler(threading.Thread):
    """Samples a process tree's summed RSS, PSS and (without perf) CPU until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.rss = self.pss = 0
        self.cpu: dict[int, float] = {}  # pid -> last CPU seconds seen
        self.processes: set[int] = set()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss = pss = 0
            for p in tree(self.pid):
                try:
                    rss += _rss(p)
                    pss += _pss(p)
                    self.cpu[p] = _cpu(p)
                except (OSError, ValueError, IndexError):
                    continue
                self.processes.add(p)
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.done.wait(SAMPLE_S)


def perf_available() -> bool:
    if not shutil.which("perf"):
        return False
    done = subprocess.run(
        ["perf", "stat", "-x,", "-e", "task-clock", "true"],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0 and "task-clock" in done.stderr.decode(errors="replace")


_PERF: bool | None = None


def run(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    log: Path | None = None,
    cwd: Path | None = None,
) -> dict[str, Any]:
    """Run ``cmd`` (in a new session) and measure its whole process tree."""
    global _PERF
    if _PERF is None:
        _PERF = perf_available()
    with tempfile.TemporaryDirectory() as tmp:
        perf_out = Path(tmp) / "perf.csv"
        full = ["perf", "stat", "-x,", "-e", "task-clock", "-o", str(perf_out), "--", *cmd]
        out_fh = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
        load_before = loadavg()
        own = time.process_time()  # this process: the sampler's own cost
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            full if _PERF else cmd,
            stdout=out_fh,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        sampler = _Sampler(proc.pid)
        sampler.start()
        killer = None
        if timeout is not None:
            killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
            killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if killer is not None:
            killer.cancel()
        sampler.done.set()
        sampler.join()
        if log:
            out_fh.close()  # type: ignore[union-attr]
        cpu, source = _perf_cpu(perf_out) if _PERF else (None, "")
        if cpu is None:
            cpu, source = sum(sampler.cpu.values()), "sampled /proc (a lower bound)"
        return {
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "cpu_source": source,
            "tree_rss_mib": round(max(sampler.rss, usage.ru_maxrss * 1024) / MIB, 1),
            "tree_pss_mib": round(sampler.pss / MIB, 1),
            "max_process_rss_mib": round(usage.ru_maxrss / 1024, 1),  # wait4: largest one
            "processes_seen": len(sampler.processes),
            "sampler_cpu_s": round(time.process_time() - own, 3),
            "exit": os.waitstatus_to_exitcode(status),
            "timed_out": timeout is not None and wall >= timeout,
            "loadavg": [round(load_before, 2), round(loadavg(), 2)],
        }


def _perf_cpu(path: Path) -> tuple[float | None, str]:
    """The task-clock perf stat wrote (ms), in seconds."""
    try:
        for line in path.read_text().splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2].startswith("task-clock"):
                return float(fields[0]) / 1000, "perf stat task-clock"
    except (OSError, ValueError):
        pass
    return None, ""


# -- the self-check: a known two-process workload ------------------------------------------------

_WORKLOAD = r"""
import multiprocessing as mp, sys, time

def burn(mib, seconds, ready):
    block = bytearray(mib << 20)
    for i in range(0, len(block), 4096):  # touch every page: resident
        block[i] = 1
    ready.wait()
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    ready.wait()
    return len(block)

if __name__ == "__main__":
    mib, seconds = int(sys.argv[1]), float(sys.argv[2])
    ctx = mp.get_context("forkserver")
    ready = ctx.Barrier(2)
    worker = ctx.Process(target=burn, args=(2 * mib, seconds, ready))
    worker.start()
    burn(mib, seconds, ready)
    worker.join()
"""


def self_check(mib: int = 200, seconds: float = 1.0) -> dict[str, Any]:
    """Measure a parent holding ``mib`` MiB and a fork-server worker holding twice that, both
    busy for ``seconds`` of CPU at the same time: the tree holds ≥ 3×``mib`` and uses ≥ 2×
    ``seconds``."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "workload.py"
        script.write_text(_WORKLOAD)
        m = run([sys.executable, str(script), str(mib), str(seconds)])
    m["expected_cpu_s_at_least"] = 2 * seconds
    m["expected_rss_mib_at_least"] = 3 * mib
    m["counts_workers"] = m["cpu_s"] >= 2 * seconds * 0.95 and m["tree_rss_mib"] >= 3 * mib * 0.95
    return m


if __name__ == "__main__":
    import json

    print(json.dumps(self_check(), indent=2))
