"""Permanent addresses of pages on the public website, shared by the site, the reports and the open data."""

from __future__ import annotations


def recommendation_path(recommendation_id: str) -> str:
    """The permanent path of a recommendation's page; it never changes when its text does."""
    return f"recommendations/{recommendation_id}/"


def topic_path(topic_id: str) -> str:
    return f"topics/{topic_id}/"


def audience_path(audience: str) -> str:
    return f"audiences/{audience}/"


def catalog_path(catalog_id: str) -> str:
    """The page of an imported control catalog, showing which controls the recommendations address."""
    return f"catalogs/{catalog_id}/"


def absolute(site_url: str, path: str) -> str:
    """An absolute address on the site."""
    return site_url.rstrip("/") + "/" + path


TOPICS_PATH = "topics/"  # every topic of the current edition, for a menu that lists too many to name them
FOLLOW_UP_PATH = "follow-up/"
CHANGELOG_PATH = "changelog/"
EDITIONS_PATH = "editions/"
FEED_FILE = "feed.xml"


def edition_path(edition: int) -> str:
    """The permanent path of an edition's page: it stays when later editions come."""
    return f"{EDITIONS_PATH}{edition}/"


def edition_topic_path(edition: int, topic_id: str) -> str:
    """The permanent path of a topic as an edition published it."""
    return f"{EDITIONS_PATH}{edition}/topics/{topic_id}/"
