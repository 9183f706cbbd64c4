"""What the publishing tests share: the repository's own website with its open data, built once a session, and
its reports, built in the background from the start of the session."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from quaestio.content.model import Corpus
from quaestio.pipeline import check
from quaestio.publish.branding import load_branding
from quaestio.publish.buildinfo import BuildInfo, build_info
from quaestio.publish.exports import write_data
from quaestio.publish.site import build_site
from support.paths import REPOSITORY
from support.repository_reports import BackgroundBuild

# The test modules that read the repository's reports: when one is collected, the build starts at once.
REPORT_READERS = {"test_report_layout.py", "test_pdf_tags.py"}
_REPORTS = pytest.StashKey[BackgroundBuild]()


@dataclass(frozen=True)
class RepositoryBuild:
    """The repository's content, its open data and website in one build folder, and the build's facts."""

    corpus: Corpus
    info: BuildInfo
    folder: Path

    @property
    def site(self) -> Path:
        return self.folder / "site"


@pytest.fixture(scope="session")
def repository_build(tmp_path_factory) -> RepositoryBuild:
    """The site for the repository's own content, with its open data, as `quaestio build` makes them.

    Several browser test modules read it; none writes to it.
    """
    result = check(REPOSITORY)
    assert result.corpus is not None, result.findings
    folder = tmp_path_factory.mktemp("repository-build")
    info, branding = build_info(REPOSITORY, os.environ), load_branding(REPOSITORY)
    write_data(result.corpus, info, branding, folder / "data")
    build_site(REPOSITORY, result.corpus, info, branding, folder / "site", folder)
    return RepositoryBuild(result.corpus, info, folder)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start building the repository's reports as soon as the session knows that a test will read them."""
    if not session.config.option.collectonly and any(item.path.name in REPORT_READERS for item in session.items):
        session.config.stash[_REPORTS] = BackgroundBuild()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop that build if the session ends before it does, and remove what it wrote."""
    background = session.config.stash.get(_REPORTS, None)
    if background is not None:
        background.close()


@pytest.fixture(scope="session")
def repository_reports(request: pytest.FixtureRequest) -> Path:
    """Every report of the repository's own content, in every language: the folder holding reports/ and cache/."""
    background = request.config.stash.get(_REPORTS, None)
    if background is None:  # a test module outside REPORT_READERS asked for them
        background = request.config.stash[_REPORTS] = BackgroundBuild()
    return background.wait()
