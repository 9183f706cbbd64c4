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
    """The median time (s) and peak memory (MB, see PeakMemory) of a command over several runs, and its median
    CPU time (s, user and system, its descendants included): CPU over wall time is how many cores it kept busy."""

    median: float
    peak_mb: float
    runs: int
    status: int
    cpu: float = 0.0


# The kernel counts a process's proportional set size by walking its page tables (/proc/PID/smaps_rollup): 5 ms for
# the three-language site's four processes, which a sample every 10 ms made 8.2 s of the sampler's CPU time in a
# 30 s build, a core's time taken from the two the build had. A resident size is a counter (/proc/PID/statm).
# PeakMemory reads the residents' sizes every sample, and their PSS every PSS_EVERY seconds, or as soon as the
# residents' sum has grown by GROWTH_KB since the PSS was last read.
PSS_EVERY = 0.1
GROWTH_KB = 16 * 1024
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _pss_kb(pid: int) -> int:
    """A process's share of the memory it holds, in kB: its proportional set size, where a page it shares with n
    processes (a forked child's pages not yet written, a binary mapped by each worker) counts 1/n; its resident
    set size where the kernel gives no PSS."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        return next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        return _resident_kb(pid)


def _resident_kb(pid: int) -> int:
    """A process's resident set size, in kB: what it holds, the pages it shares counted whole."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_KB


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    processes, pending = [], [pid]
    while pending:
        current = pending.pop()
        processes.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return processes


def _total_kb(processes: Sequence[int], own_kb: Callable[[int], int]) -> int:
    total = 0
    for process in processes:
        try:
            total += own_kb(process)
        except (OSError, IndexError, ValueError):  # ended meanwhile
            continue
    return total


class PeakMemory:
    """The peak memory of a process and all its descendants, sampled: the highest sum of their proportional set
    sizes, so that a page two of them share counts once.

    Each sample lists the processes first and measures them after: a parent measured before it forks and its
    child after would count the pages they share one and a half times (a 225 MB process and its new child gave
    335 MB). A peak is missed only if it lasts less than PSS_EVERY and the residents' sum grew by less than
    GROWTH_KB on the way up."""

    def __init__(self, pid: int, pss_every: float = PSS_EVERY) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._pss_every = pss_every
        self._pss_read_at = -pss_every
        self._resident_then = 0  # the residents' sum when the PSS was last read

    def sample(self) -> None:
        processes = _tree(self.pid)
        resident = _total_kb(processes, _resident_kb)
        now = time.perf_counter()
        if resident > self._resident_then + GROWTH_KB or now - self._pss_read_at >= self._pss_every:
            self._resident_then, self._pss_read_at = resident, now
            self.peak_kb = max(self.peak_kb, _total_kb(processes, _pss_kb))

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024


def run(argv: Sequence[str], runs: int, cwd: Path | None = None, before: Callable[[], None] | None = None) -> Measure:
    """Run a command `runs` times (calling `before` ahead of each run, untimed) and measure it."""
    times, cpus, peak, status = [], [], 0.0, 0
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        process = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        memory = PeakMemory(process.pid)
        while True:
            # wait4 gives the finished command's resource use, that of the processes it waited for included
            pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            memory.sample()
            time.sleep(0.01)
        times.append(time.perf_counter() - start)
        peak = max(peak, memory.peak_mb)
        cpus.append(usage.ru_utime + usage.ru_stime)
        status = os.waitstatus_to_exitcode(wait_status)
        process.returncode = status  # reaped here: Popen must not wait for it again
    return Measure(statistics.median(times), peak, runs, status, statistics.median(cpus))


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
