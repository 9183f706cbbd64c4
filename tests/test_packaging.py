"""Packaging: hashed locks kept apart (runtime, development), and a wheel that installs and builds on its own."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from support.paths import MINIMAL, REPOSITORY

RUNTIME_LOCK = REPOSITORY / "requirements.lock"
DEV_LOCK = REPOSITORY / "requirements-dev.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _entries(lock: Path) -> list[str]:
    """Each requirement of a lock with its continuation lines (hashes, markers)."""
    text = lock.read_text(encoding="utf-8")
    return [block for block in re.split(r"\n(?=\S)", text) if _PIN.match(block)]


def _pins(lock: Path) -> dict[str, set[str]]:
    """The versions each package is pinned to (several when markers choose by Python version)."""
    pins: dict[str, set[str]] = {}
    for entry in _entries(lock):
        name, version = _PIN.match(entry).groups()
        pins.setdefault(canonicalize_name(name), set()).add(version)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


def _dev_tools() -> set[str]:
    lines = (REPOSITORY / "requirements-dev.in").read_text(encoding="utf-8").splitlines()
    return {canonicalize_name(Requirement(line.split("#")[0]).name) for line in lines if re.match(r"^[A-Za-z]", line)}


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_every_locked_package_is_pinned_with_its_hashes(lock):
    entries = _entries(lock)
    assert len(entries) > 30
    for entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_no_lock_installs_setuptools(lock):
    """The setuptools a Python 3.11 venv seeds (65.5.0) has known flaws; nothing needs it."""
    assert "setuptools" not in _pins(lock)


def test_the_runtime_lock_satisfies_every_declared_dependency():
    """A lower bound raised in pyproject.toml without `make lock` fails here."""
    pins = _pins(RUNTIME_LOCK)
    for requirement in _declared():
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is declared but not locked; run make lock"
        assert all(requirement.specifier.contains(v) for v in versions), (requirement, versions)


def test_the_runtime_lock_holds_no_test_or_lint_tool():
    """The website's deploy installs only the runtime lock: no browser driver, no test runner."""
    assert {"pytest", "playwright", "ruff", "mypy"} <= _dev_tools()
    assert _dev_tools() & set(_pins(RUNTIME_LOCK)) == set()


def test_the_development_lock_pins_the_runtime_packages_to_the_same_versions():
    runtime, development = _pins(RUNTIME_LOCK), _pins(DEV_LOCK)
    assert {name: development.get(name) for name in runtime} == runtime
    assert _dev_tools() <= set(development)


def _dry_run(target: str) -> list[str]:
    """The commands `make <target>` would run in a fresh clone (make -n -B runs nothing)."""
    completed = subprocess.run(
        ["make", "--dry-run", "--always-make", target], cwd=REPOSITORY, capture_output=True, text=True, check=True
    )
    return completed.stdout.splitlines()


def test_make_build_installs_the_runtime_lock_only_and_checks_hashes():
    commands = "\n".join(_dry_run("build"))
    assert "install --require-hashes -r requirements.lock" in commands
    assert "requirements-dev.lock" not in commands
    assert "uninstall --yes setuptools" in commands


def test_make_test_runs_ruff_and_mypy_before_the_tests():
    commands = _dry_run("test")
    position = {
        name: next(i for i, c in enumerate(commands) if name in c)
        for name in ("ruff check", "ruff format --check", "mypy", "-m pytest", "-r requirements-dev.lock")
    }
    assert position["-r requirements-dev.lock"] < position["ruff check"] < position["ruff format --check"]
    assert position["ruff format --check"] < position["mypy"] < position["-m pytest"]


def _run(*argv: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Nothing of this checkout may leak in: no PYTHONPATH, and the commands run outside it.
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    completed = subprocess.run([str(a) for a in argv], cwd=cwd, env=environment, capture_output=True, text=True)
    assert completed.returncode == 0, f"{' '.join(map(str, argv))}\n{completed.stdout}\n{completed.stderr}"
    return completed


@pytest.mark.slow
def test_the_wheel_alone_installs_and_builds_a_content_repository(tmp_path):
    """`pip install quaestio` (dependencies resolved from pyproject.toml, not the lock), then `quaestio build`."""
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check")
    wheels = tmp_path / "wheels"
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", wheels, REPOSITORY, cwd=tmp_path)
    (wheel,) = wheels.glob("quaestio-*.whl")
    # A bare environment (no seeded pip, no setuptools) that this pip installs into: quicker, and it
    # shows that nothing else is needed.
    environment = tmp_path / "env"
    _run(sys.executable, "-m", "venv", "--without-pip", environment, cwd=tmp_path)
    _run(*pip, "--python", environment / "bin" / "python", "install", "--quiet", "--no-compile", wheel, cwd=tmp_path)
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)

    _run(environment / "bin" / "quaestio", "--root", content, "build", cwd=tmp_path)

    build = content / "build"
    for name in ("topic-alpha", "audience-business", "compendium"):
        assert (build / "reports" / f"{name}.pdf").read_bytes().startswith(b"%PDF-")
        assert (build / "reports" / f"{name}.docx").read_bytes().startswith(b"PK")
    assert json.loads((build / "data" / "recommendations.json").read_text(encoding="utf-8"))["topics"]
    assert "ALP-BUS-01" in (build / "site" / "recommendations" / "ALP-BUS-01" / "index.html").read_text("utf-8")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    assert {"reports/topic-alpha.pdf", "site/index.html", "data/recommendations.csv"} <= {
        a["path"] for a in manifest["artifacts"]
    }
