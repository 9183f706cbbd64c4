"""Long-lived `pandoc lua` workers that convert the reports' small Markdown files, sparing a pandoc start each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from quaestio.publish.workers import LineWorker, WorkerDied, WorkerPool

__all__ = ["WORKER_FILES", "Conversion", "PandocFailed", "PandocPool", "Worker", "WorkerDied"]

WORKER_SCRIPT = Path(__file__).with_name("pandoc_worker.lua")
# What shapes a worker's conversions: a report made before any of them changed is made again.
WORKER_FILES = (Path(__file__), WORKER_SCRIPT, Path(__file__).with_name("workers.py"))
# The worker's GHC heap starts at 16 MiB, not the 64 MiB of pandoc's own -H64m: what an idle worker keeps after a
# topic report's conversion drops from 85 to 40 MiB, for the same CPU time (pandoc 3.9, measured on this repository).
WORKER_RTS = ("+RTS", "-H16m", "-RTS")
# A worker keeping more memory of its own than this after a conversion is closed, not given back: pandoc's heap
# does not shrink (a topic report of 2,000 recommendations leaves about 40 MiB, a 250 kB Markdown file 56 MiB).
RETIRE_MIB = 128


class PandocFailed(Exception):  # noqa: N818 - named after what pandoc did, as typst_child.TypstRefused
    """pandoc refused a conversion; the message is pandoc's."""


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


class Worker(LineWorker):
    """A `pandoc lua` process running pandoc_worker.lua: one conversion at a time."""

    def __init__(self, pandoc: str) -> None:
        super().__init__([pandoc, *WORKER_RTS, "lua", str(WORKER_SCRIPT), pandoc], "pandoc's worker")

    def convert(self, markdown: str, conversion: Conversion) -> None:
        """Convert the Markdown (written next to the output first); PandocFailed with pandoc's message."""
        source = conversion.output.with_name(conversion.output.name + ".md")
        source.write_bytes(markdown.encode("utf-8"))
        try:
            answer = self.ask(conversion.request(source))
        finally:
            source.unlink()
        if "error" in answer:
            raise PandocFailed(str(answer["error"]))
        if "ok" not in answer:
            self.close()
            raise WorkerDied(f"pandoc's worker answered {answer!r}, not a status")
        self.forget_warnings()  # as the pandoc command's are dropped when it succeeds


class PandocPool(WorkerPool[Worker]):
    """pandoc's workers for the threads that make the reports (see WorkerPool)."""

    def __init__(self, pandoc: str, retire_mib: float = RETIRE_MIB) -> None:
        super().__init__(lambda: Worker(pandoc), "pandoc's workers", retire_mib)

    def convert(self, markdown: str, conversion: Conversion) -> None:
        """The conversion by an idle worker, or a new one; PandocFailed, or WorkerDied if the worker stopped."""
        self.use(lambda worker: worker.convert(markdown, conversion), (PandocFailed,))
