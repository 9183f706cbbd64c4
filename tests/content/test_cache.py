"""The validation cache makes re-validation faster, never different: same findings, edits seen, damage ignored."""

from __future__ import annotations

import marshal

from quaestio.content import load
from quaestio.content.cache import FORMAT, _checksum, _record, _records
from quaestio.content.catalogs import catalog_data
from quaestio.pipeline import BUILD_DIR, CACHE_DIR, VALIDATION_CACHE, check
from quaestio.workflow.catalog import import_catalog
from support.paths import FIXTURES, SCHEMAS

_KEY_LENGTH = 32

PUBLIC = "recommendations/alpha/public.yaml"
ACADEMIC = "recommendations/alpha/academic.yaml"
TOPIC = "topics/alpha.yaml"


def _break_several_things(repo) -> None:
    """Findings of every origin: the schema, the rules across files, a syntax error and a warning."""
    repo.replace(PUBLIC, "    priority: high", "    priorty: high")  # schema, at a key
    repo.replace(ACADEMIC, "    status: adopted", "    status: draft")  # rules: a challenge left unaddressed
    repo.replace(ACADEMIC, "Teach the first challenge", "\u201cTeach the first challenge\u201d")  # rules on every text
    repo.replace(ACADEMIC, "rationale: Because it is hard.", 'rationale: "   "')
    repo.write("recommendations/alpha/business.yaml", repo.read("recommendations/alpha/business.yaml") + "  - [\n")
    repo.replace(TOPIC, "venue: Brussels", "venue: Room #1")  # a warning: ' #' cuts the value short


def _record_reading(repo, monkeypatch) -> list[str]:
    """The files that are parsed (read ahead by the fast reader, or by parse_yaml), as the list is filled."""
    texts = {repo.read(path): path for path in (PUBLIC, ACADEMIC, TOPIC, "recommendations/alpha/business.yaml")}
    parsed: list[str] = []

    def fast(text):
        parsed.append(texts.get(text, "another file"))
        return load.read_plainly(text)

    monkeypatch.setattr("quaestio.content.ahead.read_plainly", fast)
    monkeypatch.setattr("quaestio.content.ahead.parse_yaml", lambda *a: parsed.append(a[1]) or load.parse_yaml(*a))
    return parsed


def _findings(repo, cached: bool):
    return check(repo.root, cached=cached, model=False).findings


def _cache_file(repo):
    return repo.root / BUILD_DIR / CACHE_DIR / VALIDATION_CACHE


def _entries(file) -> dict[bytes, bytes]:
    records = _records(file.read_bytes())
    assert records is not None, "the cache file does not read back"
    return {key: bytes(stored) for key, stored in records.items()}


def _write_entries(file, entries: dict[bytes, bytes]) -> None:
    file.write_bytes(
        FORMAT + b"".join(bytes(chunk) for key, stored in entries.items() for chunk in _record(key, stored))
    )


def test_findings_are_the_same_with_and_without_the_cache(repo, monkeypatch):
    _break_several_things(repo)
    plain = _findings(repo, cached=False)
    assert plain
    assert _findings(repo, cached=True) == plain  # a cold cache, filled by this run
    assert _cache_file(repo).is_file()
    parsed = _record_reading(repo, monkeypatch)
    assert _findings(repo, cached=True) == plain  # a warm cache
    assert PUBLIC not in parsed and ACADEMIC not in parsed  # their entries were used, not the files re-read


def test_a_clean_repository_is_clean_from_the_cache(repo):
    assert _findings(repo, cached=True) == ()
    assert _findings(repo, cached=True) == ()
    result = check(repo.root, cached=True)
    assert result.corpus is not None and len(result.corpus.recommendations) == len(
        check(repo.root).corpus.recommendations
    )


def test_an_edit_is_seen_and_its_fix_too(repo):
    assert _findings(repo, cached=True) == ()
    repo.replace(PUBLIC, "    priority: high", "    priority: urgent")
    edited = _findings(repo, cached=True)
    assert [(f.file, f.code) for f in edited] == [(PUBLIC, "invalid-value")]
    assert edited == _findings(repo, cached=False)
    repo.replace(PUBLIC, "    priority: urgent", "    priority: high")
    assert _findings(repo, cached=True) == ()


def test_other_schemas_miss_the_cache(repo):
    assert _findings(repo, cached=True) == ()
    schemas = repo.root / "schemas"
    schemas.mkdir()
    for name in ("common.schema.json", "topic.schema.json", "recommendations.schema.json"):
        (schemas / name).write_bytes((SCHEMAS / name).read_bytes())
    own = schemas / "recommendations.schema.json"
    own.write_text(own.read_text(encoding="utf-8").replace('"enum": ["high",', '"enum": ["urgent",'), encoding="utf-8")
    assert [f.code for f in _findings(repo, cached=True)] == [f.code for f in _findings(repo, cached=False)] != []


