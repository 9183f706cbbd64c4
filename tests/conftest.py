"""Shared test helpers: a scratch copy of a small content repository, the findings it produces, one build of it, and one
browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from quaestio.cli import main
from quaestio.findings import Severity
from quaestio.pipeline import check
from support.paths import FIXTURES
from support.static_host import CHROMIUM, CHROMIUM_ARGS


class Repo:
    """A writable copy of tests/fixtures/minimal with helpers to break it."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, relative: str, text: str | bytes) -> Path:
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
        return target

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def replace(self, relative: str, old: str, new: str) -> None:
        text = self.read(relative)
        assert old in text, f"{old!r} not in {relative}"
        self.write(relative, text.replace(old, new, 1))

    def findings(self):
        return check(self.root).findings

    def codes(self) -> list[tuple[str, int, int, str]]:
        """Each error and warning as (file, line, column, code); the notes on skipped checks are left out."""
        return [(f.file, f.line, f.column, f.code) for f in self.findings() if f.severity is not Severity.INFO]


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", root)
    return Repo(root)


@pytest.fixture(scope="session")
def minimal_build(tmp_path_factory) -> Path:
    """tests/fixtures/minimal with build/ as `quaestio build` leaves it; copied by `built_repo`, never changed."""
    root = tmp_path_factory.mktemp("minimal-build") / "repo"
    shutil.copytree(FIXTURES / "minimal", root)
    assert main(["--root", str(root), "build"]) == 0
    return root


@pytest.fixture
def built_repo(tmp_path: Path, minimal_build: Path) -> Repo:
    """A writable copy of the minimal repository after a successful `quaestio build`: build/ and all."""
    root = tmp_path / "repo"
    shutil.copytree(minimal_build, root, symlinks=True)
    return Repo(root)


@pytest.fixture
def translated(tmp_path: Path) -> Repo:
    """The minimal repository with its French translation (tests/fixtures/translated), partly translated."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "minimal", root)
    shutil.copytree(FIXTURES / "translated", root, dirs_exist_ok=True)
    return Repo(root)


@pytest.fixture(scope="session")
def browser() -> Iterator[playwright_api.Browser]:
    """Debian's Chromium, started once for every browser test; each test opens its own context (no shared state)."""
    assert Path(CHROMIUM).is_file(), f"the browser tests need Debian's Chromium at {CHROMIUM} (.ci/run installs it)"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
