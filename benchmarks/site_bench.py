"""The website of the repository's content: its build time, mkdocs in and out of process, and each page's weight.

The figures at 2,000 and more recommendations, and for several languages, are benchmarks/bench.py's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from measure import PeakMemory

from support.static_host import CHROMIUM, CHROMIUM_ARGS, serving

REPOSITORY = Path(__file__).resolve().parents[1]
RUNS = 5
TARGET = 5.0  # seconds, the repository's content
MEMORY_LIMIT_MB = 1024
WEIGHT_LIMIT = 500_000


def time_command(argv: list[str]) -> tuple[float, float, int]:
    """Median wall time (s), peak memory of the process tree (MB, see measure.PeakMemory) and last exit status
    over RUNS runs."""
    times, peak, status = [], 0.0, 0
    for _ in range(RUNS):
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        memory = PeakMemory(process.pid)
        while process.poll() is None:
            memory.sample()
            time.sleep(0.02)
        times.append(time.perf_counter() - start)
        peak = max(peak, memory.peak_mb)
        status = process.returncode
    return statistics.median(times), peak, status


def _copy_content(target: Path) -> Path:
    for name in ("topics", "recommendations", "catalogs", "translations"):
        shutil.copytree(REPOSITORY / name, target / name)
    return target


def page_weights(site: Path) -> list[tuple[str, int, int]]:
    """(page, bytes transferred, bytes uncompressed) of every page's first load, search index included."""
    from playwright.sync_api import sync_playwright

    pages = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html"))
    results = []
    with serving(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for page_path in pages:
            page_path = "" if page_path == "./" else page_path
            context = browser.new_context()
            sizes: list[tuple[int, int]] = []

            def finished(request, sizes=sizes):
                response = request.response()
                measured = request.sizes()
                body = len(response.body()) if response and response.ok else 0
                sizes.append((measured["responseBodySize"] + measured["responseHeadersSize"], body))

            context.on("requestfinished", finished)
            page = context.new_page()
            page.goto(base + page_path, wait_until="networkidle")
            page.wait_for_timeout(200)
            results.append((page_path or "(home)", sum(s[0] for s in sizes), sum(s[1] for s in sizes)))
            context.close()
        browser.close()
    return results


def engine_comparison(root: Path) -> tuple[float, float]:
    """Median time of mkdocs in this process and as a child process, over the same generated pages."""
    from quaestio.pipeline import check
    from quaestio.publish.branding import load_branding
    from quaestio.publish.buildinfo import build_info
    from quaestio.publish.site.engine import (
        build_with_mkdocs,
        build_with_mkdocs_subprocess,
        config_path,
        settings,
        with_fragments,
        write_config,
    )
    from quaestio.publish.site.pages import SiteGenerator

    corpus, info, branding = check(root).corpus, build_info(root, os.environ), load_branding(root)
    if corpus is None:
        raise SystemExit(f"{root} has errors; run quaestio validate")
    with tempfile.TemporaryDirectory(prefix="quaestio-engines-") as scratch:
        folder = Path(scratch)
        generator = SiteGenerator(corpus, info, branding, folder / "none")
        generator.write(folder / "docs", folder / "fragments.json")
        config = config_path(branding)
        extra = with_fragments(
            config, settings(branding, generator.wording, info, generator.nav), folder / "fragments.json"
        )
        effective = write_config(config, folder / "mkdocs.yml", "docs", "site-child", extra)
        build_with_mkdocs(config, folder / "docs", folder / "warm-up", extra, info)  # imports, once per run anyway
        inside, child = [], []
        for run in range(RUNS):
            start = time.perf_counter()
            build_with_mkdocs(config, folder / "docs", folder / f"site-{run}", extra, info)
            inside.append(time.perf_counter() - start)
            start = time.perf_counter()
            build_with_mkdocs_subprocess(effective, info)
            child.append(time.perf_counter() - start)
    return statistics.median(inside), statistics.median(child)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-browser", action="store_true", help="skip the page weights (needs Chromium)")
    args = parser.parse_args()
    failures = 0
    print(f"python build.py site (validation, open data and website), median of {RUNS} runs, Python start-up included")
    print(f"{'corpus':<34}{'median':>9}{'target':>9}{'peak MB':>9}  verdict")
    with tempfile.TemporaryDirectory(prefix="quaestio-site-bench-") as scratch:
        folder = Path(scratch)
        repository = _copy_content(folder / "repository")
        median, peak, status = time_command([sys.executable, "-m", "quaestio", "--root", str(repository), "site"])
        ok = status == 0 and median < TARGET and peak < MEMORY_LIMIT_MB
        failures += not ok
        print(f"{'repository content':<34}{median:>8.2f}s{TARGET:>8.1f}s{peak:>9.0f}  {'ok' if ok else 'MISSED'}")

        inside, child = engine_comparison(repository)
        print(
            f"\nmkdocs over the repository's pages: in-process {inside:.2f}s, as a child process {child:.2f}s (medians)"
        )

        if not args.no_browser:
            weights = page_weights(repository / "build" / "site")
            heaviest = max(weights, key=lambda w: w[1])
            over = [w for w in weights if w[1] >= WEIGHT_LIMIT]
            failures += bool(over)
            print(f"\nfirst load of each of the {len(weights)} pages (gzip-compressing server, search index included):")
            print(
                f"  median {statistics.median(w[1] for w in weights) / 1000:.0f} kB transferred "
                f"({statistics.median(w[2] for w in weights) / 1000:.0f} kB uncompressed); heaviest "
                f"{heaviest[0]} {heaviest[1] / 1000:.0f} kB ({heaviest[2] / 1000:.0f} kB uncompressed); "
                f"target under {WEIGHT_LIMIT / 1000:.0f} kB: {'ok' if not over else 'MISSED ' + str(over)}"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
