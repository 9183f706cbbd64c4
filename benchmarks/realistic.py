"""Scale the repository's own content to N recommendations at its real density (issue 15's shape).

Every topic is copied under new topic names and codes until the corpus holds N recommendations: about
11.5 recommendations per topic and 4 per file, as in the real content, so per-file and per-topic costs
show. Copies keep their text, so validation, reports and the site see realistic prose and Markdown.
"""

from __future__ import annotations

import argparse
import itertools
import re
import shutil
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
_ID_LINE = re.compile(r"^(\s*-?\s*id:\s*)(\S+)", re.M)


@dataclass(frozen=True)
class SourceTopic:
    """One real topic: its files' text and how many recommendations it holds."""

    slug: str
    code: str
    topic_text: str
    recommendation_texts: dict[str, str]
    recommendations: int


def _source_topics(repository: Path) -> list[SourceTopic]:
    found = []
    for topic_file in sorted((repository / "topics").glob("*.yaml")):
        text = topic_file.read_text(encoding="utf-8")
        code = re.search(r"^code:\s*(\S+)", text, re.M)
        assert code, topic_file
        files = {
            p.name: p.read_text(encoding="utf-8")
            for p in sorted((repository / "recommendations" / topic_file.stem).glob("*.yaml"))
        }
        count = sum(len(re.findall(r"^  - id: ", t, re.M)) for t in files.values())
        found.append(SourceTopic(topic_file.stem, code.group(1), text, files, count))
    return found


def _codes(taken: set[str]) -> Iterator[str]:
    for letters in itertools.product(string.ascii_uppercase, repeat=3):
        code = "".join(letters)
        if code not in taken:
            yield code


def _renamed(text: str, slug: str, new_slug: str, code: str, new_code: str) -> str:
    text = re.sub(rf"\b{code}-", f"{new_code}-", text)
    text = re.sub(rf"^code:\s*{code}\b", f"code: {new_code}", text, flags=re.M)
    text = re.sub(rf"^(id|topic):\s*{re.escape(slug)}\s*$", rf"\1: {new_slug}", text, flags=re.M)
    return text


def generate(root: Path, total: int, repository: Path = REPOSITORY, translations: bool = True) -> Path:
    """Write the repository's content, then renamed copies of its topics, until `total` recommendations.

    With `translations`, the repository's translations come too (they cover its own topics, so the site
    and reports then have four languages); without, the corpus is English only."""
    sources = _source_topics(repository)
    names = (
        "topics",
        "recommendations",
        "catalogs",
        "schemas",
        "templates",
        *(("translations",) if translations else ()),
    )
    for name in names:
        if (repository / name).is_dir():
            shutil.copytree(repository / name, root / name, dirs_exist_ok=True)
    shutil.copy2(repository / "mkdocs.yml", root / "mkdocs.yml")
    count = sum(s.recommendations for s in sources)
    codes = _codes({s.code for s in sources})
    for copy in itertools.count(1):
        for source in sources:
            if count >= total:
                return root
            new_slug, new_code = f"{source.slug}-{copy}", next(codes)
            (root / "topics" / f"{new_slug}.yaml").write_text(
                _renamed(source.topic_text, source.slug, new_slug, source.code, new_code), encoding="utf-8"
            )
            folder = root / "recommendations" / new_slug
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in source.recommendation_texts.items():
                (folder / name).write_text(
                    _renamed(text, source.slug, new_slug, source.code, new_code), encoding="utf-8"
                )
            count += source.recommendations
    return root


def translate_everything(root: Path, languages: tuple[str, ...] = ("fr", "nl")) -> Path:
    """Translation files for every text of the content under root (the English, marked), current hashes: the
    corpus then has as many pages and reports in each language as in English."""
    import json

    import yaml

    from quaestio.content.layout import discover
    from quaestio.content.load import read_yaml
    from quaestio.content.units import text_paths, units

    schemas = {
        kind: json.loads((REPOSITORY / "schemas" / f"{kind}.schema.json").read_text())
        for kind in ("topic", "recommendations")
    }
    files, _ = discover(root)
    for content in files:
        document, _ = read_yaml(content.file, content.path)
        assert document is not None, f"{content.path} cannot be read"
        found = units(document.data, text_paths(schemas[content.kind.value]))
        for language in languages:
            target = root / "translations" / language / content.path
            target.parent.mkdir(parents=True, exist_ok=True)
            data = {
                "language": language,
                "units": {u.key: {"source_hash": u.source_hash, "text": f"[{language}] {u.english}"} for u in found},
            }
            target.write_text(yaml.safe_dump(data, allow_unicode=True, default_style='"'), encoding="utf-8")
    return root


def break_each(root: Path) -> None:
    """Give every recommendation one error (a misspelt field name), as the benchmark's error case."""
    for path in (root / "recommendations").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^(\s+)priority:", r"\1priorty:", text, flags=re.M), encoding="utf-8")


def shape(root: Path) -> tuple[int, int, int]:
    """(topics, recommendation files, recommendations) of a content tree."""
    files = list((root / "recommendations").rglob("*.yaml"))
    recommendations = sum(len(re.findall(r"^  - id: ", p.read_text(encoding="utf-8"), re.M)) for p in files)
    return len(list((root / "topics").glob("*.yaml"))), len(files), recommendations


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--broken", action="store_true", help="give every recommendation one error")
    parser.add_argument("--english-only", action="store_true", help="leave the repository's translations out")
    args = parser.parse_args()
    generate(args.root, args.count, translations=not args.english_only)
    if args.broken:
        break_each(args.root)
    topics, files, count = shape(args.root)
    print(f"topics {topics}, recommendation files {files}, recommendations {count}")
