"""pandoc's workers convert as the pandoc command does, write several files from one reading, survive a refused
request and end with their pool."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

import pypandoc
import pytest

from quaestio.publish.pandoc_worker import (
    Conversion,
    PandocFailed,
    PandocPool,
    Worker,
    WorkerDied,
    Writing,
    convert_apart,
)
from quaestio.publish.reports import (
    ANCHORS_FILTER,
    HEADINGS_FILTER,
    READER,
    WORKER_CHARACTERS,
    ReportError,
    Workers,
    _convert,
    _step,
)
from quaestio.publish.typst_child import TypstPool
from support.paths import REPOSITORY

pytestmark = pytest.mark.slow

PANDOC = pypandoc.get_pandoc_path()
TEMPLATES = REPOSITORY / "templates" / "reports"
# What the pandoc command and a bare pandoc.read would read apart: an abbreviation ("No." keeps its number), a
# pipe table of 76 columns, an automatic identifier, a picture from the resource folder, a list entry.
MARKDOWN = """\
# Scope of the Convention

The Convention (ETS No. 185) applies on 20 October 2016 -- and after.

| Article | What the parties must do, in words passing seventy-two columns |
|---------|----------------------------------------------------------------|
| 2       | Illegal access                                                 |

![A chart](chart.png)

## Références et « guillemets » {#refs}

