"""How many cores this process may run on, and whether it may fork a process to share its work."""

from __future__ import annotations

import multiprocessing
import os
import threading


def cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it, else every core)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether this system starts processes by forking (not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def may_fork_now() -> bool:
    """Whether a fork now is safe and worth it: more than one core, fork available, and no other thread
    running (a fork copies the locks another thread may hold)."""
    return cores() > 1 and can_fork() and threading.active_count() == 1
