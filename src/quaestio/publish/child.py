"""A function called in a fresh Python process, so that the memory it takes goes back to the system after it."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any

_MODULE = "quaestio.publish.child"


def call_in_child(function: Callable[..., bytes], *arguments: Any) -> bytes:
    """What function(*arguments) returns, called by a child process: a module-level function of quaestio and
    plain data (pickled; only this process writes what the child reads). A failure: RuntimeError, its last line."""
    completed = subprocess.run(
        [sys.executable, "-m", _MODULE], input=pickle.dumps((function, arguments)), capture_output=True
    )
    if completed.returncode != 0:
        lines = completed.stderr.decode("utf-8", "replace").strip().splitlines() or [""]
        status = completed.returncode
        raise RuntimeError(f"{function.__name__} failed in its process (exit status {status}): {lines[-1]}")
    return completed.stdout


def main() -> None:
    function, arguments = pickle.loads(sys.stdin.buffer.read())  # written by call_in_child, in this program
    sys.stdout.buffer.write(function(*arguments))


if __name__ == "__main__":
    main()
