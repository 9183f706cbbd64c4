"""The coalition's branding and fixed wording, read from templates/branding.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from quaestio.publish.locale import read_localised
from quaestio.resources import resource_directory
from quaestio.vocab import SOURCE_LANGUAGE

TEMPLATES_DIR = "templates"
BRANDING_FILE = "branding.yaml"


def _frozen(value: object) -> object:
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


@dataclass(frozen=True)
class Branding:
    """Names, colours, labels and licence: everything the coalition may restyle without code."""

    templates: Path
    settings: Mapping[str, object]
    language: str = SOURCE_LANGUAGE

    def __getitem__(self, key: str) -> object:
        return self.settings[key]

    def label(self, group: str, value: str) -> str:
        """The display label of a value, e.g. label('priority', 'high') -> 'High priority'."""
        return self.settings["labels"][group].get(value, value)  # type: ignore[index]

    def audience(self, key: str) -> Mapping[str, str]:
        return self.settings["audiences"][key]  # type: ignore[index]

    @property
    def asset_dir(self) -> Path:
        return self.templates / "assets"

    def localised(self, language: str) -> Branding:
        """The branding with its labels and descriptions in a language (templates/branding.<language>.yaml)."""
        if language == self.language:
            return self
        settings = read_localised(self.templates / BRANDING_FILE, language)
        return Branding(self.templates, _frozen(settings), language)  # type: ignore[arg-type]


def templates_directory(root: Path) -> Path:
    """The repository's templates/ folder, else the one shipped with quaestio (wheel or source tree)."""
    return resource_directory(root, TEMPLATES_DIR, BRANDING_FILE)


def load_branding(root: Path) -> Branding:
    """Read templates/branding.yaml (trusted: maintained by the coalition's maintainers)."""
    templates = templates_directory(root)
    settings = yaml.safe_load((templates / BRANDING_FILE).read_text(encoding="utf-8"))
    return Branding(templates, _frozen(settings))  # type: ignore[arg-type]
