"""What the publishing tests share: the repository's own website with its open data, built once a session."""

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
