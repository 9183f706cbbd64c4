"""typst in a child process, then the PDF's finishing, so that their memory goes back to the system after it."""

# typst keeps what it laid out in memory for the life of its process (2 GB after a compendium of 2,000
# recommendations): compiled in the build's own process, one report after another, that memory adds up.
# The finishing (pdf_tags.finish_pdf: pikepdf, about 4 s of CPU for that compendium) runs in a child too,
# beside the other jobs rather than under the build's GIL: in typst's own for a small PDF, in a process of its
# own for a large one, so that typst's memory is gone before pikepdf's is taken (see budget.step). Short reports
# go to long-lived workers instead (TypstPool, this module run with --serve), each closed once it keeps too much.

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from quaestio.publish.workers import LineWorker, WorkerPool

REFUSED = 3  # the child's exit status when typst refused the document (its message on stderr)
UNFINISHED = 4  # the child's exit status when the finishing refused the PDF (a link to a place it lacks)
_FINISH = "--finish"
_SERVE = "--serve"
# A worker holding more memory of its own than this after a job is closed: typst keeps what it laid out, about
# 13 MiB a topic report, so a worker makes five or six (three workers held 580 MiB of resident memory at 160).
RETIRE_MIB = 96
_MODULE = "quaestio.publish.typst_child"


class TypstRefused(Exception):  # noqa: N818 - named after what typst did, as typst.TypstError is
    """typst refused the document; the message is typst's own."""


class FinishingRefused(Exception):  # noqa: N818 - as TypstRefused
    """The PDF's finishing refused it (pdf_tags: a link to a label without a destination); the message says why."""


@dataclass(frozen=True)
class TypstJob:
    """What one typst compilation reads and where it writes the PDF (PDF/UA-1, no packages, no system fonts)."""

    source: str
    root: str
    font_paths: tuple[str, ...]
    package_path: str
    timestamp: int
    output: str
    finish: bool = False  # also fix the tags and pack the PDF (pdf_tags.finish_pdf)
    titles: dict[str, str] = field(default_factory=dict)  # the finishing's: labelled headings' titles, by label
    link_page: str = "page"  # the finishing's: typst's word for a page, in the report's language


def compile_in_child(job: TypstJob) -> bytes:
    """The PDF of a typst document, compiled by a fresh Python process; TypstRefused with typst's message."""
    return _run_child(job, "the typst process")


def finish_in_child(job: TypstJob) -> bytes:
    """The PDF typst wrote for the job, its tags fixed and packed by a fresh Python process (the file is
    rewritten); FinishingRefused with the finishing's message."""
    return _run_child(job, "the PDF's finishing", _FINISH)


def _run_child(job: TypstJob, what: str, *flags: str) -> bytes:
    """The job's output once this module, run as a program with `flags`, has done the job: TypstRefused or
    FinishingRefused with the child's message, RuntimeError naming `what` failed with the child's last line."""
    completed = subprocess.run(
        [sys.executable, "-m", _MODULE, *flags], input=json.dumps(asdict(job)).encode("utf-8"), capture_output=True
    )
    message = completed.stderr.decode("utf-8", "replace").strip()
    if completed.returncode == REFUSED:
        raise TypstRefused(message)
    if completed.returncode == UNFINISHED:
        raise FinishingRefused(message)
    if completed.returncode != 0:
        last = (message.splitlines() or [""])[-1]  # a traceback's last line is the error
        raise RuntimeError(f"{what} failed (exit status {completed.returncode}): {last}")
    return Path(job.output).read_bytes()


def _make(job: TypstJob) -> None:
    """Compile the job's PDF, finished when the job says so, into its output; TypstRefused, FinishingRefused."""
    import typst

    try:
        pdf = typst.compile(
            job.source,
            root=job.root,
            font_paths=list(job.font_paths),
            ignore_system_fonts=True,
            pdf_standards=["ua-1"],
            timestamp=job.timestamp,
            package_path=job.package_path,
            package_cache_path=job.package_path,
        )
    except typst.TypstError as failure:
        raise TypstRefused(str(failure)) from None
    Path(job.output).write_bytes(_finished(pdf, job) if job.finish else pdf)


def _finished(pdf: bytes, job: TypstJob) -> bytes:
    from quaestio.publish.pdf_tags import finish_pdf

    try:
        return finish_pdf(pdf, job.titles, job.link_page)
    except ValueError as failure:
        raise FinishingRefused(str(failure)) from None


def _job(request: dict) -> TypstJob:
    return TypstJob(**{**request, "font_paths": tuple(request["font_paths"])})


class TypstWorker(LineWorker):
    """This module run as a long-lived program (`--serve`): small PDFs compiled and finished one after another,
    without a Python start and the imports of typst and pikepdf each."""

    def __init__(self) -> None:
        super().__init__([sys.executable, "-m", _MODULE, _SERVE], "typst's worker")

    def compile(self, job: TypstJob) -> bytes:
        """The job's PDF (finished if the job says so); TypstRefused, FinishingRefused, RuntimeError."""
        answer = self.ask(asdict(job))
        if "ok" in answer:
            return Path(job.output).read_bytes()
        if "refused" in answer:
            raise TypstRefused(str(answer["refused"]))
        if "unfinished" in answer:
            raise FinishingRefused(str(answer["unfinished"]))
        raise RuntimeError(f"typst's worker failed: {answer.get('failed', answer)}")


class TypstPool(WorkerPool[TypstWorker]):
    """typst's workers for the threads that make the reports (see WorkerPool): a worker keeps what typst laid out
    (about 13 MiB a topic report), so it is closed, not given back, once it holds more than `retire_mib`."""

    def __init__(self, retire_mib: float = RETIRE_MIB) -> None:
        super().__init__(TypstWorker, "typst's workers", retire_mib)

    def compile(self, job: TypstJob) -> bytes:
        """The job's PDF by an idle worker, or a new one; TypstRefused and FinishingRefused leave it at work."""
        return self.use(lambda worker: worker.compile(job), (TypstRefused, FinishingRefused))


def _serve() -> None:
    """Answer each job on a line of stdin with a line of stdout: {"ok": true}, or why not."""
    for line in sys.stdin.buffer:  # UTF-8, whatever the locale says
        try:
            _make(_job(json.loads(line)))
            answer: dict[str, object] = {"ok": True}
        except TypstRefused as failure:
            answer = {"refused": str(failure)}
        except FinishingRefused as failure:
            answer = {"unfinished": str(failure)}
        except Exception as failure:  # noqa: BLE001 - answered, and the pool closes this worker
            answer = {"failed": f"{type(failure).__name__}: {failure}"}
        sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")
        sys.stdout.buffer.flush()


def main() -> None:
    if sys.argv[1:2] == [_SERVE]:
        _serve()
        return
    job = _job(json.loads(sys.stdin.buffer.read()))
    try:
        if sys.argv[1:2] == [_FINISH]:
            output = Path(job.output)
            output.write_bytes(_finished(output.read_bytes(), job))
        else:
            _make(job)
    except TypstRefused as failure:
        print(failure, file=sys.stderr)
        raise SystemExit(REFUSED) from None
    except FinishingRefused as failure:
        print(failure, file=sys.stderr)
        raise SystemExit(UNFINISHED) from None


if __name__ == "__main__":
    main()
