"""A function called in a child process gives what it gives in this one, and a failure names what failed."""

from __future__ import annotations

import zlib

import pytest

from quaestio.publish.child import call_in_child
from quaestio.publish.pdf_tags import finish_pdf


def test_a_child_returns_what_the_function_returns():
    assert call_in_child(zlib.compress, b"report " * 1000, 9) == zlib.compress(b"report " * 1000, 9)


def test_a_failure_in_the_child_names_the_function_and_its_error():
    with pytest.raises(RuntimeError, match=r"finish_pdf failed in its process \(exit status 1\): .*PdfError"):
        call_in_child(finish_pdf, b"%PDF-1.7 not a PDF")
