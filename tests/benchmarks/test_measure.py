"""benchmarks/measure: the peak memory of a process tree counts pages its processes share once, and sees a peak."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from measure import GROWTH_KB, PeakMemory

HELD_MB = 200

# A process that fills HELD_MB, forks a child that reads them (shared, not copied) and waits; then both end.
_HOLD_AND_FORK = textwrap.dedent(
    f"""
    import os, time
    held = bytearray({HELD_MB} * 1024 * 1024)
    for i in range(0, len(held), 4096):
        held[i] = 1
    child = os.fork()
    if child == 0:
        total = sum(held[::4096])
        time.sleep(1.0)
        os._exit(0)
    time.sleep(1.0)
    os.waitpid(child, 0)
    """
)


def _peak_of(program: str, **sampling: float) -> float:
    process = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.DEVNULL)
    memory = PeakMemory(process.pid, **sampling)
    try:
        while process.poll() is None:
            memory.sample()
            time.sleep(0.01)
    finally:
        process.wait()
    return memory.peak_mb


def test_a_forked_childs_shared_pages_count_once_and_the_peak_is_seen():
    peak = _peak_of(_HOLD_AND_FORK)
    # Both processes map the HELD_MB: counted whole in each (resident sizes) they would make twice as much.
    assert HELD_MB <= peak < HELD_MB * 1.4, peak


def test_a_peak_between_the_periodic_reads_is_read_as_memory_grows():
    # 100 MB held for 60 ms, then freed; no periodic read after the first: only the growth tells the sampler to
    # read the PSS, every GROWTH_KB on the way up.
    program = textwrap.dedent(
        """
        import time
        time.sleep(0.3)
        held = bytearray(100 * 1024 * 1024)
        for i in range(0, len(held), 4096):
            held[i] = 1
        time.sleep(0.06)
        del held
        time.sleep(0.3)
        """
    )
    peak = _peak_of(program, pss_every=3600)
    assert peak >= 100 - GROWTH_KB / 1024, peak
