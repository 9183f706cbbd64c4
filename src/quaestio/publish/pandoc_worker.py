"""`pandoc lua` workers that read a report's Markdown once for all its files: long-lived ones for small reports,
sparing a pandoc start each, and one of its own for a large report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from quaestio.publish.workers import LineWorker, WorkerDied, WorkerPool

__all__ = [
    "WORKER_FILES",
    "Conversion",
    "PandocFailed",
    "PandocPool",
    "Worker",
    "WorkerDied",
    "Writing",
    "convert_apart",
]

WORKER_SCRIPT = Path(__file__).with_name("pandoc_worker.lua")
# What shapes a worker's conversions: a report made before any of them changed is made again.
WORKER_FILES = (Path(__file__), WORKER_SCRIPT, Path(__file__).with_name("workers.py"))
# The worker's GHC heap starts at 16 MiB, not the 64 MiB of pandoc's own -H64m: what an idle worker keeps after a
# topic report's conversion drops from 85 to 40 MiB, for the same CPU time (pandoc 3.9, measured on this repository).
# Its old generation is not collected below 64 MiB (-O64m; GHC's default is 1 MiB): a report's conversion spent
# almost half its time in the collector, and pandoc's CPU time for the repository's reports drops by a fifth
# (21.9 s to 17.8 s; -O128m saves no more and closes more workers for their memory, -F4 saves less).
WORKER_RTS = ("+RTS", "-H16m", "-O64m", "-RTS")
# A worker keeping more memory of its own than this after a conversion is closed, not given back: pandoc's heap
# does not shrink (a topic report of 2,000 recommendations leaves about 40 MiB, a 250 kB Markdown file 56 MiB).
RETIRE_MIB = 128


class PandocFailed(Exception):  # noqa: N818 - named after what pandoc did, as typst_child.TypstRefused
    """pandoc refused a conversion; the message is pandoc's."""


@dataclass(frozen=True)
class Writing:
    """One file pandoc writes from a conversion's reading, with the options the pandoc command would be given."""

    writer: str
    output: Path
    template: Path | None = None
    wrap: str | None = None
    filters: tuple[Path, ...] = ()
    reference_doc: Path | None = None
    toc_depth: int | None = None  # None: no table of contents
    metadata: Mapping[str, str] = field(default_factory=dict)
    before: str | None = None  # Markdown read apart, whose blocks go before the document's (a Word imprint)
    pictures: Mapping[str, str] = field(default_factory=dict)  # image sources replaced ({"chart.svg": "chart.png"})

    def request(self) -> dict[str, object]:
        """The writing as part of a worker's request, its paths made absolute."""
        optional = {
            "template": _absolute(self.template),
            "wrap": self.wrap,
            "reference_doc": _absolute(self.reference_doc),
            "toc_depth": self.toc_depth,
            "before": self.before,
        }
        return {
            "to": self.writer,
            "output": _absolute(self.output),
            "filters": [_absolute(path) for path in self.filters],
            "metadata": dict(self.metadata),
            "pictures": dict(self.pictures),
            **{key: value for key, value in optional.items() if value is not None},
        }


@dataclass(frozen=True)
class Conversion:
    """A Markdown text read once by pandoc and written to one file or more: a report's typst source and its Word
    document from the same reading."""

    reader: str
    writings: tuple[Writing, ...]
    epoch: int  # SOURCE_DATE_EPOCH
    resource_path: Path  # where the images the Markdown names are found
    environment: Mapping[str, str] = field(default_factory=dict)  # for the filters, beside SOURCE_DATE_EPOCH

    def request(self, markdown_file: Path) -> dict[str, object]:
        """The conversion as a worker's request, its Markdown read from markdown_file; paths made absolute, as the
        worker works in the resource folder."""
        return {
            "input": _absolute(markdown_file),
            "from": self.reader,
            "epoch": self.epoch,
            "resource_path": _absolute(self.resource_path),
            "environment": dict(self.environment),
            "writings": [writing.request() for writing in self.writings],
        }


def _absolute(path: Path | None) -> str | None:
    return str(path.absolute()) if path else None


class Worker(LineWorker):
    """A `pandoc lua` process running pandoc_worker.lua: one conversion at a time."""

    def __init__(self, pandoc: str) -> None:
        super().__init__([pandoc, *WORKER_RTS, "lua", str(WORKER_SCRIPT), pandoc], "pandoc's worker")

    def convert(self, markdown: str, conversion: Conversion) -> None:
        """Convert the Markdown (written next to the first output first); PandocFailed with pandoc's message."""
        first = conversion.writings[0].output
        source = first.with_name(first.name + ".md")
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


def convert_apart(pandoc: str, markdown: str, conversion: Conversion) -> None:
    """The conversion by a worker of its own, closed after it, so that its memory goes back to the system (a large
    report's; pandoc's heap does not shrink); PandocFailed with pandoc's message, or WorkerDied."""
    worker = Worker(pandoc)
    try:
        worker.convert(markdown, conversion)
    finally:
        worker.close()
