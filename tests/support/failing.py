"""A finishing step that fails, for tests of what a build says when a report's own process fails."""

from __future__ import annotations


def broken_layout(*arguments: object) -> bytes:
    raise ValueError("the layout broke")
