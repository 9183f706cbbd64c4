"""serve: the preview keeps serving through bad edits, shows findings on the page, and rebuilds on change."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from quaestio.findings import Code, finding
from quaestio.workflow.serve import STATUS_PATH, IncrementalSite, Preview, build_preview, make_server
from support.paths import CONTENT_FOLDERS, REPOSITORY

BUSINESS = "recommendations/alpha/business.yaml"


class FakeSite:
    """A builder that writes a one-page site, or fails, as the test says."""

    def __init__(self):
        self.calls = 0
        self.findings = ()
        self.fail = False
        self.during_build = None

    def __call__(self, root: Path, out: Path):
        self.calls += 1
        if self.during_build is not None:
            self.during_build()
            self.during_build = None
        if self.fail:
            raise RuntimeError("mkdocs exploded")
        if not any(f.severity.value == "error" for f in self.findings):
            out.mkdir(parents=True)
            (out / "index.html").write_text(f"<html><body><h1>build {self.calls}</h1></body></html>", encoding="utf-8")
            (out / "style.css").write_text("h1 {}", encoding="utf-8")
        return self.findings


@pytest.fixture
def served(repo):
    site = FakeSite()
    preview = Preview(repo.root, site, say=lambda message: None)
    server = make_server(preview, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield preview, site, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    preview.close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as failure:
        return failure.code, failure.read().decode("utf-8")


def test_pages_are_served_with_the_reload_script_and_other_files_as_they_are(served):
    preview, _, url = served
    preview.rebuild()
    status, page = get(f"{url}/")
    assert status == 200
    assert page.startswith("<html><body><h1>build 1</h1><script>(function(){var g=1;")
    assert page.endswith("</script></body></html>")
    assert get(f"{url}/style.css") == (200, "h1 {}")
    status = json.loads(get(f"{url}{STATUS_PATH}")[1])
    assert status == {"generation": 1, "building": False, "finishing": False, "findings": []}


def test_findings_are_shown_on_the_page_and_a_broken_build_keeps_the_last_good_site(served):
    preview, site, url = served
    preview.rebuild()
    site.findings = (finding(BUSINESS, (14, 5), Code.SELF_REFERENCE, "'ALP-BUS-01' lists <itself>"),)
    preview.rebuild()
    page = get(f"{url}/")[1]
    assert "<h1>build 2</h1>" in page
    assert (
        '<li class="q-warning"><code>recommendations/alpha/business.yaml:14:5</code> '
        "warning[self-reference]: &#x27;ALP-BUS-01&#x27; lists &lt;itself&gt;</li>"
    ) in page
    site.fail = True
    state = preview.rebuild()
    assert state.generation == 3 and state.findings[0].code == "site-build"
    page = get(f"{url}/")[1]
    assert "<h1>build 2</h1>" in page  # still the last good site
    assert "the website could not be built: mkdocs exploded" in page


def test_before_any_good_build_the_page_says_why(served):
    preview, site, url = served
    site.fail = True
    preview.rebuild()
    status, page = get(f"{url}/")
    assert status == 503
    assert "No preview yet" in page and "mkdocs exploded" in page


def test_a_file_changed_during_a_build_causes_another_build(served, repo):
    preview, site, url = served
    site.during_build = lambda: repo.replace(BUSINESS, "Companies should act.", "Companies must act.")
    preview.rebuild()
    assert site.calls == 2
    assert "<h1>build 2</h1>" in get(f"{url}/")[1]
    assert not preview.changed()


def test_the_watcher_rebuilds_after_an_edit(served, repo):
    preview, _, _ = served
    preview.rebuild()
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop, 0.05), daemon=True)
    watcher.start()
    try:
        time.sleep(0.1)
        repo.write(BUSINESS, repo.read(BUSINESS) + "# edited\n")
        deadline = time.monotonic() + 5
        while preview.state.generation < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert preview.state.generation == 2
    finally:
        stop.set()
        watcher.join(timeout=5)


def test_an_edit_made_before_the_watcher_started_is_built(served, repo):
    preview, _, _ = served
    preview.rebuild()
    repo.write(BUSINESS, repo.read(BUSINESS) + "# edited before anything watched\n")
    stop = threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop, 0.05), daemon=True)
    watcher.start()
    try:
        deadline = time.monotonic() + 10
        while preview.state.generation < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert preview.state.generation == 2
        assert not preview.changed()
    finally:
        stop.set()
        watcher.join(timeout=5)


@pytest.mark.slow
def test_the_real_site_builds_and_errors_stop_it(repo, tmp_path):
    out = tmp_path / "site"
    assert build_preview(repo.root, out) == ()
    assert (out / "index.html").is_file()
    repo.replace(BUSINESS, "    priority: high", "    priorty: high")
    codes = [f.code for f in build_preview(repo.root, tmp_path / "again")]
    assert codes == ["unknown-field"]
    assert not (tmp_path / "again").exists()


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """The repository's own content, in a folder of its own (schemas and templates come with quaestio)."""
    root = tmp_path / "content"
    for name in CONTENT_FOLDERS:
        shutil.copytree(REPOSITORY / name, root / name)
    return root


