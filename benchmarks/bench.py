"""`make bench`: quaestio's speed at the shape real content grows into, against its peers, as medians.

Corpora are the repository's own content scaled to 2,000 and 10,000 recommendations at its real density
(benchmarks/realistic.py). Each figure is the median of several runs of the whole command, Python
start-up included, with the peak memory of its process tree. Doorstop and sphinx-needs, when they can be
installed into benchmarks/.peers, get the same items and the ratios are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peers  # noqa: E402
import realistic  # noqa: E402
from measure import Figure, Measure, run, table  # noqa: E402

REPOSITORY = HERE.parent
QUAESTIO = [sys.executable, "-m", "quaestio"]


def _quaestio(root: Path, *args: str) -> list[str]:
    return [*QUAESTIO, "--root", str(root), *args]


def _git_commit(root: Path) -> None:
    identity = ["-c", "user.name=Benchmark", "-c", "user.email=bench@example.org"]
    for args in (["init", "-q"], [*identity, "add", "-A"], [*identity, "commit", "-q", "-m", "content"]):
        subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _seconds(m: Measure) -> str:
    return f"{m.median:.2f} s (peak {m.peak_mb:.0f} MB, median of {m.runs})"


def _without_cache(root: Path) -> Callable[[], None]:
    """Before each cold run: no validation cache (build/.cache/validation.bin) from an earlier one."""
    return lambda: (root / "build" / ".cache" / "validation.bin").unlink(missing_ok=True)


def validate_cold(root: Path, runs: int) -> Measure:
    return run(_quaestio(root, "validate"), runs, before=_without_cache(root))


def bench_validate(scratch: Path, runs: int, corpora: dict[int, Path]) -> tuple[list[Figure], dict[int, Measure]]:
    """Validation, cold (no cache) and of an unchanged repository (every file from the cache), and with an
    error in every recommendation. Also returns the cold measures, which the Doorstop ratio uses."""
    figures = []
    colds: dict[int, Measure] = {}
    for count, root in corpora.items():
        clean = colds[count] = validate_cold(root, runs)
        time_target = 0.35 if count == 2000 else 1.5
        figures.append(
            Figure(
                f"validate, {count:,} recommendations, cold",
                _seconds(clean),
                f"< {time_target} s, < 300 MB",
                clean.status == 0 and clean.peak_mb < 300 and clean.median < time_target,
            )
        )
        run(_quaestio(root, "validate"), 1)  # fills the cache
        warm = run(_quaestio(root, "validate"), runs)
        figures.append(
            Figure(
                f"validate, {count:,} recommendations, unchanged repository (cached)",
                _seconds(warm),
                f"< cold ({clean.median:.2f} s), < 300 MB",
                warm.status == 0 and warm.peak_mb < 300 and warm.median < clean.median,
            )
        )
        broken = scratch / f"broken-{count}"
        shutil.copytree(root, broken)
        realistic.break_each(broken)
        wrong = validate_cold(broken, runs)
        figures.append(
            Figure(
                f"validate, {count:,} recommendations, an error in each, cold",
                _seconds(wrong),
                "< 300 MB",
                wrong.status == 1 and wrong.peak_mb < 300,
            )
        )
    return figures, colds


def bench_doorstop(scratch: Path, root: Path, quaestio: Measure, runs: int) -> list[Figure]:
    bin_dir = peers.peer_environment()
    if bin_dir is None:
        return [Figure("Doorstop, same items", "not measured: the peers could not be installed", "", None)]
    tree = peers.write_doorstop(root, scratch / "doorstop")
    doorstop = run([str(bin_dir / "doorstop")], max(1, runs // 2), cwd=tree)
    ratio = doorstop.median / quaestio.median
    return [
        Figure("Doorstop validate, same 2,000 items", _seconds(doorstop), "", None),
        Figure("validate: quaestio faster than Doorstop by", f"{ratio:.0f}×", "≥ 40×", ratio >= 40),
    ]


def bench_site(scratch: Path, root: Path, runs: int, with_peer: bool) -> tuple[list[Figure], Measure, Measure | None]:
    """The English website at 2,000 recommendations, and sphinx-needs' HTML build of the same items.

    The first run is cold; the median is of runs that find the bibliographies formatted by the last one
    (build/.cache), as a working group's builds do."""
    site = run(_quaestio(root, "site"), runs)
    topics = realistic.shape(root)[0]
    figures = [Figure(f"website, 2,000 recommendations in {topics} topics (English)", _seconds(site), "", None)]
    bin_dir = peers.peer_environment() if with_peer else None
    if bin_dir is None:
        if with_peer:
            figures.append(Figure("sphinx-needs", "not measured: the peers could not be installed", "", None))
        return figures, site, None
    project = peers.write_sphinx_needs(root, scratch / "sphinx-needs")
    out = scratch / "sphinx-needs-html"
    needs = run(
        [str(bin_dir / "sphinx-build"), "-q", "-b", "html", str(project), str(out)],
        max(1, runs // 2),
        before=lambda: shutil.rmtree(out, ignore_errors=True),
    )
    ratio = needs.median / site.median
    figures += [
        Figure("sphinx-needs HTML build, same items", _seconds(needs), "", None),
        Figure("website: quaestio faster than sphinx-needs by", f"{ratio:.1f}×", "≥ 2×", ratio >= 2),
    ]
    return figures, site, needs


def bench_languages(scratch: Path, english: Path, english_median: float, runs: int) -> list[Figure]:
    """The same 2,000 recommendations with every text in French and Dutch too: three sites, measured as the
    English site is (the first run cold, the median of as many runs), so that the ratio compares like with like."""
    root = scratch / "languages-2000"
    shutil.copytree(english, root, ignore=shutil.ignore_patterns("build"))
    realistic.translate_everything(root, ("fr", "nl"))
    _git_commit(root)
    three = run(_quaestio(root, "site"), runs)
    ratio = three.median / english_median
    return [
        Figure("website, the same in English, French and Dutch", _seconds(three), "", None),
        Figure("website: three languages against English alone", f"{ratio:.2f}×", "≤ 2×", ratio <= 2),
    ]


def bench_site_growth(scratch: Path, runs: int) -> list[Figure]:
    """Time per recommendation at 1,000 and 4,000: a per-page cost that grows with topics shows as a rise."""
    per = {}
    for count in (1000, 4000):
        root = realistic.generate(scratch / f"growth-{count}", count, translations=False)
        _git_commit(root)
        per[count] = run(_quaestio(root, "site"), max(1, runs // 2)).median / count
    growth = per[4000] / per[1000]
    return [
        Figure(
            "website: time per recommendation, 4,000 against 1,000",
            f"{per[1000] * 1000:.1f} ms → {per[4000] * 1000:.1f} ms ({growth:.2f}×)",
            "≤ 1.25× (linear)",
            growth <= 1.25,
        )
    ]


def bench_reports(root: Path, runs: int, needs: Measure | None) -> list[Figure]:
    """Every report for 2,000 recommendations, cold, against sphinx-needs' HTML build time."""
    build = root / "build"
    cold = run(_quaestio(root, "reports"), runs, before=lambda: shutil.rmtree(build, ignore_errors=True))
    figures = [
        Figure("reports, 2,000 recommendations, cold", _seconds(cold), "< 1.5 GB peak", cold.peak_mb < 1536),
        Figure(
            "reports: cores kept busy (CPU time over wall time)",
            f"{cold.cpu / cold.median:.2f} of {os.cpu_count()}",
            "",
            None,
        ),
    ]
    if needs is not None:
        ratio = cold.median / needs.median
        figures.append(Figure("reports cold against sphinx-needs' HTML build", f"{ratio:.1f}×", "≤ 3×", ratio <= 3))
    # The English compendium: one file, or past reports.yaml's volume_recommendations, volumes of whole topics.
    reports = build / "reports"
    volumes = [p for p in reports.glob("compendium*.pdf") if re.fullmatch(r"compendium(-\d+)?\.pdf", p.name)]
    if volumes:
        sizes = sorted(p.stat().st_size / 1e6 for p in volumes)
        pages = 0
        for volume in volumes:
            with pikepdf.open(volume) as pdf:
                pages += len(pdf.pages)
        shape = f"{sizes[-1]:.1f} MB" if len(sizes) == 1 else f"{len(sizes)} volumes, largest {sizes[-1]:.1f} MB"
        figures.append(
            Figure(
                "compendium PDF, 2,000 recommendations",
                f"{shape} ({sum(sizes):.1f} MB, {pages:,} pages in all)",
                "< 10 MB a file",
                sizes[-1] < 10,
            )
        )
    return figures


def bench_preview(scratch: Path, root: Path, edits: int) -> list[Figure]:
    """`serve` on 2,000 recommendations: from saving an edit to seeing it in the browser."""
    import preview_bench

    seconds, peak = preview_bench.measure_preview(root, edits)
    return [
        Figure(
            "preview: an edit seen in the browser, 2,000 recommendations",
            f"{seconds:.2f} s (peak {peak:.0f} MB, median of {edits} edits)",
            "< 1 s",
            seconds < 1,
        )
    ]


def bench_make(scratch: Path, runs: int) -> list[Figure]:
    """`quaestio build` on a fresh copy of the repository's content: every output, cold."""
    root = scratch / "make"
    for name in ("topics", "recommendations", "templates", "schemas", "translations", "catalogs", "mkdocs.yml"):
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.is_file():
            root.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    _git_commit(root)
    cold = run(_quaestio(root, "build"), runs, before=lambda: shutil.rmtree(root / "build", ignore_errors=True))
    languages = sorted(p.name for p in (REPOSITORY / "translations").iterdir() if p.is_dir())
    return [
        Figure(
            f"full build of the repository's content, cold (English, {', '.join(languages)})",
            _seconds(cold),
            "< 15 s",
            cold.median < 15,
        )
    ]


PARTS = ("validate", "site", "reports", "preview", "make")


def _machine() -> str:
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, load average {load:.1f} at the start, Python {sys.version.split()[0]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5; the peers get half)")
    parser.add_argument("--quick", action="store_true", help="one run each, 2,000 recommendations only, no peers")
    parser.add_argument("--only", choices=PARTS, action="append", help="measure only these parts")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    parts = set(args.only or PARTS)
    figures: list[Figure] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="quaestio-bench-") as folder:
        scratch = Path(folder)
        sizes = (2000,) if args.quick else (2000, 10000)
        # Validation sees the repository's translations too; the site and reports are measured in English.
        corpora = {n: realistic.generate(scratch / f"corpus-{n}", n) for n in sizes}
        english = realistic.generate(scratch / "english-2000", 2000, translations=False)
        for root in (*corpora.values(), english):
            _git_commit(root)
        topics, files, count = realistic.shape(corpora[2000])
        print(f"{_machine()}\ncorpus of {topics} topics, {files} recommendation files, {count} recommendations")
        if "validate" in parts:
            validate_figures, colds = bench_validate(scratch, runs, corpora)
            figures += validate_figures
            if not args.quick:
                figures += bench_doorstop(scratch, corpora[2000], colds[2000], runs)
        needs = None
        if "site" in parts:
            site_figures, site, needs = bench_site(scratch, english, runs, with_peer=not args.quick)
            figures += site_figures
            figures += bench_languages(scratch, english, site.median, runs)
            if not args.quick:
                figures += bench_site_growth(scratch, runs)
        if "reports" in parts:
            figures += bench_reports(english, max(1, runs // 2), needs)
        if "preview" in parts:
            figures += bench_preview(scratch, english, 3 if args.quick else 7)
        if "make" in parts:
            figures += bench_make(scratch, runs)
    print(table(figures))
    print(f"\n(bench took {time.perf_counter() - started:.0f} s)")
    return 1 if any(f.met is False for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())
