"""The parallel site build's merge: sitemap entries from the shards, in the order one mkdocs build writes them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from quaestio.publish.buildinfo import BuildInfo
from quaestio.publish.site.engine import SiteBuildError
from quaestio.publish.site.shards import Shard, _merge_sitemap

INFO = BuildInfo("0123456789abcdef0123456789abcdef01234567", 1449532800, {"quaestio": "test"})
SITE = "https://example.org/"


def _entry(path: str) -> str:
    return f"    <url>\n         <loc>{SITE}{path}</loc>\n         <lastmod>2015-12-08</lastmod>\n    </url>\n"


def _sitemap(*entries: str) -> str:
    """A sitemap written as mkdocs' template writes it."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "".join(entries) + "</urlset>"
    )


def _site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "sitemap.xml").write_text(text, encoding="utf-8")
    return folder


def _shard(tmp_path: Path, name: str, text: str) -> Shard:
    shard = Shard(tmp_path / name, [])
    _site(shard.site, text)
    return shard


def test_shard_entries_join_the_sitemap_in_the_order_of_one_build(tmp_path):
    main = _site(tmp_path / "out", _sitemap(_entry(""), _entry("about/"), _entry("topics/alpha/")))
    first = _shard(tmp_path, "one", _sitemap(_entry(""), _entry("recommendations/ALP-BUS-01/")))
    second = _shard(tmp_path, "two", _sitemap(_entry(""), _entry("recommendations/ALP-ACA-01/")))
    pages = {"recommendations/ALP-ACA-01.md", "recommendations/ALP-BUS-01.md"}

    _merge_sitemap(main, [first, second], pages, INFO)

    expected = _sitemap(
        _entry(""),
        _entry("about/"),
        _entry("recommendations/ALP-ACA-01/"),
        _entry("recommendations/ALP-BUS-01/"),
        _entry("topics/alpha/"),
    )
    assert (main / "sitemap.xml").read_text(encoding="utf-8") == expected
    with gzip.open(main / "sitemap.xml.gz") as compressed:
        assert compressed.read().decode("utf-8") == expected
    # The gzip header's time is the build's date, so the compressed file is reproducible too.
    assert (main / "sitemap.xml.gz").read_bytes()[4:8] == INFO.source_date_epoch.to_bytes(4, "little")


def test_a_shard_entry_for_a_page_it_did_not_build_is_left_out(tmp_path):
    main = _site(tmp_path / "out", _sitemap(_entry(""), _entry("about/")))
    shard = _shard(tmp_path, "one", _sitemap(_entry(""), _entry("about/"), _entry("recommendations/ALP-BUS-01/")))

    _merge_sitemap(main, [shard], {"recommendations/ALP-BUS-01.md"}, INFO)

    text = (main / "sitemap.xml").read_text(encoding="utf-8")
    assert text == _sitemap(_entry(""), _entry("about/"), _entry("recommendations/ALP-BUS-01/"))


@pytest.mark.parametrize("where", ["main", "shard"])
def test_an_entry_without_an_address_is_a_build_error_not_a_crash(tmp_path, where):
    """The regular expressions this replaced took the <loc> of every entry for granted (None.group)."""
    broken = "    <url>\n         <lastmod>2015-12-08</lastmod>\n    </url>\n"
    main_entries = [_entry(""), broken] if where == "main" else [_entry("")]
    shard_entries = [_entry(""), broken] if where == "shard" else [_entry("")]
    main = _site(tmp_path / "out", _sitemap(*main_entries))
    shard = _shard(tmp_path, "one", _sitemap(*shard_entries))

    with pytest.raises(SiteBuildError, match=r"sitemap.xml has an entry without an address \(<loc>\)"):
        _merge_sitemap(main, [shard], set(), INFO)


def test_a_sitemap_without_entries_is_left_as_it_is(tmp_path):
    text = _sitemap()
    main = _site(tmp_path / "out", text)
    _merge_sitemap(main, [], set(), INFO)
    assert (main / "sitemap.xml").read_text(encoding="utf-8") == text
    assert not (main / "sitemap.xml.gz").exists()


def test_a_template_that_fails_in_another_process_is_named_with_its_line(tmp_path):
    """Another language's site is built in a forked process: its template failure comes back as the template's
    file and line, under the language's label."""
    import jinja2

    from quaestio.publish.site.shards import run_beside

    folder = tmp_path / "templates" / "site"
    folder.mkdir(parents=True)
    (folder / "page.md.j2").write_text("# {{ title }}\n\n{{ site.helper_that_is_gone() }}\n", encoding="utf-8")
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), undefined=jinja2.StrictUndefined)

    def french() -> None:
        environment.get_template("page.md.j2").render(title="Titre", site=object())

    with pytest.raises(SiteBuildError) as raised:
        run_beside(lambda: None, [("fr: ", french)])
    assert str(raised.value).startswith("fr: the template templates/site/page.md.j2 failed at line 3: ")
