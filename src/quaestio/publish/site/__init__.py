"""The public website: Markdown pages generated from the corpus, built with mkdocs-material into build/site."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from quaestio.content.model import Corpus
from quaestio.errors import BuildError
from quaestio.publish.branding import Branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.site.csp import secure_pages, with_policy
from quaestio.publish.site.engine import (
    PageFinish,
    SiteBuildError,
    build_with_mkdocs,
    build_with_zensical,
    config_path,
    settings,
    with_fragments,
    write_config,
)
from quaestio.publish.site.languages import build_languages
from quaestio.publish.site.pages import SiteGenerator
from quaestio.publish.site.shards import PARALLEL_FROM, build_in_parallel, workers

__all__ = ["build_site", "render_site", "render_site_with_zensical"]


def build_site(root: Path, corpus: Corpus, info: BuildInfo, branding: Branding, out: Path, downloads: Path) -> None:
    """Build the website into `out` (a fresh directory) from the corpus and the files in `downloads`.

    `downloads` is the build directory: its reports/ (PDF, DOCX) and data/ (JSON, CSV) files, when
    present, are published on the downloads page with their sizes and SHA-256 checksums. The pages
    are generated into a temporary folder, never into the repository. The configuration is the
    mkdocs.yml beside the templates folder in use (the content repository `root`'s, else quaestio's).
    """
    del root  # the repository's templates and mkdocs.yml are found through the branding
    try:
        render_site(corpus, info, branding, out, downloads)
    except SiteBuildError as failure:
        raise BuildError(f"the website could not be built: {failure}") from failure


def render_site(
    corpus: Corpus, info: BuildInfo, branding: Branding, out: Path, downloads: Path, processes: int | None = None
) -> None:
    """build_site's work; `processes` forces how many processes build it (default: by corpus size and cores)."""
    if processes is None:
        processes = workers() if len(corpus.recommendations) >= PARALLEL_FROM else 1
    # Every page of every language carries its own inline scripts' hashes, put in as mkdocs writes the page.
    policy = str(branding.site_wording["content_security_policy"])
    finish = functools.partial(_secured, policy=policy)
    with tempfile.TemporaryDirectory(prefix="quaestio-site-") as scratch:
        folder = Path(scratch)
        if len(corpus.languages) > 1:
            build_languages(corpus, info, branding, config_path(branding), out, downloads, folder, finish)
        else:
            _build_one_language(corpus, info, branding, out, downloads, processes, folder, finish)


def _secured(html: str, path: str, policy: str) -> str:
    del path  # the same policy on every page
    return with_policy(html, policy)


def _build_one_language(
    corpus: Corpus,
    info: BuildInfo,
    branding: Branding,
    out: Path,
    downloads: Path,
    processes: int,
    folder: Path,
    finish: PageFinish,
) -> None:
    generator = SiteGenerator(corpus, info, branding, downloads)
    config = config_path(branding)
    extra = settings(branding, generator.wording, info, generator.nav)
    if processes > 1:
        generator.compile_templates(folder)  # once, before the processes fork
        build_in_parallel(generator, config, extra, info, folder, out, processes, finish)
    else:
        docs, fragments = folder / "docs", folder / "fragments.json"
        generator.write(docs, fragments)
        build_with_mkdocs(config, docs, out, with_fragments(config, extra, fragments), info, finish)


def render_site_with_zensical(
    corpus: Corpus, info: BuildInfo, branding: Branding, downloads: Path, project: Path
) -> Path:
    """The same pages and mkdocs.yml built by Zensical instead; returns the built site folder.

    Zensical wants docs_dir and site_dir inside the configuration's folder, so the generated pages,
    the effective configuration and the site all go into `project`.
    """
    generator = SiteGenerator(corpus, info, branding, downloads)
    config = config_path(branding)
    generator.write(project / "docs", project / "fragments.json")
    extra = with_fragments(
        config, settings(branding, generator.wording, info, generator.nav), project / "fragments.json"
    )
    build_with_zensical(write_config(config, project / "mkdocs.yml", "docs", "site", extra), info)
    secure_pages(project / "site", str(generator.wording["content_security_policy"]))
    return project / "site"
