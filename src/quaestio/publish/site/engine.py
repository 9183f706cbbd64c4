"""Run the static site generator over the generated pages: mkdocs-material in-process, or Zensical."""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any

import jinja2
import yaml

from quaestio.publish.branding import Branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.site import compiled
from quaestio.publish.site.menus import share_menus
from quaestio.publish.site.search import use_fast_parser

CONFIG_FILE = "mkdocs.yml"
FRAGMENTS_EXTENSION = "quaestio.publish.site.fragments"


class SiteBuildError(Exception):
    """The site generator refused the pages or the configuration; the message lists why."""


def config_path(branding: Branding) -> Path:
    """The mkdocs.yml that sits beside the templates folder the branding was read from."""
    return branding.templates.parent / CONFIG_FILE


def read_mkdocs_config(config: Path) -> dict:
    """mkdocs.yml as mkdocs itself reads it.

    This is the one YAML file quaestio does not read with its own YAML 1.2 loader (quaestio.content.load):
    mkdocs.yml belongs to mkdocs, which reads it as YAML 1.1 with PyYAML (where 'on' and 'no' are
    booleans) and may use tags such as !ENV that quaestio's loader refuses. quaestio only copies its
    settings into the configuration it hands to mkdocs or Zensical, so it must read them in mkdocs'
    dialect: read with another, a value could change meaning on the way.
    """
    return yaml.safe_load(config.read_text(encoding="utf-8")) or {}


def settings(branding: Branding, wording: Mapping[str, object], info: BuildInfo, nav: list) -> dict[str, object]:
    """What quaestio adds to mkdocs.yml: names, address, footer and menu, all from data.

    Add the fragment file of a build with with_fragments().
    """
    coalition: Mapping[str, str] = branding["coalition"]  # type: ignore[assignment]
    licence: Mapping[str, str] = branding["licence"]  # type: ignore[assignment]
    words: Mapping[str, object] = wording.get("words", {})  # type: ignore[assignment]
    revision = str(words.get("revision", "revision {revision}")).replace("{revision}", info.short_revision)
    footer = (
        f"© {info.date.year} {escape(coalition['name'])} · "
        f'<a href="{escape(licence["url"])}">{escape(licence["name"])}</a> · '
        f"{escape(revision)}"
    )
    return {
        "site_name": str(wording["site_name"]),
        "site_description": " ".join(str(wording["description"]).split()),
        "site_url": str(branding["site_url"]),
        "copyright": footer,
        "nav": nav,
        # The theme's own pages quaestio words (templates/site/overrides/404.html), under mkdocs.yml's `extra`.
        "extra": {"not_found": words.get("not_found", {})},
    }


def with_fragments(config: Path, extra: Mapping[str, object], fragments_file: Path) -> dict[str, object]:
    """The settings plus mkdocs.yml's Markdown extensions, the fragment extension pointed at this build's file."""
    extensions = []
    for item in read_mkdocs_config(config).get("markdown_extensions", []):
        name = item if isinstance(item, str) else next(iter(item))
        if name == FRAGMENTS_EXTENSION:
            item = {FRAGMENTS_EXTENSION: {"file": str(fragments_file)}}
        extensions.append(item)
    if not any((e if isinstance(e, str) else next(iter(e))) == FRAGMENTS_EXTENSION for e in extensions):
        raise SiteBuildError(f"{config} must list the Markdown extension {FRAGMENTS_EXTENSION}")
    return {**extra, "markdown_extensions": extensions}


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _build_environment(info: BuildInfo) -> dict[str, str]:
    # SOURCE_DATE_EPOCH dates the sitemap instead of the clock; the other silences Material's banner.
    return {"SOURCE_DATE_EPOCH": str(info.source_date_epoch), "NO_MKDOCS_2_WARNING": "1"}