::: {#ref-a .csl-entry}
Council of Europe (2001). Convention on Cybercrime.
:::
"""


def _chart(folder: Path) -> None:
    # The smallest valid PNG: one transparent pixel.
    (folder / "chart.png").write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
        )
    )


def _typst_writing(folder: Path, name: str = "out.typ") -> Writing:
    return Writing(
        "typst", folder / name, template=TEMPLATES / "report.typ", wrap="preserve", filters=(ANCHORS_FILTER,)
    )


def _docx_writing(folder: Path, name: str = "out.docx") -> Writing:
    return Writing(
        "docx",
        folder / name,
        reference_doc=TEMPLATES / "reference.docx",
        toc_depth=2,
        metadata={"title": "A title: with a colon", "lang": "en-GB", "toc-title": "Contents", "draft": "true"},
        filters=(HEADINGS_FILTER,),
    )


def _typst(folder: Path, name: str = "out.typ") -> Conversion:
    return Conversion(READER, (_typst_writing(folder, name),), 1449532800, folder)


def _docx(folder: Path, name: str = "out.docx") -> Conversion:
    headings = {"QUAESTIO_HEADINGS": str(folder / f"{name}.headings.json")}
    return Conversion(READER, (_docx_writing(folder, name),), 1449532800, folder, headings)


def _by_command(markdown: str, conversion: Conversion) -> None:
    """The conversion of its one writing by the pandoc command, with the options the reports' workers stand for."""
    (writing,) = conversion.writings
    args = ["--from", conversion.reader, "--to", writing.writer, "--output", str(writing.output)]
    args += ["--resource-path", str(conversion.resource_path)]
    args += ["--template", str(writing.template)] if writing.template else []
    args += [f"--wrap={writing.wrap}"] if writing.wrap else []
    args += ["--reference-doc", str(writing.reference_doc)] if writing.reference_doc else []
    args += ["--toc", f"--toc-depth={writing.toc_depth}"] if writing.toc_depth is not None else []
    args += [f"--metadata={key}={value}" for key, value in writing.metadata.items()]
    args += [f"--lua-filter={path}" for path in writing.filters]
    environment = {**os.environ, **conversion.environment, "SOURCE_DATE_EPOCH": str(conversion.epoch)}
    subprocess.run([PANDOC, *args], input=markdown.encode(), env=environment, check=True, capture_output=True)


@pytest.mark.parametrize("make", [_typst, _docx])
def test_a_worker_writes_the_bytes_the_pandoc_command_writes(tmp_path, make):
    _chart(tmp_path)
    by_command, by_worker = make(tmp_path, "command"), make(tmp_path, "worker")
    _by_command(MARKDOWN, by_command)
    worker = Worker(PANDOC)
    try:
        worker.convert(MARKDOWN, by_worker)
        worker.convert(MARKDOWN, by_worker)  # a second request is converted as the first
    finally:
        worker.close()
    (written,) = by_worker.writings
    assert written.output.read_bytes() == by_command.writings[0].output.read_bytes()
    if written.writer == "typst":
        assert '#quaestio-anchor("ref-a")' in written.output.read_text()  # anchors.lua applied
    else:
        headings = Path(by_worker.environment["QUAESTIO_HEADINGS"]).read_bytes()
        assert headings == Path(by_command.environment["QUAESTIO_HEADINGS"]).read_bytes()
        assert b'"refs"' in headings  # headings.lua applied, with this request's own file


# A Word document's first section, which the PDF prints from its data instead.
IMPRINT = """\
# About this report {#imprint}

Published by the coalition. **Licence** CC BY 4.0: <https://creativecommons.org/licenses/by/4.0/>.
"""


@pytest.mark.parametrize("apart", [False, True], ids=["long-lived worker", "worker of its own"])
def test_one_reading_writes_what_the_command_writes_from_the_pdf_and_the_word_markdown(tmp_path, apart):
    _chart(tmp_path)
    pdf_markdown = MARKDOWN.replace("](chart.png)", "](chart.svg)")  # typst draws the chart from its SVG
    word_markdown = "\n".join([IMPRINT, MARKDOWN])  # Word shows its PNG, after the imprint
    word = replace(_docx_writing(tmp_path, "both.docx"), before=IMPRINT, pictures={"chart.svg": "chart.png"})
    headings = {"QUAESTIO_HEADINGS": str(tmp_path / "both.docx.headings.json")}
    both = Conversion(READER, (_typst_writing(tmp_path, "both.typ"), word), 1449532800, tmp_path, headings)
    if apart:
        convert_apart(PANDOC, pdf_markdown, both)
    else:
        worker = Worker(PANDOC)
        try:
            worker.convert(pdf_markdown, both)
        finally:
            worker.close()
    _by_command(pdf_markdown, _typst(tmp_path, "command.typ"))
    _by_command(word_markdown, _docx(tmp_path, "command.docx"))
    for name in ("typ", "docx", "docx.headings.json"):
        assert (tmp_path / f"both.{name}").read_bytes() == (tmp_path / f"command.{name}").read_bytes(), name
    assert "About this report" not in (tmp_path / "both.typ").read_text()
    assert 'image("chart.svg"' in (tmp_path / "both.typ").read_text()
    assert b'"imprint"' in (tmp_path / "both.docx.headings.json").read_bytes()


def test_each_request_has_its_own_source_date_epoch(tmp_path):
    _chart(tmp_path)
    worker = Worker(PANDOC)
    try:
        for epoch in (1449532800, 1700000000):
            output, by_command = tmp_path / f"{epoch}.docx", tmp_path / f"{epoch}-command.docx"
            worker.convert(MARKDOWN, Conversion(READER, (Writing("docx", output),), epoch, tmp_path))
            _by_command(MARKDOWN, Conversion(READER, (Writing("docx", by_command),), epoch, tmp_path))
            assert output.read_bytes() == by_command.read_bytes()
    finally:
        worker.close()
    assert (tmp_path / "1449532800.docx").read_bytes() != (tmp_path / "1700000000.docx").read_bytes()


def test_a_refused_request_answers_with_pandocs_message_and_the_worker_goes_on(tmp_path):
    _chart(tmp_path)
    worker = Worker(PANDOC)
    try:
        with pytest.raises(PandocFailed, match="Unknown input format nosuchformat"):
            worker.convert(MARKDOWN, Conversion("nosuchformat", (Writing("typst", tmp_path / "x.typ"),), 0, tmp_path))
        with pytest.raises(PandocFailed, match=r"missing\.typ"):
            missing = Writing("typst", tmp_path / "x.typ", template=tmp_path / "missing.typ")
            worker.convert(MARKDOWN, Conversion(READER, (missing,), 0, tmp_path))
        worker.convert(MARKDOWN, _typst(tmp_path))
    finally:
        worker.close()
    assert worker.requests == 3
    assert "= Scope of the Convention" in (tmp_path / "out.typ").read_text()


def test_a_refused_request_is_a_report_error_naming_pandoc(tmp_path):
    with PandocPool(PANDOC) as pool, pytest.raises(ReportError, match=r"^pandoc failed: .*nosuchformat"):
        refused = Conversion("nosuchformat", (Writing("typst", tmp_path / "x.typ"),), 0, tmp_path)
        _convert(MARKDOWN, refused, _workers(pool))


def test_a_dead_worker_is_a_clear_report_error_not_a_hang(tmp_path):
    _chart(tmp_path)
    with PandocPool(PANDOC) as pool:
        workers = _workers(pool)
        _convert(MARKDOWN, _typst(tmp_path), workers)
        (worker,) = pool.workers
        os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(ReportError, match=r"pandoc failed: pandoc's worker stopped \(exit status -9\)"):
            _convert(MARKDOWN, _typst(tmp_path), workers)
        assert pool.workers == []  # the dead worker is not given back
        _convert(MARKDOWN, _typst(tmp_path), workers)  # a new one is started


def _workers(pool: PandocPool) -> Workers:
    """The report jobs' workers around a pandoc pool (typst's, started only when asked, stay unused here)."""
    return Workers(pool, TypstPool())


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_the_pool_starts_no_more_workers_than_threads_converting_and_closes_them_all(tmp_path):
    _chart(tmp_path)
    seen: set[int] = set()
    failures: list[BaseException] = []
    with PandocPool(PANDOC) as pool:

        def convert(thread: int) -> None:
            try:
                for round_ in range(3):
                    pool.convert(MARKDOWN, _docx(tmp_path, f"{thread}-{round_}.docx"))
                    seen.update(worker.pid for worker in pool.workers)
            except BaseException as failure:  # noqa: BLE001 - reported by the test's thread
                failures.append(failure)

        threads = [threading.Thread(target=convert, args=(n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures
        assert 1 <= len(seen) <= 3
        assert all(_alive(pid) for pid in seen)
    assert not any(_alive(pid) for pid in seen)
    assert len({(tmp_path / f"{n}-{r}.docx").read_bytes() for n in range(3) for r in range(3)}) == 1
    with pytest.raises(WorkerDied, match="closed"):
        pool.convert(MARKDOWN, _docx(tmp_path))


def test_a_worker_holding_more_than_the_limit_is_retired(tmp_path):
    _chart(tmp_path)
    with PandocPool(PANDOC, retire_mib=0) as pool:
        pool.convert(MARKDOWN, _typst(tmp_path))
        assert pool.workers == []


def test_a_large_markdown_text_has_a_pandoc_process_of_its_own_and_the_idle_workers_are_closed(tmp_path):
    _chart(tmp_path)
    large = MARKDOWN + "\n" + "A paragraph long enough to fill the text.\n\n" * 7000
    with PandocPool(PANDOC) as pool:
        workers = _workers(pool)
        _convert(MARKDOWN, _typst(tmp_path, "small.typ"), workers)
        (worker,) = pool.workers
        _convert(large, _typst(tmp_path, "large.typ"), workers)
        assert pool.workers == []
        assert not _alive(worker.pid)
    assert (tmp_path / "large.typ").read_text().count("A paragraph long enough") == 7000


def test_a_step_of_a_report_too_large_for_the_workers_closes_the_idle_ones(tmp_path):
    _chart(tmp_path)
    with PandocPool(PANDOC) as pool:
        workers = _workers(pool)
        _convert(MARKDOWN, _typst(tmp_path), workers)
        _step(70, WORKER_CHARACTERS, workers)  # a small report's typst step: the worker stays for the next
        (worker,) = pool.workers
        _step(700, WORKER_CHARACTERS + 1, workers)
        assert pool.workers == []
        assert not _alive(worker.pid)
