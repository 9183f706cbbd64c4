"""A recheck after edits gives what a whole check gives, while it reuses what the unchanged files gave."""

from __future__ import annotations

from quaestio.findings import Code
from quaestio.pipeline import Checked, check, recheck

ACADEMIC = "recommendations/alpha/academic.yaml"
BUSINESS = "recommendations/alpha/business.yaml"
PUBLIC = "recommendations/alpha/public.yaml"
ORPHAN = "recommendations/gamma/public.yaml"
ALPHA = "topics/alpha.yaml"
BETA = "topics/beta.yaml"


def _same_as_a_whole_check(repo, result: Checked) -> None:
    whole = check(repo.root)
    assert result.findings == whole.findings
    assert result.files == whole.files
    assert result.corpus == whole.corpus
    assert result.branding == whole.branding
    assert result.findings == check(repo.root, cached=True).findings


def _edit(repo, previous: Checked, *changed: str) -> Checked:
    result = recheck(repo.root, previous, changed)
    _same_as_a_whole_check(repo, result)
    assert result.kept is not None
    assert previous.kept is not None
    for path, reading in result.kept.readings.items():  # the files not named were neither read nor checked again
        if path not in changed and path in previous.kept.readings:
            assert reading.document is previous.kept.readings[path].document
    return result


def test_a_recheck_equals_a_whole_check_after_each_edit(translated):
    repo = translated
    result = recheck(repo.root, None, ())
    _same_as_a_whole_check(repo, result)
    assert result.corpus is not None and len(result.corpus.languages) == 3
    originals = {path: repo.read(path) for path in (ACADEMIC, BUSINESS, PUBLIC)}

    repo.replace(ACADEMIC, "title: Teach the first challenge", "title: Teach the first challenge well")
    result = _edit(repo, result, ACADEMIC)  # a changed text: its French translation is now stale
    assert Code.STALE_TRANSLATION in {f.code for f in result.findings}
    assert result.corpus is not None and result.corpus.recommendation_by_id["ALP-ACA-01"].title.en.endswith("well")

    repo.replace(PUBLIC, "recommendations:\n", "recommendations:\n" + _recommendation("ALP-PUB-02"))
    result = _edit(repo, result, PUBLIC)  # content added to a file
    assert result.corpus is not None and "ALP-PUB-02" in result.corpus.recommendation_by_id

    repo.write(BETA, repo.read(ALPHA).replace("id: alpha", "id: beta", 1))
    result = _edit(repo, result, BETA)  # a topic added with the code and challenge IDs of another file's
    assert {(f.file, f.code) for f in result.findings} >= {(BETA, Code.DUPLICATE_ID)}
    assert result.corpus is None

    (repo.root / BETA).unlink()
    result = _edit(repo, result, BETA)  # and removed again
    assert Code.DUPLICATE_ID not in {f.code for f in result.findings}
    assert result.corpus is not None

    repo.replace(PUBLIC, "id: ALP-PUB-02", "id: ALP-ACA-01")
    result = _edit(repo, result, PUBLIC)  # an ID another file holds, in a file it does not fit
    assert (PUBLIC, Code.ID_PREFIX) in {(f.file, f.code) for f in result.findings}

    repo.write(ORPHAN, "topic: gamma\naudience: public\nrecommendations:\n" + _recommendation("GAM-PUB-01"))
    result = _edit(repo, result, ORPHAN)  # a file added in a folder with no topic
    assert ORPHAN in {f.file for f in result.findings}

    repo.write(BUSINESS, originals[BUSINESS].replace("status: adopted", "status: [adopted", 1))
    result = _edit(repo, result, BUSINESS)  # a file that cannot be read: the rules skip what depends on it
    assert Code.CHECKS_SKIPPED in {f.code for f in result.findings}

    repo.replace(ACADEMIC, "    priority: medium\n", "")
    result = _edit(repo, result, ACADEMIC)  # a field missing: a schema finding in one file

    (repo.root / ORPHAN).unlink()
    for path, text in originals.items():
        repo.write(path, text)
    result = _edit(repo, result, ORPHAN, ACADEMIC, BUSINESS, PUBLIC)  # all fixed and the added file removed
    assert result.corpus is not None and [f for f in result.findings if f.severity.value == "error"] == []

    repo.replace("translations/fr/" + ACADEMIC, "Enseigner le premier défi", "Enseigner le défi")
    changed = ("translations/fr/" + ACADEMIC,)
    result = recheck(repo.root, result, changed)  # beyond the content files: everything is read again
    _same_as_a_whole_check(repo, result)
    assert result.corpus is not None and result.corpus.recommendation_by_id["ALP-ACA-01"].title.get("fr") == (
        "Enseigner le défi"
    )


def test_a_recheck_without_changes_reuses_every_file(repo):
    first = recheck(repo.root, None, ())
    again = recheck(repo.root, first, ())
    _same_as_a_whole_check(repo, again)
    assert first.kept is not None and again.kept is not None
    assert again.kept.checked_files == first.kept.checked_files
    assert all(again.kept.models[path] is first.kept.models[path] for path in first.kept.models)


def _recommendation(identifier: str) -> str:
    return (
        f"  - id: {identifier}\n"
        "    title: Publish the second challenge\n"
        "    text: Authorities should publish it.\n"
        "    rationale: Because people ask.\n"
        "    priority: low\n"
        "    horizon: short\n"
        "    status: proposed\n"
        "    addresses: [ALP-C2]\n"
    )
