"""A Content-Security-Policy in every built page: static hosts such as GitHub Pages cannot send the header, so each
page carries it in a <meta http-equiv> element, allowing its own inline scripts (the theme's) by their SHA-256."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape
from pathlib import Path

_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
# Script types that browsers run; any other type (application/json) is a data block the policy does not govern.
_RUN = {"", "text/javascript", "application/javascript", "module"}
HASHES = "{script_hashes}"


def inline_script_hashes(html: str) -> list[str]:
    """The CSP source expressions ('sha256-…') of a page's inline scripts, in page order, each once."""
    found: list[str] = []
    for script in _SCRIPT.finditer(html):
        attributes = script.group("attributes")
        if re.search(r"\bsrc\s*=", attributes, re.IGNORECASE):
            continue
        kind = _TYPE.search(attributes)
        if (kind.group(1).lower() if kind else "") not in _RUN:
            continue
        digest = base64.b64encode(hashlib.sha256(script.group("body").encode("utf-8")).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
        if source not in found:
            found.append(source)
    return found


def with_policy(html: str, policy: str) -> str:
    """The page with the policy as the first element of its head, its inline scripts' hashes filled in."""
    if HASHES not in policy:
        raise ValueError(f"the Content-Security-Policy must name {HASHES}, where the pages' script hashes go")
    head = _HEAD.search(html)
    if head is None:
        return html
    filled = " ".join(policy.replace(HASHES, " ".join(inline_script_hashes(html))).split())
    content = escape(filled, quote=False).replace('"', "&quot;")  # the policy's quotes stay readable
    meta = f'<meta http-equiv="Content-Security-Policy" content="{content}">'
    return html[: head.end()] + meta + html[head.end() :]


def secure_pages(site: Path, policy: str) -> None:
    """Put the policy into every HTML page of a built site."""
    for page in sorted(site.rglob("*.html")):
        page.write_text(with_policy(page.read_text(encoding="utf-8"), policy), encoding="utf-8")
