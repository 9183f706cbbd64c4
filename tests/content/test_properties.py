"""Property tests: whatever bytes or YAML a contributor saves, quaestio answers with findings, never a crash."""

from __future__ import annotations

import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quaestio.content.load import parse_yaml, read_yaml
from quaestio.findings import Finding
from quaestio.pipeline import check
from support.paths import MINIMAL

FIXTURES = MINIMAL
PUBLIC = "recommendations/alpha/public.yaml"

# Bytes that look like YAML more often than uniformly random bytes do.
yamlish = st.lists(
    st.sampled_from(
        [
            b"a",
            b":",
            b" ",
            b"\n",
            b"-",
            b"&x",
            b"*x",
            b"!!",
            b"'",
            b'"',
            b"[",
            b"]",
            b"{",
            b"}",
            b"#",
            b"\t",
            b"|",
            b">",
            b"---",
            b"\xff",
            b"\xc3\xa9",
            b"id",
            b"1",
        ]
    ),
    max_size=60,
).map(b"".join)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["ALP-PUB-01", "ALP-C1", "high", "adopted", "public"]),
)
keys = st.one_of(
    st.sampled_from(
        [
            "topic",
            "audience",
            "recommendations",
            "id",
            "title",
            "text",
            "rationale",
            "priority",
            "horizon",
            "status",
            "addresses",
            "references",
            "related",
            "tracker",
            "history",
            "superseded_by",
            "withdrawal_reason",
        ]
    ),
    st.text(max_size=12),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)),
    max_leaves=30,
)


def _lines(text: str) -> int:
    return max(1, len(text.splitlines()) + (0 if text.endswith("\n") else 1))


def _points_into(finding: Finding, text: str) -> bool:
    return 1 <= finding.line <= _lines(text) + 1 and finding.column >= 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | yamlish)
def test_any_bytes_give_a_document_or_findings(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "public.yaml"
    path.write_bytes(raw)
    document, findings = read_yaml(path, "public.yaml")
    assert (document is None) == bool(findings)
    text = raw.decode("utf-8", "replace")
    for finding in findings:
        assert finding.file == "public.yaml"
        assert _points_into(finding, text), (finding, raw)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_gives_findings_on_existing_lines(text):
    document, findings = parse_yaml(text, "f.yaml")
    assert (document is None) == bool(findings)
    for finding in findings:
        assert _points_into(finding, text), (finding, text)
    if document is not None:
        for line, column in document.positions.values.values():
            assert 1 <= line <= _lines(text) and column >= 1


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_any_yaml_document_gives_findings_that_point_at_existing_lines(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("repo") / "repo"
    shutil.copytree(FIXTURES, root)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (root / PUBLIC).write_text(text, encoding="utf-8")
    result = check(root)
    for finding in result.findings:
        if finding.file == PUBLIC:
            assert _points_into(finding, text), (finding, text)
    assert (result.corpus is None) == any(f.severity.value == "error" for f in result.findings)
