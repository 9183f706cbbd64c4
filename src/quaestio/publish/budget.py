"""The reports' jobs run in parallel within the cores and within a memory budget, step by step, largest first."""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from bisect import insort
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

# What the reports' jobs may hold at once, in MiB: with quaestio's own process (240 MiB at 2,000 recommendations)
# and the idle workers the build stays under 1.5 GiB. A step that needs more than this on its own runs alone.
MEMORY_BUDGET_MB = 1100
_MIB = 1024 * 1024
_POLL_SECONDS = 0.1  # how often the scheduler looks again for room that a job's next step left

Task = TypeVar("Task")
Result = TypeVar("Result")


def pandoc_typst_memory_mb(markdown_bytes: int) -> float:
    """The peak memory of pandoc writing a report's typst source, the first step of its PDF, and its Word document
    from the same reading when both are made.

    Measured with pandoc_worker.lua (pandoc 3.9, +RTS -H16m -O64m, /usr/bin/time), for both files from one
    reading of realistic.py's compendium cut at 0.5, 1.0, 1.7 and 2.4 MB: 212, 285, 417 and 532 to 579 MiB;
    151 MiB for the repository's 256 kB compendium. Marshalling the document for the Lua filters takes about
    100 MiB more than the pandoc command at 2.4 MB; the typst source alone takes as much as both files.
    """
    size = markdown_bytes / _MIB
    return max(175 + 110 * size, 125 + 200 * size)


def typst_memory_mb(markdown_bytes: int) -> float:
    """The peak memory of the typst child, the second step, links within the document made after typst
    (pdf_tags): 61 MiB for a 50 kB topic report, 744 MiB for a 2.3 MiB audience digest, 2.1 GiB for the
    6.2 MiB compendium (typst's memory grows faster than the document); a small PDF is finished there too
    (pdf_tags.finish_pdf), which takes less."""
    return max(70, 385 * markdown_bytes / _MIB - 115)


def finish_memory_mb(markdown_bytes: int) -> float:
    """The peak memory of finishing a large PDF (pdf_tags.finish_pdf) in its own process, the third step:
    160 MiB for the digest's PDF, 340 MiB for the compendium's (pikepdf; measured on their packed PDFs)."""
    return 60 + 63 * markdown_bytes / _MIB


def pdf_memory_mb(markdown_bytes: int) -> float:
    """The peak memory of making a PDF from a report's Markdown: its largest step."""
    return max(
        pandoc_typst_memory_mb(markdown_bytes), typst_memory_mb(markdown_bytes), finish_memory_mb(markdown_bytes)
    )


def docx_memory_mb(markdown_bytes: int) -> float:
    """The peak memory of pandoc making a Word document alone (when its PDF is in the cache, or its Markdown is its
    own): 194, 251, 360 and 422 MiB for the texts above (pandoc_worker.lua; its layout by python-docx, in a
    process of its own for a large one, takes less)."""
    size = markdown_bytes / _MIB
    return max(175 + 45 * size, 150 + 132 * size)


def next_job(waiting: Sequence[float], running: Sequence[float], budget: float) -> int | None:
    """Which waiting job (their first steps' memory needs, largest job first) starts now beside what the running
    ones hold: the first that fits in the budget, or, when nothing runs, the first of all. None: wait."""
    if not waiting:
        return None
    if not any(running):
        return 0
    room = budget - sum(running)
    return next((index for index, need in enumerate(waiting) if need <= room), None)


def step_may_start(need: float, others: Sequence[float], budget: float) -> bool:
    """Whether a running job's next step, needing `need` MiB, starts beside what the other running jobs hold:
    when it fits in the budget, or when none of them holds anything (a step larger than the budget runs alone;
    jobs waiting between two steps hold nothing, so one of them always goes on)."""
    return sum(others) + need <= budget or not any(others)