@pytest.mark.slow
def test_an_edit_shows_in_the_open_page_and_the_quick_pass_takes_little_processor_time(content_copy, browser):
    """An edit rebuilds only the pages it affects and reaches the open page by itself.

    Wall-clock time depends on what else the machine runs (CI shares it), so the only time asserted is the
    processor time the quick pass takes: what it would take alone (benchmarks/preview_bench.py measures the
    wall-clock time at 2,000 recommendations).
    """
    preview = Preview(content_copy, say=lambda message: None)
    spent: list[float] = []

    class Measured(IncrementalSite):
        def __call__(self, root: Path, out: Path):
            started = time.process_time()
            try:
                return super().__call__(root, out)
            finally:
                spent.append(time.process_time() - started)

    preview.builder = incremental = Measured(preview.scratch)
    server = make_server(preview, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    preview.rebuild()
    watcher = threading.Thread(target=preview.watch, args=(stop,), daemon=True)
    watcher.start()
    file = content_copy / "recommendations/governance/business.yaml"
    original = file.read_text(encoding="utf-8")
    first_id = re.search(r"- id: (\S+)", original).group(1)
    title = re.search(r"\n    title: (.+)", original).group(1)
    waits, rebuilt = [], []
    try:
        with browser.new_context() as context:  # the session's Chromium (conftest.py)
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/recommendations/{first_id}/")
            assert title in page.inner_text("h1")
            for attempt in range(3):
                edited = f"Edited {attempt} {title}"
                started, since = time.monotonic(), time.time()
                file.write_text(original.replace(f"title: {title}", f"title: {edited}", 1), encoding="utf-8")
                page.wait_for_function(
                    "text => document.querySelector('h1') && document.querySelector('h1').innerText.includes(text)",
                    arg=edited,
                    timeout=10_000,
                )
                waits.append(time.monotonic() - started)
                site = preview.state.site
                rebuilt.append(
                    sorted(str(f.relative_to(site)) for f in site.rglob("*.html") if f.stat().st_mtime >= since)
                )
            # Once the other pages are up to date, the open page, which finishing did not change, stays as it is.
            page.evaluate("window.quaestioMarker = 1")
            deadline = time.monotonic() + 120
            while (incremental.unfinished or preview.state.finishing) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert incremental.unfinished is None and preview.state.generation > 4
            # changed is None when the last pass was a complete build (a busy machine's watcher may batch the
            # edits so), after which any page may reload; after finishing, the open page must not.
            if incremental.changed is not None:
                assert f"recommendations/{first_id}/index.html" not in incremental.changed
                page.wait_for_timeout(500)
                assert page.evaluate("window.quaestioMarker") == 1
            # The page shown is complete, menu and all. The only findings it may show are the warnings that the
            # edited title's translations are now stale, which is what an edit of the English must cause.
            assert page.locator("nav").count() > 0
            panel = page.locator("#quaestio-findings")
            if panel.count():
                shown = panel.inner_text()
                assert "stale-translation" in shown and "error" not in shown.lower().replace("0 error", ""), shown
    finally:
        stop.set()
        watcher.join(timeout=5)
        server.shutdown()
        server.server_close()
        preview.close()
    pages = len(list(preview_pages(content_copy)))
    for changed in rebuilt:  # the recommendation's page, its topic's, its audience's, the index, the home page...
        assert f"recommendations/{first_id}/index.html" in changed
        assert len(changed) < pages / 4, changed
    edits = spent[1:]
    assert len(edits) >= 3 and min(edits) < 0.5, (edits, waits)


def preview_pages(root: Path):
    """Every recommendation, topic and audience: about as many pages as the site has."""
    for file in (root / "recommendations").rglob("*.yaml"):
        yield from re.findall(r"- id: ", file.read_text(encoding="utf-8"))


def site_files(site: Path) -> dict[str, bytes]:
    return {f.relative_to(site).as_posix(): f.read_bytes() for f in sorted(site.rglob("*")) if f.is_file()}


def shown_files(state) -> dict[str, bytes]:
    """The files the preview serves: a quick pass's pages over the complete site under them."""
    return {**(site_files(state.base) if state.base else {}), **site_files(state.site)}


@pytest.mark.slow
def test_a_quick_pass_shows_the_edited_page_and_finishing_makes_the_site_of_a_full_build(content_copy, tmp_path):
    """An edit of a recommendation's title: the quick pass rebuilds its page alone; finishing then rebuilds the
    other pages that show the title (its topic's, the index...), and the site is then byte for byte the site a
    fresh build makes from the edited content, search index and sitemap included."""
    preview = Preview(content_copy, say=lambda message: None)
    preview.builder = incremental = IncrementalSite(preview.scratch)
    fresh = Preview(content_copy, say=lambda message: None)
    fresh.builder = IncrementalSite(fresh.scratch)
    try:
        before_site = preview.rebuild().site
        before = site_files(before_site)
        file = content_copy / "recommendations/governance/business.yaml"
        original = file.read_text(encoding="utf-8")
        first_id = re.search(r"- id: (\S+)", original).group(1)
        title = re.search(r"\n    title: (.+)", original).group(1)
        file.write_text(original.replace(f"title: {title}", f"title: Edited {title}", 1), encoding="utf-8")
        quick = preview.rebuild()
        page = f"recommendations/{first_id}/index.html"
        assert incremental.unfinished is not None
        # The quick pass's page alone, in a layer the server shows over the last complete site.
        assert site_files(quick.site) == {page: (quick.site / page).read_bytes()} and quick.base == before_site
        assert f"Edited {title}".encode() in (quick.site / page).read_bytes()
        assert incremental.changed == {page}
        assert preview.reload_needed(1, f"/recommendations/{first_id}/")
        assert before == {**shown_files(quick), page: before[page]}  # the others wait for finishing

        preview.finish()
        finished = preview.state
        assert finished.generation == 3 and incremental.unfinished is None and finished.base is None
        topic_page = "topics/governance/index.html"
        assert topic_page in incremental.changed and page not in incremental.changed
        # The pages open in a browser reload only if finishing changed them (the findings stay the same).
        assert preview.reload_needed(2, "/topics/governance/")
        assert not preview.reload_needed(2, f"/recommendations/{first_id}/")
        untouched = sorted(
            f for f in site_files(finished.site) if f.endswith("index.html") and f not in incremental.changed
        )
        assert not preview.reload_needed(2, "/" + untouched[-1].removesuffix("index.html")), untouched[-1]
        fresh.rebuild()
        assert site_files(finished.site) == site_files(fresh.state.site)
    finally:
        preview.close()
        fresh.close()


@pytest.mark.slow
def test_a_template_that_fails_is_a_finding_at_its_line_and_the_last_site_stays(content_copy):
    """A coalition member editing a template sees, on the preview, the template's file and line."""
    shutil.copytree(REPOSITORY / "templates", content_copy / "templates")
    shutil.copy(REPOSITORY / "mkdocs.yml", content_copy / "mkdocs.yml")  # the configuration beside its templates
    preview = Preview(content_copy, say=lambda message: None)
    preview.builder = IncrementalSite(preview.scratch)
    try:
        good = preview.rebuild().site
        assert good is not None and (good / "index.html").is_file()
        fragment = content_copy / "templates" / "site" / "fragments" / "about.html.j2"
        lines = fragment.read_text(encoding="utf-8").splitlines(keepends=True)
        lines.insert(1, "<p>{{ site.helper_that_is_gone() }}</p>\n")
        fragment.write_text("".join(lines), encoding="utf-8")
        state = preview.rebuild()
        faults = [f for f in state.findings if f.code == Code.SITE_BUILD]
        assert [(f.file, f.line) for f in faults] == [("templates/site/fragments/about.html.j2", 2)]
        assert "helper_that_is_gone" in faults[0].message and "git diff" in faults[0].hint
        assert state.site == good  # the last good site is still shown
    finally:
        preview.close()


FOUNDED = 1449568800  # 8 December 2015, 10:00 UTC


def _git(root: Path, *args: str) -> str:
    dated = {**os.environ, "GIT_AUTHOR_DATE": f"@{FOUNDED} +0000", "GIT_COMMITTER_DATE": f"@{FOUNDED} +0000"}
    named = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    done = subprocess.run(["git", "-C", str(root), *named, *args], check=True, capture_output=True, env=dated)
    return done.stdout.decode()


def _retitle(file: Path) -> None:
    original = file.read_text(encoding="utf-8")
    title = re.search(r"\n    title: (.+)", original).group(1)
    file.write_text(original.replace(f"title: {title}", f"title: Edited {title}", 1), encoding="utf-8")


@pytest.mark.slow
def test_outside_git_an_edit_dates_the_preview_as_a_fresh_build_would(content_copy):
    """Outside git, a build is dated by the content's newest file, so an edit made on another day than the
    content's last one changes the date every page of the site states; finishing brings those pages up to date."""
    for file in content_copy.rglob("*"):
        os.utime(file, (FOUNDED, FOUNDED))
    preview = Preview(content_copy, say=lambda message: None)
    preview.builder = IncrementalSite(preview.scratch)
    fresh = Preview(content_copy, say=lambda message: None)
    fresh.builder = IncrementalSite(fresh.scratch)
    try:
        before = site_files(preview.rebuild().site)
        assert b"dated 8 December 2015" in before["about/index.html"]
        _retitle(content_copy / "recommendations/governance/business.yaml")
        preview.rebuild()
        preview.finish()
        finished = site_files(preview.state.site)
        assert b"dated 8 December 2015" not in finished["about/index.html"]
        fresh.rebuild()
        assert finished == site_files(fresh.state.site)
    finally:
        preview.close()
        fresh.close()


@pytest.mark.slow
def test_a_commit_while_serving_puts_its_revision_in_the_footer_of_every_page(content_copy):
    """The footer of every page names the revision: after a commit, the next pass renders every page again
    (not only the edited recommendation's), as a fresh build of the commit would."""
    _git(content_copy, "init", "-q", "-b", "main")
    _git(content_copy, "add", "-A")
    _git(content_copy, "commit", "-q", "-m", "content")
    preview = Preview(content_copy, say=lambda message: None)
    preview.builder = incremental = IncrementalSite(preview.scratch)
    fresh = Preview(content_copy, say=lambda message: None)
    fresh.builder = IncrementalSite(fresh.scratch)
    try:
        preview.rebuild()
        _retitle(content_copy / "recommendations/governance/business.yaml")
        _git(content_copy, "commit", "-q", "-a", "-m", "a new title")
        revision = _git(content_copy, "rev-parse", "HEAD").strip()[:12]
        site = preview.rebuild().site
        assert incremental.unfinished is None  # no quick pass: its pages would keep the old footer
        pages = [name for name in site_files(site) if name.endswith(".html")]
        assert len(pages) > 100
        for name in pages:
            assert f"revision {revision}".encode() in (site / name).read_bytes(), name
        fresh.rebuild()
        assert site_files(site) == site_files(fresh.state.site)
    finally:
        preview.close()
        fresh.close()


@pytest.mark.slow
def test_quick_passes_are_served_over_the_last_site_and_a_breaking_edit_keeps_them_with_its_findings(content_copy):
    """A quick pass's page is served from its layer, every other file from the complete site under it; an edit
    that breaks the content across files (an ID changed that others name) is caught by validation, and the
    preview keeps what it showed; the fix is shown by a quick pass that keeps the earlier one's page; finishing
    ends the layering."""
    preview = Preview(content_copy, say=lambda message: None)
    preview.builder = IncrementalSite(preview.scratch)
    server = make_server(preview, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    business = content_copy / "recommendations/governance/business.yaml"
    academic = content_copy / "recommendations/governance/academic.yaml"
    business_text, academic_text = business.read_text(encoding="utf-8"), academic.read_text(encoding="utf-8")
    first_id = re.search(r"- id: (\S+)", business_text).group(1)
    title = re.search(r"\n    title: (.+)", business_text).group(1)
    try:
        complete = preview.rebuild()
        business.write_text(business_text.replace(f"title: {title}", f"title: Edited {title}", 1), encoding="utf-8")
        quick = preview.rebuild()
        assert quick.base == complete.site and quick.site != complete.site
        assert f"Edited {title}" in get(f"{url}/recommendations/{first_id}/")[1]
        topic = get(f"{url}/topics/governance/")[1]  # from the complete site: it waits for finishing
        assert title in topic and f"Edited {title}" not in topic
        assert get(f"{url}/assets/quaestio/quaestio.css") == (
            200,
            (complete.site / "assets/quaestio/quaestio.css").read_text(encoding="utf-8"),
        )

        academic_id = re.search(r"- id: (\S+)", academic_text).group(1)
        academic.write_text(academic_text.replace(f"- id: {academic_id}", f"- id: {first_id}", 1), encoding="utf-8")
        broken = preview.rebuild()
        errors = {(f.file, f.code) for f in broken.findings if f.severity.value == "error"}
        assert ("recommendations/governance/academic.yaml", Code.ID_PREFIX) in errors  # in the edited file
        # and where other files still name the ID it took away
        assert {f for f, code in errors if code is Code.BROKEN_REFERENCE} > {"recommendations/governance/business.yaml"}
        assert (broken.site, broken.base) == (quick.site, quick.base)
        page = get(f"{url}/recommendations/{first_id}/")[1]
        assert f"Edited {title}" in page and "error[id-prefix]" in page

        academic.write_text(academic_text, encoding="utf-8")
        academic_title = re.search(r"\n    title: (.+)", academic_text).group(1)
        academic.write_text(
            academic_text.replace(f"title: {academic_title}", f"title: Fixed {academic_title}", 1), encoding="utf-8"
        )
        fixed = preview.rebuild()
        assert fixed.base == complete.site and not [f for f in fixed.findings if f.severity.value == "error"]
        assert f"Fixed {academic_title}" in get(f"{url}/recommendations/{academic_id}/")[1]
        assert f"Edited {title}" in get(f"{url}/recommendations/{first_id}/")[1]  # the earlier quick pass's page

        preview.finish()
        finished = preview.state
        assert finished.base is None
        deadline = time.monotonic() + 60  # the sites no longer shown are removed in the background
        while (complete.site.exists() or fixed.site.exists()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not complete.site.exists() and not fixed.site.exists() and finished.site.exists()
        assert f"Edited {title}" in get(f"{url}/topics/governance/")[1]
    finally:
        server.shutdown()
        server.server_close()
        preview.close()


def test_the_preview_checks_again_only_what_an_edit_changed_and_finds_what_a_whole_check_finds(repo, tmp_path):
    """Each build rechecks the repository, reusing what the files the fingerprint says are unchanged gave."""
    from quaestio.pipeline import check

    site = IncrementalSite(tmp_path / "scratch")
    first = site._check(repo.root)
    assert first.findings == check(repo.root).findings and first.corpus == check(repo.root).corpus
    repo.replace(BUSINESS, "id: ALP-BUS-02", "id: ALP-BUS-01")  # a duplicate ID within the file
    broken = site._check(repo.root)
    assert Code.DUPLICATE_ID in {f.code for f in broken.findings}
    assert broken.findings == check(repo.root).findings
    unchanged = "recommendations/alpha/public.yaml"
    assert broken.kept.readings[unchanged].document is first.kept.readings[unchanged].document
    assert broken.kept.readings[BUSINESS].document is not first.kept.readings[BUSINESS].document
    repo.replace(BUSINESS, "id: ALP-BUS-01\n    title: An old idea", "id: ALP-BUS-02\n    title: An old idea")
    fixed = site._check(repo.root)
    assert fixed.findings == check(repo.root).findings and fixed.corpus == first.corpus
    (repo.root / "templates").mkdir()  # a change beyond the content files: every file is read again
    (repo.root / "templates" / "notes.txt").write_text("a note\n", encoding="utf-8")
    again = site._check(repo.root)
    assert again.kept.readings[unchanged].document is not fixed.kept.readings[unchanged].document
    assert again.findings == check(repo.root).findings
