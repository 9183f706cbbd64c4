"""Generate a synthetic content repository of N recommendations, shaped like the real content."""

from __future__ import annotations

import argparse
import string
from pathlib import Path

AUDIENCES = (("academic", "ACA"), ("business", "BUS"), ("public", "PUB"))
PER_FILE = 50
PROSE = (
    "operators of essential services should assess supply chain risk and report significant incidents "
    "to the national authority within agreed deadlines while boards review the cyber security posture "
    "and allocate budget for training exercises detection capabilities and recovery plans"
)
WORDS = PROSE.split()


def _prose(seed: int, words: int) -> str:
    picked = [WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)]
    lines, line = [], []
    for word in picked:
        line.append(word)
        if len(line) == 12:
            lines.append(" ".join(line))
            line = []
    if line:
        lines.append(" ".join(line))
    text = "\n".join(lines)
    return text[0].upper() + text[1:] + "."


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


def _code(index: int) -> str:
    letters = string.ascii_uppercase
    return "S" + letters[index // 26 % 26] + letters[index % 26]


def topic_yaml(index: int, slug: str, code: str) -> str:
    challenges = "\n".join(
        f"  - id: {code}-C{c}\n    title: Challenge {c} of topic {index}\n    description: >-\n"
        f"{_indent(_prose(index + c, 40), 6)}"
        for c in range(1, 6)
    )
    references = "\n".join(
        f"  - id: ref-{r}\n    title: Reference {r} of topic {index}\n    author: ENISA\n    year: 2015\n"
        f"    url: https://www.enisa.europa.eu/publications/{index}-{r}\n    kind: report"
        for r in range(1, 6)
    )
    return (
        f"id: {slug}\ncode: {code}\ntitle: Synthetic topic {index}\nsummary: A generated topic for benchmarks.\n"
        f"edition: 2015\nsession:\n  number: {index + 1}\n  date: 2015-06-18\n  venue: Brussels\n  chairs:\n"
        f"    - name: Co-chair for the business sector\n      affiliation: Member company\n"
        f"  organisations:\n    - Centre for Cyber Security Belgium (CCB)\n"
        f"status_quaestionis: |\n{_indent(_prose(index, 450), 2)}\n"
        f"challenges:\n{challenges}\nreferences:\n{references}\n"
        f"glossary:\n  - term: CCB\n    expansion: Centre for Cyber Security Belgium\n"
    )


def recommendations_yaml(slug: str, code: str, audience: str, aud: str, count: int, broken: bool) -> str:
    items = []
    for n in range(1, count + 1):
        rid = f"{code}-{aud}-{n:03d}"
        related = f"{code}-{aud}-{n - 1:03d}" if n > 1 else f"{code}-{aud}-{n + 1:03d}"
        priority_key = "priorty" if broken else "priority"
        items.append(
            f"  - id: {rid}\n    title: Recommendation {n} to the {audience} sector on topic {slug}\n"
            f"    text: |\n{_indent(_prose(n, 100), 6)}\n"
            f"    rationale: >-\n{_indent(_prose(n + 1, 60), 6)}\n"
            f"    {priority_key}: {('high', 'medium', 'low')[n % 3]}\n"
            f"    horizon: {('short', 'medium', 'long')[n % 3]}\n"
            f"    status: adopted\n    addresses: [{code}-C{n % 5 + 1}, {code}-C{(n + 2) % 5 + 1}]\n"
            f"    references: [ref-{n % 5 + 1}]\n    related: [{related}]\n"
            f"    tracker:\n      - addressee: Centre for Cyber Security Belgium (CCB)\n        history:\n"
            f"          - date: 2019-04-07\n            status: in progress\n"
            f"            note: A later development.\n            source: https://ccb.belgium.be/en\n"
            f"            assessor: Benchmark working group"
        )
    return f"topic: {slug}\naudience: {audience}\nrecommendations:\n" + "\n".join(items) + "\n"


def generate(root: Path, total: int, broken: bool = False) -> Path:
    """Write a repository of `total` recommendations under root; with broken=True each has one error."""
    (root / "topics").mkdir(parents=True, exist_ok=True)
    per_topic = PER_FILE * len(AUDIENCES)
    topics = max(1, -(-total // per_topic))
    remaining = total
    for t in range(topics):
        slug, code = f"synthetic-{t:03d}", _code(t)
        (root / "topics" / f"{slug}.yaml").write_text(topic_yaml(t, slug, code), encoding="utf-8")
        for audience, aud in AUDIENCES:
            count = min(PER_FILE, remaining)
            if count <= 0:
                break
            remaining -= count
            folder = root / "recommendations" / slug
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{audience}.yaml").write_text(
                recommendations_yaml(slug, code, audience, aud, count, broken), encoding="utf-8"
            )
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--broken", action="store_true", help="give every recommendation one error")
    args = parser.parse_args()
    generate(args.root, args.count, args.broken)
