"""Time the live preview: from saving a recommendation file to the edited text in the browser, with `quaestio serve`.

`quaestio serve` runs on the corpus as a child process; Chromium (Playwright) keeps the edited recommendation's
page open, and each edit changes its title. The time runs from the file's write to the new title in the page's
heading, the reload included. Between edits the preview is left to finish its work, as between two saves.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from measure import PeakMemory

from support.static_host import CHROMIUM, CHROMIUM_ARGS

STATUS_PATH = "/__quaestio__/status"
TARGET_SECONDS = 1.0
START_TIMEOUT = 600.0  # the first build of a large corpus on a busy machine
EDIT_TIMEOUT = 60.0
SETTLE_TIMEOUT = 300.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(base: str) -> dict | None:
    try:
        with urllib.request.urlopen(base + STATUS_PATH, timeout=5) as response:
            return json.loads(response.read())
    except OSError:
        return None


def _settled(base: str, process: subprocess.Popen, timeout: float) -> dict:
    """The preview's status once it has built at least once and has nothing left to do."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"quaestio serve ended with status {process.returncode}")
        status = _status(base)
        if status and status["generation"] >= 1 and not status["building"] and not status.get("finishing"):
            return status
        time.sleep(0.1)
    raise TimeoutError(f"the preview did not settle within {timeout:.0f} s")


def _edited_recommendation(root: Path) -> tuple[Path, str, str]:
    """The first recommendation with a one-line title: its file, its ID and its title."""
    for file in sorted((root / "recommendations").rglob("*.yaml")):
        for item in file.read_text(encoding="utf-8").split("\n  - id: ")[1:]:
            title = re.search(r"^    title: ([^>|'\"\s].*)$", item, re.M)
            if title:
                return file, item.split(None, 1)[0], title.group(1)
    raise SystemExit(f"no recommendation under {root} has a one-line title to edit")


class _PeakMemory:
    """Samples the memory of a process tree in the background (see measure.PeakMemory); `stop` gives the highest
    seen, in MB."""

    def __init__(self, pid: int, interval: float = 0.02):
        self.memory, self.interval = PeakMemory(pid), interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.memory.sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.memory.peak_mb


def measure_preview(root: Path, edits: int) -> tuple[float, float]:
    """Median seconds from a recommendation file's write to its new title in Chromium, and peak MB of serve's
    process tree (first build included), over `edits` edits. The file is restored afterwards."""
    from playwright.sync_api import sync_playwright

    file, first_id, title = _edited_recommendation(root)
    original = file.read_bytes()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "quaestio", "--root", str(root), "serve", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = _PeakMemory(process.pid)
    waits: list[float] = []
    try:
        _settled(base, process, START_TIMEOUT)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{base}/recommendations/{first_id}/")
            if title not in page.inner_text("h1"):
                raise RuntimeError(f"the page of {first_id} does not show its title {title!r}")
            for attempt in range(edits):
                edited = f"Edited {attempt} {title}"
                text = original.decode("utf-8").replace(f"title: {title}", f"title: {edited}", 1)
                started = time.perf_counter()
                file.write_text(text, encoding="utf-8")
                page.wait_for_function(
                    "text => { const h = document.querySelector('h1'); return h && h.innerText.includes(text); }",
                    arg=edited,
                    timeout=EDIT_TIMEOUT * 1000,
                    polling="raf",
                )
                waits.append(time.perf_counter() - started)
                _settled(base, process, SETTLE_TIMEOUT)
            browser.close()
    finally:
        file.write_bytes(original)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        peak = memory.stop()
    return statistics.median(waits), peak


def _corpus(folder: Path, count: int) -> Path:
    """The repository's content scaled to `count` recommendations, English only, committed to git."""
    import realistic

    root = realistic.generate(folder / f"corpus-{count}", count, translations=False)
    identity = ["-c", "user.name=Benchmark", "-c", "user.email=bench@example.org"]
    for args in (["init", "-q"], [*identity, "add", "-A"], [*identity, "commit", "-q", "-m", "content"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, help="a content repository (default: a generated one of --count)")
    parser.add_argument("--count", type=int, default=2000, help="recommendations in the generated corpus")
    parser.add_argument("--edits", type=int, default=5, help="edits measured; the median is printed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quaestio-preview-bench-") as scratch:
        root = args.root or _corpus(Path(scratch), args.count)
        median, peak = measure_preview(root, args.edits)
    ok = median < TARGET_SECONDS
    print(
        f"quaestio serve, {root if args.root else f'{args.count:,} recommendations'}: an edit shows in Chromium "
        f"in {median:.2f} s (median of {args.edits}); target under {TARGET_SECONDS:.0f} s; "
        f"peak {peak:.0f} MB  {'ok' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
