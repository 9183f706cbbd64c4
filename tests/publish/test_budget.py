"""The reports' jobs run within the cores and the memory budget, largest first; a job too large runs alone."""

from __future__ import annotations

import threading
import time

import pytest

from quaestio.publish.budget import (
    Job,
    docx_memory_mb,
    finish_memory_mb,
    next_job,
    pandoc_typst_memory_mb,
    pdf_memory_mb,
    run_within_budget,
    step,
    step_may_start,
    typst_memory_mb,
)


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
    assert typst_memory_mb(int(2.34 * megabyte)) >= 744  # typst, an audience digest at 2,000 recommendations
    assert typst_memory_mb(int(6.21 * megabyte)) >= 2162  # typst, the compendium at 2,000 recommendations
    assert typst_memory_mb(int(6.21 * megabyte)) <= 1.1 * 2162  # close enough not to hold other jobs back
    assert pandoc_typst_memory_mb(53_246) >= 170  # pandoc's typst writer: a topic report, a digest, the compendium
    assert pandoc_typst_memory_mb(2_422_666) >= 417
    assert pandoc_typst_memory_mb(6_506_257) >= 1154
    assert finish_memory_mb(int(6.21 * megabyte)) >= 444  # pdf_tags and compact on the compendium
    assert docx_memory_mb(54_589) >= 172  # pandoc's Word writer, the same three
    assert docx_memory_mb(2_424_010) >= 267
    assert docx_memory_mb(6_507_583) >= 583
    # pandoc_worker.lua writing the typst source and the Word document from one reading, and the Word document alone
    for size, both, word in ((500_000, 212, 194), (1_000_000, 285, 251), (1_700_000, 417, 360), (2_400_000, 579, 422)):
        assert pandoc_typst_memory_mb(size) >= both
        assert docx_memory_mb(size) >= word
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


def test_a_step_starts_when_it_fits_or_when_the_others_hold_nothing():
    assert step_may_start(300, [600, 200], budget=1200)
    assert not step_may_start(500, [600, 200], budget=1200)
    assert not step_may_start(3000, [200], budget=1200)  # a step larger than the budget waits for the others
    assert step_may_start(3000, [], budget=1200)  # and then runs alone
    assert step_may_start(3000, [0.0, 0.0], budget=1200)  # beside jobs that wait between their steps


def test_beside_a_job_that_holds_nothing_between_steps_the_largest_waiting_one_starts():
    assert next_job([900, 50], [0.0], budget=1200) == 0


def test_the_estimates_of_a_pdfs_steps_make_its_peak():
    megabyte = 1024 * 1024
    for size in (45_000, int(1.83 * megabyte), int(6.2 * megabyte)):
        steps = (pandoc_typst_memory_mb(size), typst_memory_mb(size), finish_memory_mb(size))
        assert pdf_memory_mb(size) == max(steps)
    assert pandoc_typst_memory_mb(int(6.2 * megabyte)) < typst_memory_mb(int(6.2 * megabyte))  # typst's is the peak


def _run_steps(jobs: list[tuple[str, list[float]]], workers: int, budget: float) -> tuple[list[str], float]:
    """Run jobs made of steps (their memory needs, each step a short while); returns what happened in order
    ("start a", "a 2" for a's second step) and the largest sum of memory that steps held at once."""
    lock = threading.Lock()
    holding: dict[str, float] = {}
    events: list[str] = []
    peak = [0.0]

    def work(task: tuple[str, list[float]]) -> bytes:
        name, steps = task
        for number, need in enumerate(steps, start=1):
            if number > 1:
                with lock:
                    holding.pop(name, None)
                step(need)
            with lock:
                events.append(f"start {name}" if number == 1 else f"{name} {number}")
                holding[name] = need
                peak[0] = max(peak[0], sum(holding.values()))
            time.sleep(0.03)
        with lock:
            holding.pop(name, None)
        return name.encode()

    run_within_budget(
        [Job((name, steps), max(steps), steps[0]) for name, steps in jobs], work, lambda t, out: None, workers, budget
    )
    return events, peak[0]


def test_a_step_larger_than_the_budget_runs_alone_and_small_jobs_fill_the_other_core_around_it():
    events, peak = _run_steps(
        [("compendium", [900, 3000, 400]), *((f"topic{n}", [150, 100]) for n in range(6))], workers=2, budget=1200
    )
    assert set(events[:2]) == {"start compendium", "start topic0"}  # a topic beside the compendium's pandoc step
    assert peak == 3000  # only the step larger than the budget went beyond it, and nothing ran beside it
    assert events.index("compendium 2") < events.index("start topic1")  # the others waited for it, then went on


def test_jobs_that_all_wait_between_steps_go_on_one_after_the_other():
    events, peak = _run_steps([("a", [100, 1000]), ("b", [100, 1000])], workers=2, budget=1200)
    assert sorted(events) == ["a 2", "b 2", "start a", "start b"]
    assert peak <= 1200


def test_step_outside_a_budget_goes_on_at_once():
    step(10**6)


def test_jobs_made_one_by_one_start_while_the_later_ones_are_still_being_made():
    started: list[int] = []
    made_before_start: dict[int, int] = {}
    made = 0

    def making():
        nonlocal made
        for number in range(6):
            time.sleep(0.05)  # rendering a report's source
            made += 1
            yield Job(number, 100)

    def work(task: int) -> bytes:
        made_before_start[task] = made
        started.append(task)
        return b""

    run_within_budget(making(), work, lambda task, out: None, workers=2, budget=1200)
    assert sorted(started) == list(range(6))
    assert made_before_start[0] < 6  # the first job ran before the last one was made


def test_of_the_jobs_made_so_far_the_largest_that_fits_starts_first():
    release = threading.Event()
    started: list[float] = []

    def making():
        yield Job(0.0, 1000)  # holds the budget until the others have all been made
        for need in (100, 700, 300):
            yield Job(need, need)
        release.set()

    def work(task: float) -> bytes:
        started.append(task)
        if task == 0.0:
            release.wait(5)
        return b""

    run_within_budget(making(), work, lambda task, out: None, workers=2, budget=1000)
    assert started == [0.0, 700, 300, 100]


def test_a_failure_while_the_jobs_are_made_is_raised_once_the_running_ones_have_finished():
    finished: list[int] = []

    def making():
        yield Job(1, 100)
        raise RuntimeError("the compendium's template failed")

    def work(task: int) -> bytes:
        time.sleep(0.1)
        finished.append(task)
        return b""

    with pytest.raises(RuntimeError, match="template failed"):
        run_within_budget(making(), work, lambda task, out: None, workers=2, budget=1000)
    assert finished == [1]