@dataclass(frozen=True)
class Job(Generic[Task]):
    """A piece of work, the memory it is expected to need at its peak and at its first step, in MiB."""

    task: Task
    memory_mb: float
    first_step_mb: float | None = None  # None: its peak, from its start to its end

    @property
    def start_mb(self) -> float:
        return self.memory_mb if self.first_step_mb is None else self.first_step_mb


class _Ledger:
    """What each running job holds of the budget now, and which ones wait to start their next step."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.condition = threading.Condition()
        self.held: dict[int, float] = {}
        self.asking: set[int] = set()

    def _others(self, job: int) -> list[float]:
        return [need for other, need in self.held.items() if other != job]

    def step(self, job: int, need: float) -> None:
        with self.condition:
            self.held[job] = 0.0  # between two steps a job holds nothing: its last tool has exited
            self.asking.add(job)
            self.condition.notify_all()
            self.condition.wait_for(lambda: step_may_start(need, self._others(job), self.budget))
            self.asking.discard(job)
            self.held[job] = need

    def leave(self, job: int) -> None:
        with self.condition:
            self.held.pop(job, None)
            self.asking.discard(job)
            self.condition.notify_all()


_current = threading.local()


def step(need_mb: float) -> None:
    """Wait until the running job's next step may take `need_mb` MiB beside the other jobs (see step_may_start);
    outside run_within_budget, go on at once."""
    ledger: _Ledger | None = getattr(_current, "ledger", None)
    if ledger is not None:
        ledger.step(_current.job, need_mb)


def release_freed_memory() -> None:
    """Give back to the system what this process freed: glibc keeps freed memory in its arenas otherwise."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to give back this way
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def run_within_budget(
    jobs: Iterable[Job[Task]],
    work: Callable[[Task], Result],
    done: Callable[[Task, Result], None],
    workers: int | None = None,
    budget: float = MEMORY_BUDGET_MB,
) -> None:
    """Run work on every job, at most `workers` at a time (default: one more than the cores, as a Word job
    spends a third of its time in this process's Python: its chart's picture, its layout) and within the
    memory budget. A job's work may call step() before each of its steps to hold what that step needs. done
    is called with each result as it comes, in this thread. The first failure is raised once the running jobs
    have finished; the jobs not yet started are left.

    `jobs` is a sequence, all known at once, or an iterator that makes them (the reports' sources, rendered
    one by one): it is drawn from in this thread, one job between two looks at the running ones, so that the
    first jobs run while the later ones are made. Of the jobs waiting, the largest that fits starts first."""
    workers = max(1, workers or (os.cpu_count() or 1) + 1)
    arriving = None if isinstance(jobs, Sequence) else iter(jobs)
    waiting = sorted(jobs, key=_largest_first) if arriving is None else []
    ledger = _Ledger(budget)
    running: dict[Future[Result], tuple[int, Job[Task]]] = {}

    def run(number: int, task: Task) -> Result:
        _current.ledger, _current.job = ledger, number
        try:
            return work(task)
        finally:
            ledger.leave(number)
            _current.ledger = None

    started = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while arriving is not None or waiting or running:
            if arriving is not None:
                arrived = next(arriving, None)
                if arrived is None:
                    arriving = None
                else:
                    insort(waiting, arrived, key=_largest_first)
            with ledger.condition:
                while len(running) < workers and not ledger.asking:
                    index = next_job([j.start_mb for j in waiting], list(ledger.held.values()), budget)
                    if index is None:
                        break
                    job = waiting.pop(index)
                    started += 1
                    ledger.held[started] = job.start_mb
                    running[pool.submit(run, started, job.task)] = (started, job)
            finished, _ = wait(
                running, timeout=0 if arriving is not None else _POLL_SECONDS, return_when=FIRST_COMPLETED
            )
            for future in finished:
                _, job = running.pop(future)
                try:
                    result = future.result()
                except BaseException:
                    waiting.clear()  # leaving the pool waits for the running jobs
                    arriving = None
                    raise
                done(job.task, result)


def _largest_first(job: Job[Task]) -> float:
    return -job.memory_mb
