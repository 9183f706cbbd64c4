"""typst in a child process, so that the memory a large report takes goes back to the system when it is done."""

# typst keeps what it laid out in memory for the life of its process (2 GB after a compendium of 2,000
# recommendations): compiled in the build's own process, one report after another, that memory adds up.

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

REFUSED = 3  # the child's exit status when typst refused the document (its message on stderr)


class TypstRefused(Exception):  # noqa: N818 - named after what typst did, as typst.TypstError is
    """typst refused the document; the message is typst's own."""


@dataclass(frozen=True)
class TypstJob:
    """What one typst compilation reads and where it writes the PDF (PDF/UA-1, no packages, no system fonts)."""

    source: str
    root: str
    font_paths: tuple[str, ...]
    package_path: str
    timestamp: int
    output: str


def compile_in_child(job: TypstJob) -> bytes:
    """The PDF of a typst document, compiled by a fresh Python process; TypstRefused with typst's message."""
    completed = subprocess.run(
        [sys.executable, "-m", "quaestio.publish.typst_child"],
        input=json.dumps(asdict(job)).encode("utf-8"),
        capture_output=True,
    )
    message = completed.stderr.decode("utf-8", "replace").strip()
    if completed.returncode == REFUSED:
        raise TypstRefused(message)
    if completed.returncode != 0:
        raise RuntimeError(f"the typst process failed (exit status {completed.returncode}): {message}")
    return Path(job.output).read_bytes()


def _compile(job: TypstJob) -> None:
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
        print(failure, file=sys.stderr)
        raise SystemExit(REFUSED) from None
    Path(job.output).write_bytes(pdf)


def main() -> None:
    request = json.loads(sys.stdin.buffer.read())
    request["font_paths"] = tuple(request["font_paths"])
    _compile(TypstJob(**request))


if __name__ == "__main__":
    main()
