"""Contributors' Markdown written for pandoc: read back by pandoc itself, it holds only what the parser found."""

from __future__ import annotations

import json
import random
import re
import subprocess

import pypandoc
import pytest

from quaestio.publish.pandoc_markdown import blocks, inline, link, literal
from quaestio.publish.reports import READER

pytestmark = pytest.mark.slow


def _ast(markdown: str) -> list:
    """The blocks pandoc reads from Markdown, with the reports' reader."""
    completed = subprocess.run(
        [pypandoc.get_pandoc_path(), "--from", READER, "--to", "json"],
        input=markdown.encode("utf-8"),
        capture_output=True,
        check=True,
    )
    return json.loads(completed.stdout)["blocks"]


def _words(inlines: list) -> str:
    """The text of plain inlines; any other element (emphasis, link, code, math...) fails the test."""
    out = []
    for element in inlines:
        kind = element["t"]
        if kind == "Str":
            out.append(element["c"])
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        else:
            raise AssertionError(f"pandoc read a {kind} in literal text: {element}")
    return "".join(out)


def test_any_punctuation_is_read_back_as_the_same_text():
    """Thousands of characters of punctuation-heavy text, each written as a literal, are plain text to pandoc."""
    rng = random.Random(20151201)
    alphabet = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ abc123é€\u00a0"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))).strip() or "x" for _ in range(300)]
    texts += ["1. not a list", "- not a list", "# not a heading", "> not a quote", ":   not a definition", "| a | b |"]
    texts += ["```{=typst}", "{{ 7*7 }}", "$x$", "[@cite]", "<b>x</b>", "--8<-- x", "\\textbf{x}", "a\\", "%title"]
    document = "\n\n".join(literal(text) for text in texts)
    paragraphs = _ast(document)
    assert len(paragraphs) == len(texts)
    for text, block in zip(texts, paragraphs, strict=True):
        assert block["t"] == "Para", (text, block)
        assert _words(block["c"]) == re.sub(" +", " ", text), text  # pandoc folds spaces, keeps no-break ones


def test_code_keeps_every_character_and_takes_no_attribute():
    markdown = blocks(
        "Text.\n\n    config = {debug: $HOME, to: @team}\n\n```{=typst}\n#panic()\n```\n\n"
        "Inline `a $b @c {d} \\e`{=typst} and ``x`y``.\n\n~~~\nback ``` ticks\n~~~"
    )
    ast = _ast(markdown)
    codes = [b["c"][1] for b in ast if b["t"] == "CodeBlock"]
    assert codes == ["config = {debug: $HOME, to: @team}", "#panic()", "back ``` ticks"]
    assert all(b["c"][0] == ["", [], []] for b in ast if b["t"] == "CodeBlock")  # no class, no raw format
    assert not [b for b in ast if b["t"] == "RawBlock"]
    inlines = next(b["c"] for b in ast if b["t"] == "Para" and b["c"][0]["c"] == "Inline")
    spans = [element["c"][1] for element in inlines if element["t"] == "Code"]
    assert spans == ["a $b @c {d} \\e", "x`y"]
    assert "RawInline" not in json.dumps(inlines) and "{=typst}" in json.dumps(inlines)


def test_lists_emphasis_quotes_tables_and_headings_keep_their_form():
    ast = _ast(
        blocks(
            "# Top\n\n- one *em*\n- two **strong** ~~old~~\n\n3. three\n4. four\n\n> quoted\n\n"
            "| a | b |\n|:-|-:|\n| c | d |\n\n## Sub",
            heading_level=3,
        )
    )
    kinds = [b["t"] for b in ast]
    assert kinds == ["Header", "BulletList", "OrderedList", "BlockQuote", "Table", "Header"]
    assert [ast[0]["c"][0], ast[-1]["c"][0]] == [3, 4]  # shifted under the report's structure
    assert ast[2]["c"][0][0] == 3  # the list starts where the contributor's did
    assert "Emph" in json.dumps(ast[1]) and "Strong" in json.dumps(ast[1]) and "Strikeout" in json.dumps(ast[1])


def test_only_web_and_mail_links_are_links():
    text = (
        "[a](https://example.org/x_(y)?q=1&r='2') [b](mailto:i@example.org) <https://auto.example> "
        "[c](javascript:alert(1)) [d](data:text/html,x) [e](file:///etc/passwd) [f](../x) ![g](https://t.example/p.png)"
    )
    ast = _ast(blocks(text))
    targets = [node["c"][2][0] for node in _links(ast)]
    assert targets == [
        "https://example.org/x_%28y%29?q=1&r=%272%27",
        "mailto:i@example.org",
        "https://auto.example",
        "https://t.example/p.png",  # an image is never loaded: it becomes a link to itself
    ]
    assert "javascript:alert(1)" in json.dumps(ast) and "Image" not in json.dumps(ast)


def _links(node: object) -> list:
    if isinstance(node, dict):
        found = [node] if node.get("t") == "Link" else []
        return found + _links(node.get("c"))
    if isinstance(node, list):
        return [link for item in node for link in _links(item)]
    return []


def test_inline_is_one_line_and_link_refuses_other_schemes():
    assert inline("a *b*\nc\n\n    code {x}") == "a *b* c `code {x}`"
    assert link("see <here>", "javascript:alert(1)") == "see \\<here\\>"
    assert link("x", "https://example.org/a b") == "[x](https://example.org/a%20b)"
