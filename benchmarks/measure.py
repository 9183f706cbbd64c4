"""Measuring whole commands: median wall and CPU time over runs, and the peak memory of the whole process tree."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measure:
    """The median time (s) and peak memory (MB, see tree_memory_kb) of a command over several runs, and its median
    CPU time (s, user and system, its descendants included): CPU over wall time is how many cores it kept busy."""

    median: float
    peak_mb: float
    runs: int
    status: int
    cpu: float = 0.0


def _own_kb(pid: int) -> int:
    """A process's share of the memory it holds, in kB: its proportional set size, where a page it shares with n
    processes (a forked child's pages not yet written, a binary mapped by each worker) counts 1/n; its resident
    set size where the kernel gives no PSS."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        status = Path(f"/proc/{pid}/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))


def tree_memory_kb(pid: int) -> int:
    """Memory held by a process and all its descendants, in kB (Linux /proc): the sum of their proportional set
    sizes, so that a page two of them share counts once.

    The processes are listed first and measured after: a parent measured before it forks and its child after
    would count the pages they share one and a half times (a 225 MB process and its new child gave 335 MB)."""
    processes, pending = [], [pid]
    while pending:
        current = pending.pop()
        processes.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    total = 0
    for process in processes:
        try:
            total += _own_kb(process)
        except (OSError, StopIteration, ValueError):  # ended meanwhile
            continue
    return total


def run(argv: Sequence[str], runs: int, cwd: Path | None = None, before: Callable[[], None] | None = None) -> Measure:
    """Run a command `runs` times (calling `before` ahead of each run, untimed) and measure it."""
    times, cpus, peak, status = [], [], 0, 0
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            # wait4 gives the finished command's resource use, that of the processes it waited for included
            pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_memory_kb(process.pid))
            time.sleep(0.01)
        times.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        status = os.waitstatus_to_exitcode(wait_status)
        process.returncode = status  # reaped here: Popen must not wait for it again
    return Measure(statistics.median(times), peak / 1024, runs, status, statistics.median(cpus))


@dataclass(frozen=True)
class Figure:
    """One line of the benchmark's table: what was measured, its value, its target and whether it is met."""

    what: str
    value: str
    target: str
    met: bool | None  # None: reported, no target


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table, ready for a closing note."""
    rows = ["| what | measured | target | verdict |", "|---|---|---|---|"]
    for f in figures:
        verdict = "" if f.met is None else ("ok" if f.met else "MISSED")
        rows.append(f"| {f.what} | {f.value} | {f.target} | {verdict} |")
    return "\n".join(rows)
