"""Hostile content: everything a contributor might try, pushed through every text field of a corpus."""

from __future__ import annotations

import dataclasses

from quaestio.content.model import Addressee, Assessment, Corpus, GlossaryEntry, Reference, Text

# Everything a contributor might try; every text field of the hostile corpus gets it.
HOSTILE_MARKDOWN = (
    'Raw <script>alert(1)</script> and <img src=x onerror=alert(2)> and <a href="javascript:alert(3)">a</a>.\n\n'
    "[js](javascript:alert(4)) [JS](JaVaScRiPt:alert(5)) [data](data:text/html;base64,PHNjcmlwdD4=) "
    "<javascript:alert(6)> [vb](vbscript:msgbox(7)) [file](file:///etc/passwd) [ok](https://example.org/ok)\n\n"
    "![tracker](https://tracker.example/pixel.png)\n\n"
    '`[code](javascript:alert(8))` and {{ 7*7 }} and {% if true %}jinja{% endif %} and {: onclick="alert(9)" }\n\n'
    '--8<-- "/etc/passwd"\n\n'
    "*[CCB]: <b>injected abbreviation</b>\n\n"
    '<div markdown="1">*md in html*</div>\n\n'
    "\x02wzxhzdk:0\x03 control characters\n"
)
HOSTILE_LINE = "</title><script>alert(10)</script> {{ 7*7 }} [x](javascript:alert(11)) {: onclick=alert(12) } *[A]: b"
HOSTILE_URL = "javascript:alert(13)"


def _text(value: str) -> Text:
    return Text(value)


def hostile_corpus(corpus: Corpus) -> Corpus:
    """The fixture corpus with hostile text in every field, built directly so that validation cannot stop it."""
    topics = []
    for topic in corpus.topics:
        session = dataclasses.replace(
            topic.session,
            venue=_text(HOSTILE_LINE),
            chairs=tuple(
                dataclasses.replace(c, name=_text(HOSTILE_LINE), affiliation=_text(HOSTILE_LINE))
                for c in topic.session.chairs
            ),
            organisations=(_text(HOSTILE_LINE),),
        )
        topics.append(
            dataclasses.replace(
                topic,
                title=_text(HOSTILE_LINE),
                summary=_text(HOSTILE_MARKDOWN),
                session=session,
                status_quaestionis=_text(HOSTILE_MARKDOWN),
                challenges=tuple(
                    dataclasses.replace(c, title=_text(HOSTILE_LINE), description=_text(HOSTILE_MARKDOWN))
                    for c in topic.challenges
                ),
                references=tuple(
                    Reference(r.id, _text(HOSTILE_LINE), HOSTILE_LINE, r.year, HOSTILE_URL, r.kind)
                    for r in topic.references
                ),
                glossary=(
                    GlossaryEntry("CCB", _text('"><script>alert(14)</script>'), _text(HOSTILE_MARKDOWN)),
                    GlossaryEntry("<b>X</b>", _text(HOSTILE_LINE), None),
                ),
            )
        )
    recommendations = tuple(
        dataclasses.replace(
            r,
            title=_text(HOSTILE_LINE),
            text=_text(HOSTILE_MARKDOWN + "\nCCB"),
            rationale=_text(HOSTILE_MARKDOWN),
            tracker=(
                Addressee(
                    HOSTILE_LINE,
                    (
                        Assessment(
                            "2016-01-01",
                            _text(HOSTILE_MARKDOWN),
                            HOSTILE_LINE,
                            source=HOSTILE_URL,
                            document=HOSTILE_LINE,
                            target="2016-06-30",
                            target_reason=_text(HOSTILE_LINE),
                            mandated_by=_text(HOSTILE_LINE),
                        ),
                    ),
                ),
            ),
            withdrawal_reason=_text(HOSTILE_MARKDOWN) if r.withdrawal_reason else None,
        )
        for r in corpus.recommendations
    )
    return Corpus(tuple(topics), recommendations)
