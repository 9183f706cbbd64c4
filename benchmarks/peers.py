"""The same items for the peer tools: a Doorstop tree and a sphinx-needs project, in their own environment.

The peers never enter the project's lock or tests: `make bench` installs the pinned versions of
benchmarks/peers.txt into benchmarks/.peers (from the package index) and runs them from there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quaestio.content.model import Corpus

HERE = Path(__file__).resolve().parent
PEERS_ENV = HERE / ".peers"
PEERS_FILE = HERE / "peers.txt"


def peer_environment() -> Path | None:
    """The peers' virtual environment, created on first use; None when the index cannot be reached."""
    stamp = PEERS_ENV / ".installed"
    if stamp.is_file() and stamp.read_text() == PEERS_FILE.read_text():
        return PEERS_ENV / "bin"
    venv.create(PEERS_ENV, with_pip=True, clear=True)
    pip = [str(PEERS_ENV / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(PEERS_FILE)]
    if subprocess.run(pip, capture_output=True).returncode != 0:
        return None
    stamp.write_text(PEERS_FILE.read_text())
    return PEERS_ENV / "bin"


def _corpus(root: Path) -> Corpus:
    sys.path.insert(0, str(HERE.parent / "src"))
    from quaestio.pipeline import check

    checked = check(root)
    assert checked.corpus is not None, "the benchmark corpus must be valid"
    return checked.corpus


def _git_init(folder: Path) -> None:
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=b", "-c", "user.email=b@example.org", "commit", "-qm", "x"],
    ):
        subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def write_doorstop(root: Path, out: Path) -> Path:
    """One root document of challenges; one child document per topic and audience, linked to the challenges."""
    corpus = _corpus(root)
    challenges = out / "challenges"
    challenges.mkdir(parents=True)
    (challenges / ".doorstop.yml").write_text("settings:\n  digits: 1\n  prefix: CH\n  sep: '-'\n")
    uid = {}
    for index, challenge in enumerate((c for t in corpus.topics for c in t.challenges), start=1):
        uid[challenge.id] = f"CH-{index}"
        (challenges / f"CH-{index}.yml").write_text(_item(str(challenge.title), str(challenge.description), [], index))
    for topic in corpus.topics:
        for audience in ("academic", "business", "public"):
            items = corpus.recommendations_for(topic=topic.id, audience=audience)
            if not items:
                continue
            prefix = items[0].id.rsplit("-", 1)[0]
            folder = out / prefix
            folder.mkdir()
            (folder / ".doorstop.yml").write_text(
                f"settings:\n  digits: 2\n  parent: CH\n  prefix: {prefix}\n  sep: '-'\n"
            )
            for number, r in enumerate(items, start=1):
                links = [uid[c] for c in r.addresses if c in uid]
                (folder / f"{r.id}.yml").write_text(_item(str(r.title), f"{r.text}\n\n{r.rationale}", links, number))
    _git_init(out)
    return out


def _item(header: str, text: str, links: list[str], number: int) -> str:
    return json.dumps(
        {
            "active": True,
            "derived": False,
            "header": header,
            "level": f"1.{number}",
            "links": links,
            "normative": True,
            "ref": "",
            "reviewed": None,
            "text": text,
        },
        ensure_ascii=False,
        indent=1,
    )


def write_sphinx_needs(root: Path, out: Path) -> Path:
    """One page per topic: challenges as `spec` needs, recommendations as `req` needs linking to them."""
    corpus = _corpus(root)
    source = out / "source"
    source.mkdir(parents=True)
    (source / "conf.py").write_text(
        "project = 'benchmark'\nextensions = ['sphinx_needs']\n"
        "needs_id_regex = r'^[A-Z0-9-]+'\nneeds_id_required = True\nhtml_theme = 'alabaster'\n"
    )
    names = []
    for topic in corpus.topics:
        lines = [str(topic.title), "=" * len(str(topic.title)), ""]
        for c in topic.challenges:
            lines += [f".. spec:: {c.title}", f"   :id: {c.id}", "", *_indented(str(c.description)), ""]
        for r in corpus.recommendations_for(topic=topic.id):
            lines += [f".. req:: {r.title}", f"   :id: {r.id}", f"   :status: {r.status}"]
            if r.addresses:
                lines.append(f"   :links: {', '.join(r.addresses)}")
            lines += ["", *_indented(f"{r.text}\n\n{r.rationale}"), ""]
        (source / f"{topic.id}.rst").write_text("\n".join(lines), encoding="utf-8")
        names.append(topic.id)
    (source / "index.rst").write_text("Index\n=====\n\n.. toctree::\n\n" + "".join(f"   {n}\n" for n in names))
    return source


def _indented(text: str) -> list[str]:
    return ["   " + line if line.strip() else "" for line in text.splitlines()]
