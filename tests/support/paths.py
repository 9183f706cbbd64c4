"""Where the tests find the repository and its fixture trees, whatever folder a test file sits in."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
FIXTURES = REPOSITORY / "tests" / "fixtures"
MINIMAL = FIXTURES / "minimal"
SCHEMAS = REPOSITORY / "schemas"
PACKAGE = REPOSITORY / "src" / "quaestio"
# The folders a content repository holds: what a test copies to work on "the repository's content".
CONTENT_FOLDERS = ("topics", "recommendations", "catalogs", "translations")
