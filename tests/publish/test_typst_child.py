"""typst compiles in a child process, and its PDF is packed into object streams without losing anything."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pypdf import PdfReader

from quaestio.publish import pdf_tags
from quaestio.publish.typst_child import (
    RETIRE_MIB,
    FinishingRefused,
    TypstJob,
    TypstPool,
    TypstRefused,
    compile_in_child,
    finish_in_child,
)
from quaestio.publish.workers import WorkerDied
from support.paths import REPOSITORY

FONTS = str(REPOSITORY / "templates" / "fonts")
DOCUMENT = """#set document(title: "A tagged test")
#set text(lang: "en", font: "Source Sans 3")
= A heading
#for n in range(40) [
  == Part #n
  Some text with a #link("https://example.org")[link] and a link to #link(<last>)[the last part].
]
A link made after typst, as report.typ writes it: #link("quaestio-internal:last")[the last part].
== The last part <last>
The end.
"""


def _job(tmp_path, text: str) -> TypstJob:
    (tmp_path / "report.typ").write_text(text, encoding="utf-8")
    return TypstJob(
        source=str(tmp_path / "report.typ"),
        root=str(tmp_path),
        font_paths=(FONTS,),
        package_path=str(tmp_path / "no-packages"),
        timestamp=1_700_000_000,
        output=str(tmp_path / "report.pdf"),
    )


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.slow
def test_a_child_compiles_the_same_pdf_every_time(tmp_path):
    first = compile_in_child(_job(tmp_path, DOCUMENT))
    assert first.startswith(b"%PDF-") and compile_in_child(_job(tmp_path, DOCUMENT)) == first


@pytest.mark.slow
def test_a_refused_document_gives_typsts_own_message(tmp_path):
    with pytest.raises(TypstRefused, match="unknown variable: nowhere"):
        compile_in_child(_job(tmp_path, DOCUMENT + "#nowhere\n"))


@pytest.mark.slow
def test_packing_keeps_the_pages_text_tags_and_metadata_and_saves_bytes(tmp_path):
    pdf = compile_in_child(_job(tmp_path, DOCUMENT))
    packed = pdf_tags.finish_pdf(pdf)
    assert len(packed) < len(pdf) * 0.8
    assert packed == pdf_tags.finish_pdf(pdf)  # the same bytes for the same PDF
    assert _text(packed) == _text(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as before, pikepdf.open(io.BytesIO(packed)) as after:
        assert len(after.pages) == len(before.pages)
        assert after.Root.MarkInfo.Marked and "/StructTreeRoot" in after.Root
        assert after.open_metadata().get("pdfuaid:part") == "1"
        assert after.trailer.ID[0] == before.trailer.ID[0]
        links = [a for page in after.pages for a in page.get("/Annots", [])]
        assert len(links) == len([a for page in before.pages for a in page.get("/Annots", [])]) > 0
    assert b"/ObjStm" in packed and b"/Type /StructElem" not in packed


@pytest.mark.slow
def test_the_child_finishes_the_pdf_as_the_build_did_in_its_own_process(tmp_path):
    from dataclasses import replace

    unfinished = compile_in_child(_job(tmp_path, DOCUMENT))
    expected = pdf_tags.finish_pdf(unfinished, {"last": "The last part"}, "Seite")
    job = replace(_job(tmp_path, DOCUMENT), titles={"last": "The last part"}, link_page="Seite")
    finished = compile_in_child(replace(job, finish=True))
    assert finished == expected
    assert b"/ObjStm" in finished and b"/Type /StructElem" not in finished  # packed as it was fixed
    with pikepdf.open(io.BytesIO(finished)) as document:  # the titles and the word reached the child
        descriptions = [str(a.get("/Contents", "")) for page in document.pages for a in page.get("/Annots", [])]
    assert descriptions[-1].startswith("The last part, Seite ")
    (tmp_path / "apart.pdf").write_bytes(unfinished)
    assert finish_in_child(replace(job, output=str(tmp_path / "apart.pdf"))) == expected


@pytest.mark.slow
def test_a_link_to_a_place_without_a_destination_is_refused_with_its_label(tmp_path):
    from dataclasses import replace

    text = DOCUMENT + '#link("quaestio-internal:nowhere")[lost]\n'
    with pytest.raises(FinishingRefused, match="<nowhere>"):
        compile_in_child(replace(_job(tmp_path, text), finish=True))
    compile_in_child(_job(tmp_path, text))  # unfinished, then finished apart
    with pytest.raises(FinishingRefused, match="<nowhere>"):
        finish_in_child(_job(tmp_path, text))


@pytest.mark.slow
def test_a_pdf_the_finishing_cannot_read_fails_with_pikepdfs_message(tmp_path):
    from dataclasses import replace

    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 not a PDF")
    with pytest.raises(RuntimeError, match="finishing failed"):
        finish_in_child(replace(_job(tmp_path, DOCUMENT), output=str(tmp_path / "broken.pdf")))


@pytest.mark.slow
def test_a_worker_makes_the_bytes_a_child_makes_and_goes_on_after_a_refusal(tmp_path):
    from dataclasses import replace

    job = replace(_job(tmp_path, DOCUMENT), finish=True, titles={"last": "The last part"})
    expected = compile_in_child(job)
    with TypstPool() as pool:
        assert pool.compile(job) == expected
        (worker,) = pool.workers
        (tmp_path / "refused").mkdir()
        (tmp_path / "unfinished").mkdir()
        with pytest.raises(TypstRefused, match="unknown variable: nowhere"):
            pool.compile(_job(tmp_path / "refused", DOCUMENT + "#nowhere\n"))
        lost = DOCUMENT + '#link("quaestio-internal:nowhere")[lost]\n'
        with pytest.raises(FinishingRefused, match="<nowhere>"):
            pool.compile(replace(_job(tmp_path / "unfinished", lost), finish=True))
        assert pool.compile(job) == expected
        assert pool.workers == [worker] and worker.requests == 4  # the same worker, all along
    assert pool.workers == []


@pytest.mark.slow
def test_a_worker_that_dies_is_a_clear_error_and_the_next_job_has_a_new_one(tmp_path):
    import os
    import signal

    job = _job(tmp_path, DOCUMENT)
    with TypstPool() as pool:
        pool.compile(job)
        (worker,) = pool.workers
        os.kill(worker.pid, signal.SIGKILL)
        with pytest.raises(WorkerDied, match=r"typst's worker stopped \(exit status -9\)"):
            pool.compile(job)
        assert pool.workers == []
        assert pool.compile(job).startswith(b"%PDF-")
        assert [w.pid for w in pool.workers] != [worker.pid]


@pytest.mark.slow
def test_a_worker_holding_more_than_its_limit_is_closed_after_its_job(tmp_path):
    with TypstPool(retire_mib=0) as pool:
        pool.compile(_job(tmp_path, DOCUMENT))
        assert pool.workers == []
    with TypstPool() as pool:
        pool.compile(_job(tmp_path, DOCUMENT))
        (worker,) = pool.workers
        memory = worker.own_memory_mib()
        assert memory is not None and 0 < memory < RETIRE_MIB  # a small document leaves it well under the limit
    with pytest.raises(WorkerDied, match="closed"):
        pool.compile(_job(tmp_path, DOCUMENT))


@pytest.mark.slow
def test_a_job_the_worker_fails_on_is_a_clear_error_and_the_worker_is_closed(tmp_path, monkeypatch):
    from dataclasses import replace

    monkeypatch.setenv("PYTHONIOENCODING", "ascii")  # the worker's text streams could not carry the titles
    job = replace(_job(tmp_path, DOCUMENT), titles={"last": "La dernière partie · été"})
    with TypstPool() as pool:
        assert pool.compile(job).startswith(b"%PDF-")  # the request went in UTF-8 all the same
        with pytest.raises(RuntimeError, match=r"typst's worker failed: FileNotFoundError"):
            pool.compile(replace(job, output=str(tmp_path / "missing" / "report.pdf")))
        assert pool.workers == []


@pytest.mark.slow
def test_where_a_workers_memory_cannot_be_read_it_is_closed_after_a_few_jobs(tmp_path, monkeypatch):
    from quaestio.publish.workers import UNMEASURED_REQUESTS, LineWorker

    monkeypatch.setattr(LineWorker, "own_memory_mib", lambda worker: None)  # a system without /proc
    job = _job(tmp_path, DOCUMENT)
    with TypstPool() as pool:
        pool.compile(job)
        (first,) = pool.workers
        for _ in range(UNMEASURED_REQUESTS - 1):
            pool.compile(job)
        assert first.requests == UNMEASURED_REQUESTS and pool.workers == []  # closed after its last job
        pool.compile(job)
        assert [worker.pid for worker in pool.workers] != [first.pid]
