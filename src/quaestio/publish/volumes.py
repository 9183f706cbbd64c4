"""A compendium too long for one file, published in volumes of whole topics."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from quaestio.content.model import Corpus, Topic

# Why volumes: a compendium of 2,000 recommendations runs to about 1,800 pages and 11 MB, too long to read,
# print or send as one file, and typst holds every laid-out page of a document in memory at once (about
# 1.2 MB a page: 2.1 GB for that one). Volumes of a few hundred recommendations keep each file and each
# compilation a fraction of that; a repository the size of the coalition's stays one compendium.


@dataclass(frozen=True)
class Volume:
    """One volume of a compendium published in several: its number (from 1), every volume's topics, and the
    whole compendium's corpus (its summary counts every volume's sessions and recommendations)."""

    number: int
    parts: tuple[tuple[Topic, ...], ...]
    compendium: Corpus = field(compare=False, hash=False, repr=False)

    @property
    def topics(self) -> tuple[Topic, ...]:
        return self.parts[self.number - 1]

    @property
    def count(self) -> int:
        return len(self.parts)

    @property
    def last(self) -> bool:
        return self.number == self.count


def volumes_of(corpus: Corpus, most: int | None) -> tuple[tuple[Topic, ...], ...]:
    """The compendium's topics, in order, cut into volumes: one when it holds at most `most` recommendations
    (withdrawn ones count: they are printed too) or `most` is None; else the fewest volumes that can each hold
    at most `most`, filled about equally. A topic is never cut, so a volume may pass `most` by part of one."""
    sizes = Counter(r.topic for r in corpus.recommendations)
    total = sum(sizes[t.id] for t in corpus.topics)
    if most is None or total <= most or len(corpus.topics) < 2:
        return (corpus.topics,)
    wanted = math.ceil(total / most)
    share = total / wanted
    parts: dict[int, list[Topic]] = {}
    before = 0
    for topic in corpus.topics:
        size = sizes[topic.id]
        # A topic goes to the volume its middle falls in: the volumes' sizes differ by at most one topic's.
        parts.setdefault(min(wanted - 1, int((before + size / 2) // share)), []).append(topic)
        before += size
    return tuple(tuple(part) for _, part in sorted(parts.items()))


def volume_corpus(corpus: Corpus, topics: tuple[Topic, ...]) -> Corpus:
    """The part of a compendium's corpus one volume presents: its topics and their recommendations."""
    held = {t.id for t in topics}
    return replace(corpus, topics=topics, recommendations=tuple(r for r in corpus.recommendations if r.topic in held))


def volume_names(settings: Mapping[str, str], edition: int, count: int) -> list[tuple[str, str]]:
    """Each volume's file name (no suffix, no language) and title, as reports.yaml's compendium section names
    them: its `file` and `title` for a compendium in one file, else `volume_file` and `volume_title`."""
    file, title = ("volume_file", "volume_title") if count > 1 else ("file", "title")
    placeholders = ({"edition": edition, "volume": place, "volumes": count} for place in range(1, count + 1))
    return [(settings[file].format(**words), settings[title].format(**words)) for words in placeholders]
