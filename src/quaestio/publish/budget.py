"""The reports' jobs run in parallel within the cores and within a memory budget, largest first."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

# What the reports' jobs may hold at once, in MiB: with quaestio's own few hundred MiB the build stays
# under 1.5 GiB. A job that needs more than this on its own runs alone.
MEMORY_BUDGET_MB = 1200
_MIB = 1024 * 1024

Task = TypeVar("Task")


def pdf_memory_mb(markdown_bytes: int) -> float:
    """The peak memory of making a PDF from a report's Markdown: pandoc's, then typst's, whichever is larger.

    Measured at 2,000 recommendations (realistic.py, 170 topics), links within the document made after typst
    (pdf_tags): typst 61 MiB for a 50 kB topic report, 744 MiB for a 2.3 MiB audience digest, 2.1 GiB for
    the 6.2 MiB compendium (typst's memory grows faster than the document); pandoc's typst writer 175 MiB,
    370 MiB and 1.1 GiB. Finishing the compendium's PDF (pdf_tags) takes 430 MiB more where it runs.
    """
    size = markdown_bytes / _MIB
    return max(175 + 155 * size, 385 * size - 115)


def docx_memory_mb(markdown_bytes: int) -> float:
    """The peak memory of pandoc making a Word document: 176 MiB, 280 MiB and 630 MiB for the same three."""
    size = markdown_bytes / _MIB
    return 180 + 110 * size


def next_job(waiting: Sequence[float], running: Sequence[float], budget: float) -> int | None:
    """Which waiting job (their memory needs, largest first) starts now beside the running ones: the largest
    that fits in the budget, or, when nothing runs, the largest of all. None: wait for a job to finish."""
    if not waiting:
        return None
    if not running:
        return 0
    room = budget - sum(running)
    return next((index for index, need in enumerate(waiting) if need <= room), None)


@dataclass(frozen=True)
class Job(Generic[Task]):
    """A piece of work and the memory it is expected to need at its peak, in MiB."""

    task: Task
    memory_mb: float


def run_within_budget(
    jobs: Sequence[Job[Task]],
    work: Callable[[Task], bytes],
    done: Callable[[Task, bytes], None],
    workers: int | None = None,
    budget: float = MEMORY_BUDGET_MB,
) -> None:
    """Run work on every job, at most `workers` at a time (default: the cores) and within the memory budget;
    done is called with each result as it comes, in this thread. The first failure is raised once the
    running jobs have finished; the jobs not yet started are left."""
    workers = max(1, workers or os.cpu_count() or 1)
    waiting = sorted(jobs, key=lambda job: job.memory_mb, reverse=True)
    running: dict[Future[bytes], Job[Task]] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        while waiting or running:
            while len(running) < workers:
                index = next_job([j.memory_mb for j in waiting], [j.memory_mb for j in running.values()], budget)
                if index is None:
                    break
                job = waiting.pop(index)
                running[pool.submit(work, job.task)] = job
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                try:
                    result = future.result()
                except BaseException:
                    waiting.clear()  # leaving the pool waits for the running jobs
                    raise
                done(job.task, result)
