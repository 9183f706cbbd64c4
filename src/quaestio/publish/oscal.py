"""The recommendations as an OSCAL 1.2 catalog: a group per topic and audience, a control per recommendation."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable

from quaestio.content.model import Corpus, Recommendation, Text, Topic
from quaestio.content.tracker import recommendation_state
from quaestio.publish.branding import Branding
from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.csl import csl_id
from quaestio.publish.urls import absolute, recommendation_path, topic_path
from quaestio.vocab import Audience, ReferenceKind, Status

OSCAL_VERSION = "1.2.1"
# OSCAL's allowed values for a back-matter resource's 'type' property.
RESOURCE_TYPES = {
    ReferenceKind.LEGISLATION: "law",
    ReferenceKind.STANDARD: "standard",
    ReferenceKind.REPORT: "report",
    ReferenceKind.ARTICLE: "citation",
    ReferenceKind.WEBSITE: "external-guidance",
}


def namespace(branding: Branding) -> str:
    """The URI of quaestio's own props (priority, horizon, audience ...): under the site's address."""
    return absolute(str(branding["site_url"]), "ns/oscal")


def _uuid(branding: Branding, *parts: str) -> str:
    """A UUID derived from IDs (version 5), so that every build of the same content gives the same UUIDs."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, namespace(branding) + "/" + "/".join(parts)))


def _prose(text: Text) -> str:
    """Contributor Markdown as OSCAL prose; '{{' is escaped so that it never reads as an OSCAL insert."""
    return text.en.strip().replace("{{", r"\{\{")


def _prop(name: str, value: str, ns: str | None = None, **extra: str) -> dict:
    prop = {"name": name, "value": value}
    if ns:
        prop["ns"] = ns
    return prop | extra


