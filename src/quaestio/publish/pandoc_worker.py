"""Long-lived `pandoc lua` workers that convert the reports' small Markdown files, sparing a pandoc start each."""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

WORKER_SCRIPT = Path(__file__).with_name("pandoc_worker.lua")
# What shapes a worker's conversions: a report made before either changed is made again.
WORKER_FILES = (Path(__file__), WORKER_SCRIPT)
# The worker's GHC heap starts at 16 MiB, not the 64 MiB of pandoc's own -H64m: what an idle worker keeps after a
# topic report's conversion drops from 85 to 40 MiB, for the same CPU time (pandoc 3.9, measured on this repository).
WORKER_RTS = ("+RTS", "-H16m", "-RTS")
# A worker keeping more memory of its own than this after a conversion is closed, not given back: pandoc's heap
# does not shrink (a topic report of 2,000 recommendations leaves about 40 MiB, a 250 kB Markdown file 56 MiB).
RETIRE_MIB = 128
_CLOSE_SECONDS = 10


class PandocFailed(Exception):  # noqa: N818 - named after what pandoc did, as typst_child.TypstRefused
    """pandoc refused a conversion; the message is pandoc's."""


class WorkerDied(Exception):  # noqa: N818 - as PandocFailed
    """A worker stopped or answered nonsense; the message says how, with the last line it wrote to stderr."""


@dataclass(frozen=True)
class Conversion:
    """One pandoc conversion of a Markdown text, with the options the reports give the pandoc command."""

    reader: str
    writer: str
    output: Path
    epoch: int  # SOURCE_DATE_EPOCH
    resource_path: Path  # where the images the Markdown names are found
    template: Path | None = None
    wrap: str | None = None
    filters: tuple[Path, ...] = ()
    reference_doc: Path | None = None
    toc_depth: int | None = None  # None: no table of contents
    metadata: Mapping[str, str] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)  # for the filters, beside SOURCE_DATE_EPOCH

    def arguments(self) -> list[str]:
        """The pandoc command's arguments for this conversion, Markdown on stdin."""
        args = ["--from", self.reader, "--to", self.writer, "--output", str(self.output)]
        args += ["--resource-path", str(self.resource_path)]
        args += ["--template", str(self.template)] if self.template else []
        args += [f"--wrap={self.wrap}"] if self.wrap else []
        args += ["--reference-doc", str(self.reference_doc)] if self.reference_doc else []
        args += ["--toc", f"--toc-depth={self.toc_depth}"] if self.toc_depth is not None else []
        for key, value in self.metadata.items():
            args += ["--metadata", f"{key}={value}"]
        for path in self.filters:
            args += ["--lua-filter", str(path)]
        return args

    def request(self, markdown_file: Path) -> dict[str, object]:
        """The same conversion as a worker's request, its Markdown read from markdown_file; paths made absolute,
        as the worker works in the resource folder."""
        optional = {
            "template": _absolute(self.template),
            "wrap": self.wrap,
            "reference_doc": _absolute(self.reference_doc),
            "toc_depth": self.toc_depth,
        }
        return {
            "input": _absolute(markdown_file),
            "from": self.reader,
            "to": self.writer,
            "output": _absolute(self.output),
            "epoch": self.epoch,
            "resource_path": _absolute(self.resource_path),
            "filters": [_absolute(path) for path in self.filters],
            "metadata": dict(self.metadata),
            "environment": dict(self.environment),
            **{key: value for key, value in optional.items() if value is not None},
        }


def _absolute(path: Path | None) -> str | None:
    return str(path.absolute()) if path else None


class Worker:
    """A `pandoc lua` process running pandoc_worker.lua: one conversion at a time, its stderr kept in a file."""

    def __init__(self, pandoc: str) -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile(prefix="pandoc-worker-")  # noqa: SIM115 - closed by close()
        self._process = subprocess.Popen(
            [pandoc, *WORKER_RTS, "lua", str(WORKER_SCRIPT), pandoc],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self.conversions = 0

    @property
    def pid(self) -> int:
        return self._process.pid

    def convert(self, markdown: str, conversion: Conversion) -> None:
        """Convert the Markdown (written next to the output first); PandocFailed with pandoc's message."""
        source = conversion.output.with_name(conversion.output.name + ".md")
        source.write_bytes(markdown.encode("utf-8"))
        try:
            answer = self._ask(json.dumps(conversion.request(source), ensure_ascii=False))
        finally:
            source.unlink()
        self.conversions += 1
        if "error" in answer:
            raise PandocFailed(str(answer["error"]))
        self._stderr.seek(0)
        self._stderr.truncate()  # its warnings are dropped, as the pandoc command's are when it succeeds

    def _ask(self, request: str) -> dict[str, object]:
        assert self._process.stdin is not None and self._process.stdout is not None
        try:
            self._process.stdin.write(request.encode("utf-8") + b"\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        except (BrokenPipeError, ValueError):
            line = b""
        if not line:
            raise WorkerDied(f"pandoc's worker stopped (exit status {self._process.wait()}){self._last_words()}")
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not ("ok" in answer or "error" in answer):
            self.close()
            raise WorkerDied(f"pandoc's worker answered {line[:200]!r}, not a status{self._last_words()}")
        return answer

    def _last_words(self) -> str:
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return f": {lines[-1]}" if lines else ""

    def own_memory_mib(self) -> float | None:
        """The memory the worker holds of its own (not the pandoc binary's pages it shares), or None if unknown."""
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


class PandocPool:
    """Workers for concurrent threads: an idle one taken for a conversion and given back after, a new one started
    only when none is idle (so no more than the threads converting at once), all closed by close()."""

    def __init__(self, pandoc: str, retire_mib: float = RETIRE_MIB) -> None:
        self._pandoc = pandoc
        self._retire_mib = retire_mib
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._running: set[Worker] = set()
        self._closed = False

    def __enter__(self) -> PandocPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def workers(self) -> Sequence[Worker]:
        """The workers alive now, idle or converting."""
        with self._lock:
            return [*self._idle, *self._running]

    def convert(self, markdown: str, conversion: Conversion) -> None:
        """The conversion by an idle worker, or a new one; PandocFailed, or WorkerDied if the worker stopped."""
        worker = self._take()
        try:
            worker.convert(markdown, conversion)
        except PandocFailed:
            self._give_back(worker)
            raise
        except BaseException:
            self._retire(worker)
            raise
        self._give_back(worker)

    def close_idle(self) -> None:
        """Close the idle workers, so that a large step that follows has their memory."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()

    def close(self) -> None:
        """Close every worker and take no more conversions."""
        with self._lock:
            self._closed = True
            workers, self._idle = [*self._idle, *self._running], []
            self._running.clear()
        for worker in workers:
            worker.close()

    def _take(self) -> Worker:
        with self._lock:
            self._refuse_if_closed()
            if self._idle:
                idle = self._idle.pop()
                self._running.add(idle)
                return idle
        worker = Worker(self._pandoc)  # started outside the lock: the other threads go on meanwhile
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
            raise WorkerDied("pandoc's workers are closed: the build that started them has ended")

    def _give_back(self, worker: Worker) -> None:
        held = worker.own_memory_mib()
        if held is not None and held > self._retire_mib:
            self._retire(worker)
            return
        with self._lock:
            self._running.discard(worker)
            if not self._closed:
                self._idle.append(worker)
                return
        worker.close()

    def _retire(self, worker: Worker) -> None:
        with self._lock:
            self._running.discard(worker)
        worker.close()
