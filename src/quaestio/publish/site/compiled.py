"""Compiled Jinja2 templates kept in memory: compiled once, reused by every language and every forked process."""

from __future__ import annotations

import jinja2


class CompiledTemplates(jinja2.BytecodeCache):
    """An in-memory bytecode cache; a process forked after templates were compiled inherits them."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


# One per kind of environment: the same template compiles differently with other settings.
PAGES = CompiledTemplates()
FRAGMENTS = CompiledTemplates()
THEME = CompiledTemplates()