def _timestamp(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _control(corpus: Corpus, item: Recommendation, branding: Branding, ns: str) -> dict:
    props = [
        _prop("label", item.id),
        _prop("sort-id", f"{item.topic}-{list(Audience).index(item.audience)}-{item.number:03d}"),
        _prop("audience", item.audience, ns),
        _prop("priority", item.priority, ns),
        _prop("horizon", item.horizon, ns),
        _prop("status", item.status, ns),
    ]
    if item.status is Status.WITHDRAWN:
        props.append(_prop("status", "withdrawn"))  # OSCAL's own withdrawn marker
    state = recommendation_state(item)
    if state.updated:
        props.append(_prop("implementation-status", state.status, ns, remarks=f"as of {state.updated}"))
    for challenge in item.addresses:
        props.append(_prop("addresses", challenge, ns))
    for mapping in item.maps_to:
        control = corpus.control_of(mapping)
        props.append(
            _prop(
                "maps-to",
                control.id if control else mapping.control,
                ns,
                **{"class": mapping.relation.value, "group": mapping.catalog},
            )
        )
    links = [{"href": absolute(str(branding["site_url"]), recommendation_path(item.id)), "rel": "alternate"}]
    links += [
        {"href": f"#{_uuid(branding, 'reference', item.topic, ref)}", "rel": "reference"} for ref in item.references
    ]
    links += [{"href": f"#{other.id}", "rel": "related"} for other in corpus.related_to(item.id)]
    if item.superseded_by and item.status is Status.WITHDRAWN:
        links.append({"href": f"#{item.superseded_by}", "rel": "incorporated-into"})
    parts = [
        {"id": f"{item.id}_smt", "name": "statement", "prose": _prose(item.text)},
        {"id": f"{item.id}_gdn", "name": "guidance", "prose": _prose(item.rationale)},
    ]
    if item.withdrawal_reason is not None:
        parts.append(
            {"id": f"{item.id}_wdr", "name": "withdrawal-reason", "ns": ns, "prose": _prose(item.withdrawal_reason)}
        )
    return {
        "id": item.id,
        "class": "recommendation",
        "title": item.title.en,
        "props": props,
        "links": links,
        "parts": parts,
    }


def _topic_group(corpus: Corpus, topic: Topic, branding: Branding, ns: str) -> dict:
    groups = []
    for audience in Audience:
        items = corpus.recommendations_for(topic.id, audience)
        if items:
            groups.append(
                {
                    "id": f"{topic.id}-{audience}",
                    "class": "audience",
                    "title": str(branding.audience(audience)["heading"]),
                    "props": [_prop("audience", audience, ns)],
                    "controls": [_control(corpus, item, branding, ns) for item in items],
                }
            )
    group = {
        "id": topic.id,
        "class": "topic",
        "title": topic.title.en,
        "props": [_prop("label", topic.code), _prop("edition", str(topic.edition), ns)],
        "links": [{"href": absolute(str(branding["site_url"]), topic_path(topic.id)), "rel": "alternate"}],
        "parts": [{"id": f"{topic.id}_ovw", "name": "overview", "prose": _prose(topic.summary)}],
    }
    if groups:
        group["groups"] = groups
    return group


def _resources(corpus: Corpus, branding: Branding) -> list[dict]:
    resources = []
    for topic in corpus.topics:
        for ref in topic.references:
            resource = {
                "uuid": _uuid(branding, "reference", topic.id, ref.id),
                "title": ref.title.en,
                "props": [
                    _prop("type", RESOURCE_TYPES[ref.kind]),
                    _prop("csl-id", csl_id(topic, ref), namespace(branding)),
                ],
                "citation": {"text": f"{ref.author} ({ref.year}). {ref.title.en}."},
            }
            if ref.url:
                resource["rlinks"] = [{"href": ref.url}]
            resources.append(resource)
    for catalog in corpus.catalogs:
        resources.append(
            {
                "uuid": _uuid(branding, "catalog", catalog.id),
                "title": catalog.title,
                "props": [_prop("type", "standard"), _prop("catalog-id", catalog.id, namespace(branding))],
                "citation": {"text": f"{catalog.title}, version {catalog.version} (OSCAL catalog {catalog.source})."},
            }
        )
    return resources


def _revisions(topics: Iterable[Topic]) -> list[dict]:
    editions: dict[int, str] = {}
    for topic in topics:
        editions[topic.edition] = max(editions.get(topic.edition, ""), topic.session.date)
    return [
        {"title": f"Edition {edition}", "published": f"{date}T00:00:00Z", "version": str(edition)}
        for edition, date in sorted(editions.items())
    ]


def oscal_catalog(corpus: Corpus, info: BuildInfo, branding: Branding) -> dict:
    """The whole corpus as an OSCAL catalog document; the same content always gives the same bytes and UUIDs."""
    ns = namespace(branding)
    coalition = branding["coalition"]
    party = _uuid(branding, "party", "coalition")
    latest = max((t.edition for t in corpus.topics), default=info.date.year)
    body = {
        "metadata": {
            "title": f"{coalition['name']}: policy recommendations",  # type: ignore[index]
            "last-modified": _timestamp(info.source_date_epoch),
            "version": f"{latest}+{info.short_revision}",
            "oscal-version": OSCAL_VERSION,
            "revisions": _revisions(corpus.topics),
            "links": [{"href": str(branding["site_url"]), "rel": "alternate"}],
            "roles": [{"id": "creator", "title": "Author"}],
            "parties": [
                {
                    "uuid": party,
                    "type": "organization",
                    "name": str(coalition["name"]),  # type: ignore[index]
                    "links": [{"href": str(coalition["website"]), "rel": "homepage"}],  # type: ignore[index]
                }
            ],
            "responsible-parties": [{"role-id": "creator", "party-uuids": [party]}],
            "remarks": str(coalition["description"]),  # type: ignore[index]
        },
        "groups": [_topic_group(corpus, topic, branding, ns) for topic in corpus.topics],
        "back-matter": {"resources": _resources(corpus, branding)},
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return {"catalog": {"uuid": _uuid(branding, "catalog", digest), **body}}
