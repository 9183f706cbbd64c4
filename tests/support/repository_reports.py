"""Every report of the repository's own content, built in a process of its own while the quicker tests run.

The build takes minutes and keeps both cores busy only part of the time; the tests before the layout tests mostly
run on one core. Started when the session has collected a test that reads these reports, it overlaps them.
Run as `python -m support.repository_reports OUT` (with tests/ on the path) it builds into OUT.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.reports import write_reports
from support.paths import REPOSITORY

INFO = BuildInfo(
    "0123456789abcdef0123456789abcdef01234567",
    1449532800,
    {"quaestio": "9.9.9", "pandoc": "3.9", "typst": "0.15.2"},
)
# Longer than the slowest build on a shared two-core machine, shorter than CI's limit for the whole run.
TIMEOUT_SECONDS = 1800


def build(out: Path) -> None:
    """Every report of the repository's content, in every language, into out/reports (cache in out/cache)."""
    checked = check(REPOSITORY)
    assert checked.corpus is not None, checked.findings
    write_reports(checked.corpus, INFO, load_branding(REPOSITORY), out / "reports", out / "cache")


class BackgroundBuild:
    """`build` in a child process from the moment this is made; `wait` gives the folder once it has finished."""

    def __init__(self) -> None:
        self.out = Path(tempfile.mkdtemp(prefix="quaestio-repository-reports-"))
        self.log = self.out / "build.log"
        tests = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (tests, os.environ.get("PYTHONPATH")) if p)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "support.repository_reports", str(self.out)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": path},
                start_new_session=True,  # its own process group, so that `close` stops its compilers too
            )

    def wait(self) -> Path:
        """The build folder, once the child has built every report; its output if it failed."""
        try:
            status = self.process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.close()
            raise AssertionError(f"the reports were not built within {TIMEOUT_SECONDS} s") from None
        assert status == 0, f"building the repository's reports failed:\n{self.log.read_text(errors='replace')}"
        return self.out

    def close(self) -> None:
        """Stop the child if it still runs (the session ended early) and remove what it wrote."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.out, ignore_errors=True)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
