"""The domain's words, defined once: audiences, priorities, horizons, statuses, the tracker's
acceptance and implementation statuses, reference kinds, mapping relations, languages, link schemes and
the Markdown text fields. The JSON Schemas' enums are tested against these."""

from __future__ import annotations

import enum


class Audience(enum.StrEnum):
    """Who a recommendation is addressed to, in the order the reports present them."""

    ACADEMIC = "academic"
    BUSINESS = "business"
    PUBLIC = "public"

    @property
    def code(self) -> str:
        """The three capitals that stand in recommendation IDs: GOV-BUS-03."""
        return _AUDIENCE_CODES[self]


_AUDIENCE_CODES = {Audience.ACADEMIC: "ACA", Audience.BUSINESS: "BUS", Audience.PUBLIC: "PUB"}


class Priority(enum.StrEnum):
    """How urgent a recommendation is."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Horizon(enum.StrEnum):
    """The term within which a recommendation should be carried out."""

    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"


class Status(enum.StrEnum):
    """Where a recommendation stands in the coalition's own process."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"


class FollowUpState(enum.StrEnum):
    """The states of the old `follow_up` list, read only by `quaestio followup migrate`."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    IMPLEMENTED = "implemented"
    REJECTED = "rejected"


class Acceptance(enum.StrEnum):
    """How an addressee answered a recommendation (as GAO and the UK Treasury Minutes record it)."""

    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially accepted"
    NOT_ACCEPTED = "not accepted"
    NO_RESPONSE = "no response"


class Implementation(enum.StrEnum):
    """How far an addressee has carried a recommendation out."""

    OPEN = "open"
    IN_PROGRESS = "in progress"
    PARTIALLY_IMPLEMENTED = "partially implemented"
    IMPLEMENTED = "implemented"
    NOT_IMPLEMENTED = "not implemented"
    NO_LONGER_RELEVANT = "no longer relevant"

    @property
    def closed(self) -> bool:
        """Whether nothing more is expected: implemented, not implemented or no longer relevant."""
        return self in _CLOSED


_CLOSED = frozenset({Implementation.IMPLEMENTED, Implementation.NOT_IMPLEMENTED, Implementation.NO_LONGER_RELEVANT})


class EditionChange(enum.StrEnum):
    """What an edition did to a recommendation, as the changelog and the feed report it."""

    ADDED = "added"
    REVISED = "revised"
    CARRIED_OVER = "carried over"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"


class ReferenceKind(enum.StrEnum):
    """What sort of public source a reference is."""

    LEGISLATION = "legislation"
    STANDARD = "standard"
    REPORT = "report"
    ARTICLE = "article"
    WEBSITE = "website"


class Relation(enum.StrEnum):
    """How a recommendation relates to a control it maps to, after the relationship types of NIST's OLIR.

    NIST IR 8278A (National Online Informative References Program) compares a reference document with a
    focal one as sets: 'equal', 'subset of', 'superset of', 'intersects with'; concept crosswalks use
    'related to'. Read as: the recommendation is <relation> the control.
    """

    EQUIVALENT = "equivalent"  # OLIR 'equal': the two say the same thing
    SUBSET = "subset"  # OLIR 'subset of': the recommendation asks for part of what the control asks
    SUPERSET = "superset"  # OLIR 'superset of': the recommendation asks for all the control asks, and more
    INTERSECTS = "intersects"  # OLIR 'intersects with': they overlap, each also covers something the other does not
    RELATED = "related"  # OLIR 'related to' (concept crosswalk): same subject, no set comparison is claimed


class Language(enum.StrEnum):
    """A language the content may be written in; English is the source language."""

    EN = "en"
    FR = "fr"
    NL = "nl"
    DE = "de"

    @property
    def tag(self) -> str:
        """The BCP 47 tag of the published documents: British English and Belgium's three languages."""
        return "en-GB" if self is Language.EN else f"{self.value}-BE"


SOURCE_LANGUAGE = Language.EN
TRANSLATIONS = tuple(language for language in Language if language is not SOURCE_LANGUAGE)

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
"""The only schemes a link in contributors' text may use; anything else is refused or made inert."""

MARKDOWN_FIELDS = frozenset(
    {
        "text",
        "rationale",
        "description",
        "status_quaestionis",
        "summary",
        "note",
        "withdrawal_reason",
        "definition",
        "reason",
    }
)
"""The fields whose text is Markdown (the others are plain one-line texts)."""
