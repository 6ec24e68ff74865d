"""Releases: the version is written once (pyproject.toml) and shown where operators look; the
installed distributions are exactly the lock's."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command

from core.version import portal_version

ROOT = Path(__file__).resolve().parent.parent


def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def test_version_is_semantic_and_read_from_pyproject():
    assert re.fullmatch(r"\d+\.\d+\.\d+", portal_version())
    assert portal_version() == pyproject_version()


def test_manage_py_version_prints_it(capsys):
    call_command("version")
    assert capsys.readouterr().out.strip() == pyproject_version()


@pytest.mark.django_db
def test_admin_footer_shows_the_version(client, section_staff):
    client.force_login(section_staff)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert f"バージョン {pyproject_version()}" in page.content.decode()


def test_changelog_has_an_entry_for_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{pyproject_version()}] - " in changelog


def test_installed_distributions_are_the_locks():
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "scripts" / "lock_check.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_lock_pins_every_distribution_with_a_hash():
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = [i for i, line in enumerate(lines) if re.match(r"^[A-Za-z0-9][\w.-]*==", line)]
    assert len(pins) > 100
    for i in pins:
        assert lines[i].endswith("\\"), lines[i]
        assert lines[i + 1].strip().startswith("--hash=sha256:"), lines[i]
