"""Long-lived child processes that answer a JSON request line with a JSON line, and a pool of them for threads."""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Generic, Self, TypeVar

_CLOSE_SECONDS = 10
# Where a worker's own memory cannot be read (no /proc), it is closed after this many requests instead.
UNMEASURED_REQUESTS = 8


class WorkerDied(Exception):  # noqa: N818 - named after what the worker did
    """A worker stopped or answered nonsense; the message says how, with the last line it wrote to stderr."""


class LineWorker:
    """A child process running `command`: one request at a time, a JSON object on a line of its stdin, answered
    by one on a line of its stdout; its stderr kept in a file (a pipe nobody reads would fill up and hang it)."""

    def __init__(self, command: Sequence[str], name: str) -> None:
        self.name = name  # what the messages call it: "pandoc's worker"
        self._stderr: IO[bytes] = tempfile.TemporaryFile(prefix="worker-")  # noqa: SIM115 - closed by close()
        self._process = subprocess.Popen(
            list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr
        )
        self.requests = 0

    @property
    def pid(self) -> int:
        return self._process.pid

    def ask(self, request: Mapping[str, object]) -> dict[str, object]:
        """The worker's answer to the request; WorkerDied if it stopped or did not answer with a JSON object."""
        assert self._process.stdin is not None and self._process.stdout is not None
        try:
            self._process.stdin.write(json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        except (BrokenPipeError, ValueError):
            line = b""
        if not line:
            raise WorkerDied(f"{self.name} stopped (exit status {self._process.wait()}){self._last_words()}")
        self.requests += 1
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self.close()
            raise WorkerDied(f"{self.name} answered {line[:200]!r}, not a status{self._last_words()}")
        return answer

    def forget_warnings(self) -> None:
        """Drop what the worker wrote to stderr so far (a command that succeeds has its warnings dropped too)."""
        self._stderr.seek(0)
        self._stderr.truncate()

    def _last_words(self) -> str:
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return f": {lines[-1]}" if lines else ""

    def own_memory_mib(self) -> float | None:
        """The memory the worker holds of its own (not the pages of its program it shares), or None if unknown."""
        try:
            status = Path(f"/proc/{self._process.pid}/status").read_text(encoding="ascii")
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
        return None

    def close(self) -> None:
        """End the worker (its stdin closed, it exits; killed if it does not within seconds) and its files."""
        if self._process.stdin and not self._process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=_CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout:
            self._process.stdout.close()
        self._stderr.close()


W = TypeVar("W", bound=LineWorker)
T = TypeVar("T")


class WorkerPool(Generic[W]):
    """Workers for concurrent threads: an idle one taken for a request and given back after, a new one started only
    when none is idle (so no more than the threads asking at once), one holding more than `retire_mib` of its own
    memory after a request closed instead (where that cannot be read, one that has answered UNMEASURED_REQUESTS),
    all closed by close()."""

    def __init__(self, start: Callable[[], W], name: str, retire_mib: float) -> None:
        self._start = start
        self._name = name
        self._retire_mib = retire_mib
        self._lock = threading.Lock()
        self._idle: list[W] = []
        self._running: set[W] = set()
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def workers(self) -> Sequence[W]:
        """The workers alive now, idle or busy."""
        with self._lock:
            return [*self._idle, *self._running]

    def use(self, task: Callable[[W], T], refusals: tuple[type[Exception], ...] = ()) -> T:
        """task(worker) with an idle worker, or a new one; the worker is given back after, also when the task
        raises one of `refusals` (the worker refused that request and goes on), and closed on any other failure."""
        worker = self._take()
        try:
            result = task(worker)
        except refusals:
            self._give_back(worker)
            raise
        except BaseException:
            self._retire(worker)
            raise
        self._give_back(worker)
        return result

    def close_idle(self) -> None:
        """Close the idle workers, so that a large step that follows has their memory."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()

    def close(self) -> None:
        """Close every worker and take no more requests."""
        with self._lock:
            self._closed = True
            workers, self._idle = [*self._idle, *self._running], []
            self._running.clear()
        for worker in workers:
            worker.close()

    def _take(self) -> W:
        with self._lock:
            self._refuse_if_closed()
            if self._idle:
                idle = self._idle.pop()
                self._running.add(idle)
                return idle
        worker = self._start()  # started outside the lock: the other threads go on meanwhile
        try:
            with self._lock:
                self._refuse_if_closed()
                self._running.add(worker)
        except WorkerDied:
            worker.close()
            raise
        return worker

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise WorkerDied(f"{self._name} are closed: the build that started them has ended")

    def _give_back(self, worker: W) -> None:
        held = worker.own_memory_mib()
        spent = worker.requests >= UNMEASURED_REQUESTS if held is None else held > self._retire_mib
        if spent:
            self._retire(worker)
            return
        with self._lock:
            self._running.discard(worker)
            if not self._closed:
                self._idle.append(worker)
                return
        worker.close()

    def _retire(self, worker: W) -> None:
        with self._lock:
            self._running.discard(worker)
        worker.close()
