"""Time quaestio's commands on synthetic corpora and report medians: `make bench`."""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate

RUNS = 7
REPORT_RUNS = 5
TARGETS = {2000: 0.5, 10000: 2.5}
MEMORY_LIMIT_MB = 500


def _time_command(argv: list[str]) -> tuple[float, float, int]:
    """Median wall time (s), peak resident memory (MB) and exit status of a command over RUNS runs."""
    times, peak, status = [], 0.0, 0
    for _ in range(RUNS):
        start = time.perf_counter()
        completed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        status = completed.returncode
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    return statistics.median(times), peak, status


REPO = Path(__file__).resolve().parents[1]
REPORT_TARGETS = {"cold": 10.0, "unchanged": 1.0, "one recommendation changed": 1.5}


def _copy_content(target: Path) -> Path:
    """A copy of the repository's content as a git repository of its own, as a working group has it."""
    for name in ("topics", "recommendations", "templates", "schemas"):
        shutil.copytree(REPO / name, target / name)
    identity = ["-c", "user.name=Benchmark", "-c", "user.email=bench@example.org"]
    for args in (["init", "-q"], [*identity, "add", "-A"], [*identity, "commit", "-q", "-m", "content"]):
        subprocess.run(["git", "-C", str(target), *args], check=True, capture_output=True)
    return target


def _time_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def bench_reports(scratch: Path) -> int:
    """Time `quaestio reports` on the repository's content: cold, unchanged, and after one edit."""
    root = _copy_content(scratch / "reports-content")
    command = [sys.executable, "-m", "quaestio", "--root", str(root), "reports"]
    cold, unchanged, changed = [], [], []
    target = root / "recommendations" / "governance" / "business.yaml"
    original = target.read_text(encoding="utf-8")
    for run in range(REPORT_RUNS):
        shutil.rmtree(root / "build", ignore_errors=True)
        cold.append(_time_once(command))
        unchanged.append(_time_once(command))
        target.write_text(original.replace("twice a year", f"twice a year ({run})", 1), encoding="utf-8")
        changed.append(_time_once(command))
        target.write_text(original, encoding="utf-8")
    print(f"\nquaestio reports on the repository's content, median of {REPORT_RUNS} runs")
    failures = 0
    for label, times in (("cold", cold), ("unchanged", unchanged), ("one recommendation changed", changed)):
        median = statistics.median(times)
        ok = median < REPORT_TARGETS[label]
        failures += not ok
        print(f"{label:<40}{median:>8.3f}s{REPORT_TARGETS[label]:>8.1f}s  {'ok' if ok else 'MISSED'}")
    return failures


def main() -> int:
    failures = 0
    print(f"quaestio validate, median of {RUNS} runs of the whole command (Python start-up included)")
    print(f"{'corpus':<40}{'median':>9}{'target':>9}{'peak MB':>9}  verdict")
    with tempfile.TemporaryDirectory(prefix="quaestio-bench-") as scratch:
        for count, target in TARGETS.items():
            for broken in (False, True):
                root = generate(Path(scratch) / f"{count}-{broken}", count, broken)
                median, peak, status = _time_command(
                    [sys.executable, "-m", "quaestio", "--root", str(root), "validate"]
                )
                expected_status = 1 if broken else 0
                ok = median < target and peak < MEMORY_LIMIT_MB and status == expected_status
                failures += not ok
                label = f"{count} recommendations" + (", one error each" if broken else ", clean")
                print(f"{label:<40}{median:>8.3f}s{target:>8.1f}s{peak:>9.0f}  {'ok' if ok else 'MISSED'}")
        failures += bench_reports(Path(scratch))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