def test_a_damaged_entry_is_ignored_and_the_file_read_again(repo, monkeypatch):
    _break_several_things(repo)
    plain = _findings(repo, cached=False)
    _findings(repo, cached=True)
    file = _cache_file(repo)
    stored = _entries(file)
    damaged = {key: value[:-3] + bytes(b ^ 0xFF for b in value[-3:]) for key, value in stored.items()}
    _write_entries(file, damaged)
    parsed = _record_reading(repo, monkeypatch)
    assert _findings(repo, cached=True) == plain
    assert PUBLIC in parsed and ACADEMIC in parsed  # every damaged entry was passed over
    assert _findings(repo, cached=True) == plain  # and written afresh


def test_an_entry_of_the_wrong_shape_is_ignored(repo, monkeypatch):
    _findings(repo, cached=True)
    file = _cache_file(repo)
    stored = _entries(file)
    starts = bytes(16)
    wrong_code = marshal.dumps(({"id": "alpha"}, starts, (("f", 1, 1, "error", "no-such-code", "m", "h"),), ()))
    wrong_type = marshal.dumps((["a list"], starts, (), ()))
    cut_starts = marshal.dumps(({"id": "alpha"}, bytes(13), (), ()))
    wrong_mark = marshal.dumps(({"id": "alpha"}, starts, (), (1,)))
    payloads = (wrong_code, wrong_type, cut_starts, wrong_mark)
    entries = [_checksum(payload) + payload for payload in payloads]
    _write_entries(file, {key: entries[i % len(entries)] for i, key in enumerate(stored)})
    parsed = _record_reading(repo, monkeypatch)
    assert _findings(repo, cached=True) == ()
    assert len(parsed) == len(stored)


def test_a_damaged_or_foreign_cache_file_is_ignored(repo):
    _break_several_things(repo)
    plain = _findings(repo, cached=False)
    _findings(repo, cached=True)
    file = _cache_file(repo)
    whole = file.read_bytes()
    for damaged in (
        whole[: len(whole) // 2],
        b"",
        b"not a cache",
        marshal.dumps(7),
        marshal.dumps((FORMAT, [1])),
        marshal.dumps((b"another format", {})),
        marshal.dumps((FORMAT, {b"key": 1})),
        FORMAT + bytes(_KEY_LENGTH) + (2**31).to_bytes(4, "little") + b"short",  # a record longer than the file
        FORMAT + b"a key cut short",
    ):
        file.write_bytes(damaged)
        assert _findings(repo, cached=True) == plain


def test_a_catalog_from_the_cache_gives_the_same_findings(repo, monkeypatch):
    import_catalog(repo.root, FIXTURES / "catalogs" / "small.json", "small-test")
    mapping = "    maps_to:\n      - {catalog: small-test, control: AB-22, relation: related}\n"
    repo.replace("recommendations/alpha/business.yaml", "    tracker:", mapping + "    tracker:")
    plain = _findings(repo, cached=False)
    assert [f.code for f in plain] == ["unknown-control"]
    assert _findings(repo, cached=True) == plain
    read = []
    monkeypatch.setattr("quaestio.content.cache.catalog_data", lambda text: read.append(text) or catalog_data(text))
    assert _findings(repo, cached=True) == plain
    assert read == []  # the catalog's data came from the cache
    catalog = repo.root / "catalogs" / "small-test.yaml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace("AB-2", "AB-22"), encoding="utf-8")
    assert _findings(repo, cached=True) == _findings(repo, cached=False) == ()
    assert len(read) == 1  # the edited catalog was read afresh


def test_translations_are_read_from_the_cache_and_checked_anew(translated, monkeypatch):
    """A translation's reading is kept, its findings are not: they depend on the English it translates."""
    french = "translations/fr/recommendations/alpha/public.yaml"
    plain = _findings(translated, cached=False)
    assert _findings(translated, cached=True) == plain  # fills the cache
    parsed: list[str] = []
    text = translated.read(french)
    original = load.read_plainly

    def fast(source: str):
        parsed.append(source)
        return original(source)

    # Every reading of a text goes through the fast reader first, read ahead or not.
    monkeypatch.setattr("quaestio.content.ahead.read_plainly", fast)
    monkeypatch.setattr("quaestio.content.load.read_plainly", fast)
    assert _findings(translated, cached=True) == plain
    assert text not in parsed  # the French file's reading came from the cache
    # The English it translates changes: the unchanged French file, read from the cache, is now stale.
    translated.replace(PUBLIC, "title: Fund the first challenge", "title: Fund the first challenge now")
    stale = _findings(translated, cached=True)
    assert stale == _findings(translated, cached=False)
    assert any(f.file == french and f.code == "stale-translation" for f in stale)
