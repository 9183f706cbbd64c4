"""Templates are data the coalition edits: a template that fails is named with its file and line."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from quaestio.publish.render import TemplateFault, template_fault


@pytest.fixture
def templates(tmp_path) -> jinja2.Environment:
    folder = tmp_path / "checkout" / "templates" / "site"
    (folder / "fragments").mkdir(parents=True)
    (folder / "page.md.j2").write_text("# Title\n\n{% include 'fragments/part.html.j2' %}\n", encoding="utf-8")
    (folder / "fragments" / "part.html.j2").write_text(
        "<p>one</p>\n<p>{{ words.title }}</p>\n<p>{{ site.helper_that_is_gone() }}</p>\n", encoding="utf-8"
    )
    (folder / "broken.md.j2").write_text("# Title\n\n{% if %}\n", encoding="utf-8")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), undefined=jinja2.StrictUndefined)


def _raised(run) -> BaseException:
    try:
        run()
    except Exception as failure:  # noqa: BLE001 - the test looks at whatever was raised
        return failure
    raise AssertionError("nothing was raised")


def test_a_value_a_template_names_that_does_not_exist_is_at_its_line_in_the_included_file(templates):
    failure = _raised(lambda: templates.get_template("page.md.j2").render(words={"title": "T"}, site=object()))
    fault = template_fault(failure)
    assert fault == TemplateFault(
        "templates/site/fragments/part.html.j2", 3, "'object object' has no attribute 'helper_that_is_gone'"
    )
    assert str(fault).startswith("the template templates/site/fragments/part.html.j2 failed at line 3: ")


def test_a_syntax_error_is_at_its_line(templates):
    fault = template_fault(_raised(lambda: templates.get_template("broken.md.j2")))
    assert fault is not None and (fault.file, fault.line) == ("templates/site/broken.md.j2", 3)
    assert "Expected an expression" in fault.reason


def test_a_failure_outside_any_template_is_not_a_template_fault(templates):
    assert template_fault(_raised(lambda: Path("/nonexistent/file").read_text())) is None
