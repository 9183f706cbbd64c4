"""The reports' jobs run within the cores and the memory budget, largest first; a job too large runs alone."""

from __future__ import annotations

import threading
import time

import pytest

from quaestio.publish.budget import Job, docx_memory_mb, next_job, pdf_memory_mb, run_within_budget


def test_nothing_running_starts_the_largest_even_beyond_the_budget():
    assert next_job([2500, 600, 50], [], budget=1200) == 0


def test_beside_a_job_larger_than_the_budget_nothing_starts():
    assert next_job([600, 50], [2500], budget=1200) is None


def test_the_largest_job_that_fits_starts_beside_the_running_ones():
    assert next_job([900, 600, 300, 50], [600], budget=1200) == 1
    assert next_job([900, 600, 300, 50], [600, 600], budget=1200) is None
    assert next_job([900, 600, 300, 50], [850], budget=1200) == 2


def test_no_waiting_job_starts_nothing():
    assert next_job([], [], budget=1200) is None


def test_the_estimates_grow_with_the_document_and_cover_what_was_measured():
    megabyte = 1024 * 1024
    assert pdf_memory_mb(45_000) >= 175  # pandoc's own size for a small topic report
    assert pdf_memory_mb(int(2.34 * megabyte)) >= 744  # typst, an audience digest at 2,000 recommendations
    assert pdf_memory_mb(int(6.21 * megabyte)) >= 2162  # typst, the compendium at 2,000 recommendations
    assert pdf_memory_mb(int(6.21 * megabyte)) <= 1.1 * 2162  # close enough not to hold other jobs back
    assert pdf_memory_mb(int(6.21 * megabyte)) >= 1130  # pandoc's typst writer for the compendium
    assert docx_memory_mb(int(6.2 * megabyte)) >= 633
    assert pdf_memory_mb(megabyte) < pdf_memory_mb(2 * megabyte)


def _run(memory: list[float], workers: int, budget: float) -> tuple[list[float], float, list[str]]:
    """Run jobs that each take a while; returns the order they started in, the largest sum of memory
    running at once, and the order of the results."""
    lock = threading.Lock()
    running: list[float] = []
    started: list[float] = []
    peak = [0.0]

    def work(need: float) -> bytes:
        with lock:
            running.append(need)
            started.append(need)
            peak[0] = max(peak[0], sum(running))
        time.sleep(0.02)
        with lock:
            running.remove(need)
        return str(need).encode()

    results: list[str] = []
    run_within_budget(
        [Job(m, m) for m in memory], work, lambda task, out: results.append(out.decode()), workers, budget
    )
    return started, peak[0], results


def test_jobs_never_hold_more_than_the_budget_together():
    started, peak, results = _run([300, 500, 2000, 100, 700, 400, 200], workers=4, budget=1000)
    assert started[0] == 2000  # largest first, and alone
    assert peak == 2000
    assert sorted(results, key=float) == ["100", "200", "300", "400", "500", "700", "2000"]
    started, peak, _ = _run([300, 500, 100, 700, 400, 200], workers=4, budget=1000)
    assert peak <= 1000


def test_the_cores_bound_the_jobs_too():
    _, peak, _ = _run([10] * 12, workers=2, budget=1000)
    assert peak == 20


def test_a_failure_is_raised_and_stops_the_jobs_not_yet_started():
    started: list[int] = []

    def work(task: int) -> bytes:
        started.append(task)
        if task == 3:
            raise RuntimeError("typst refused")
        return b""

    with pytest.raises(RuntimeError, match="typst refused"):
        run_within_budget([Job(t, 100 - t) for t in range(10)], work, lambda task, out: None, workers=1)
    assert started == [0, 1, 2, 3]