class _Collector(logging.Handler):
    """Keeps every warning and error mkdocs logs during a build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


PageFinish = Callable[[str, str], str]
"""What is done to each built HTML page before it is written: (its HTML, its path in the site: '', 'topics/x/')
-> the HTML to write. A pass over the pages in memory instead of reading and writing them all again."""


def build_with_mkdocs(
    config: Path, docs: Path, site: Path, extra: Mapping[str, object], info: BuildInfo, finish: PageFinish | None = None
) -> None:
    """Build in this process with mkdocs' Python API, strictly: any warning fails the build."""
    collector = _Collector()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        with _environment(_build_environment(info)):
            from mkdocs.commands.build import build
            from mkdocs.config import load_config
            from mkdocs.exceptions import MkDocsException

            try:
                # mkdocs' validation consumes the settings it is given (it pops from them): give it a copy.
                settings: dict[str, Any] = copy.deepcopy(dict(extra))
                # Absolute folders: mkdocs reads relative ones from the configuration file's folder.
                loaded = load_config(
                    str(config), docs_dir=str(docs.resolve()), site_dir=str(site.resolve()), strict=True, **settings
                )
                if collector.messages:
                    raise SiteBuildError("; ".join(collector.messages))
                _share_compiled_theme(loaded, menus=True)
                use_fast_parser()
                if finish is not None:
                    # mkdocs registers the on_* methods of the object; mkdocs stays unimported until a build.
                    loaded.plugins["quaestio-finish"] = _Finishing(finish)  # type: ignore[assignment]
                build(loaded)
            except MkDocsException as failure:
                raise SiteBuildError("; ".join(collector.messages) or str(failure)) from failure
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise SiteBuildError("; ".join(collector.messages))


class _Finishing:
    """A plugin given to mkdocs in memory (not named in mkdocs.yml): finishes each HTML page it renders."""

    def __init__(self, finish: PageFinish) -> None:
        self.finish = finish

    def on_post_page(self, output: str, /, *, page: Any, **_: object) -> str:  # mkdocs' Page
        return self.finish(output, page.url)

    def on_post_template(self, output: str, /, *, template_name: str, **_: object) -> str:
        return self.finish(output, "") if template_name.endswith(".html") else output  # the 404 page


def _share_compiled_theme(loaded: Any, menus: bool = False) -> None:  # mkdocs' loaded configuration
    """Let this build's theme environment reuse the theme templates compiled by earlier builds (or before a fork);
    with `menus`, render the menus once per folder for the pages outside the menu (see menus.py)."""
    theme = loaded.theme
    make = theme.get_env

    def get_env() -> object:
        environment = make()
        environment.bytecode_cache = compiled.THEME
        if menus:
            share_menus(environment)
        return environment

    theme.get_env = get_env


def compile_theme(config: Path, extra: Mapping[str, object], scratch: Path, languages: Sequence[str]) -> None:
    """Compile the theme's page templates once, before the language builds fork, so that they share them."""
    from mkdocs.config import load_config

    (scratch / "docs").mkdir(parents=True, exist_ok=True)
    with _environment({"NO_MKDOCS_2_WARNING": "1"}):
        options: dict[str, Any] = copy.deepcopy(dict(extra))
        loaded = load_config(str(config), docs_dir=str(scratch / "docs"), site_dir=str(scratch / "site"), **options)
    _share_compiled_theme(loaded)
    environment = loaded.theme.get_env()
    wanted = {f"partials/languages/{language}.html" for language in languages}
    for name in environment.list_templates(extensions=["html"]):
        if name.startswith(".") or (name.startswith("partials/languages/") and name not in wanted):
            continue
        try:
            environment.get_template(name)
        except jinja2.TemplateError:
            continue  # a template for a plugin this site does not use (the blog's need its filters)


def write_config(config: Path, target: Path, docs: str, site: str, extra: Mapping[str, object]) -> Path:
    """The effective configuration as a file: mkdocs.yml plus quaestio's settings and the two folders."""
    document = read_mkdocs_config(config)
    own: Mapping[str, object] = extra.get("extra") or {}  # type: ignore[assignment]
    document.update({**extra, "extra": {**(document.get("extra") or {}), **own}})
    document.update({"docs_dir": docs, "site_dir": site})
    theme = document.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        # The theme additions are named relative to mkdocs.yml, which the effective file no longer sits beside.
        theme["custom_dir"] = str((config.parent / theme["custom_dir"]).resolve())
    target.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def build_with_mkdocs_subprocess(effective_config: Path, info: BuildInfo) -> None:
    """Build with the mkdocs command in a child process (kept to compare its speed with the in-process build)."""
    _run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(effective_config)], info)


def build_with_zensical(effective_config: Path, info: BuildInfo) -> None:
    """Build with Zensical; its docs_dir and site_dir must lie inside the folder of the configuration file."""
    _run(
        [sys.executable, "-m", "zensical", "build", "--strict", "--clean", "-f", str(effective_config)],
        info,
        cwd=effective_config.parent,
    )


def _run(argv: list[str], info: BuildInfo, cwd: Path | None = None) -> None:
    environment = {**os.environ, **_build_environment(info)}
    completed = subprocess.run(argv, capture_output=True, text=True, env=environment, cwd=cwd)
    if completed.returncode != 0:
        raise SiteBuildError(f"{' '.join(argv[1:4])} failed:\n{completed.stdout}{completed.stderr}".strip())
