"""One environment file (ENV_FILE), read the same way by every process; a malformed value is
named; the deploy folder's template is what systemd and django-environ both read alike."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.core import checks

from core.checks import check_environment_values
from core.envfile import CheckedEnv, describe
from tests.deploy.procs import ROOT, base_env

TEMPLATE = ROOT / "deploy" / "env.example"


def test_an_inline_comment_is_named_and_the_default_kept(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1                                 # nginx in front")
    env = CheckedEnv()
    assert env.int("TRUSTED_PROXY_HOPS", default=0) == 0
    assert [name for name, _ in env.errors] == ["TRUSTED_PROXY_HOPS"]
    assert "inline comment" in describe(env.errors)


def test_a_word_that_is_not_a_boolean_is_named(monkeypatch):
    monkeypatch.setenv("LOG_JSON", "Ture")
    env = CheckedEnv()
    env.bool("LOG_JSON", default=False)
    assert env.errors and env.errors[0][0] == "LOG_JSON"


def test_well_formed_values_are_not_reported(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "2")
    monkeypatch.setenv("LOG_JSON", "True")
    env = CheckedEnv()
    assert env.int("TRUSTED_PROXY_HOPS", default=0) == 2
    assert env.bool("LOG_JSON", default=False) is True
    assert env.errors == []


def test_the_system_check_names_the_variable(settings):
    settings.ENV_ERRORS = [("TRUSTED_PROXY_HOPS", "'1  # x' is not a valid int")]
    [error] = check_environment_values()
    assert error.id == "core.E020" and error.level == checks.ERROR
    assert error.msg.startswith("TRUSTED_PROXY_HOPS:")


@pytest.mark.slow
def test_manage_py_reads_env_file_and_refuses_a_malformed_value(tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text(
        f"VAR_DIR={tmp_path}\nTRUSTED_PROXY_HOPS=1   # nginx\nLOG_JSON=False\n", encoding="utf-8"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=base_env(ENV_FILE=str(env_file)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "core.E020" in result.stderr and "TRUSTED_PROXY_HOPS" in result.stderr, result.stderr


def _template() -> list[tuple[str, str]]:
    pairs = []
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*=.*", line), f"not NAME=value: {line!r}"
        name, value = line.split("=", 1)
        pairs.append((name, value))
    return pairs


def test_the_template_has_each_variable_once_and_no_comments_or_quotes():
    pairs = _template()
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    for name, value in pairs:
        assert " #" not in value and "\t#" not in value, name
        assert value == value.strip(), name  # systemd strips what django-environ would keep
        assert not value.startswith(("'", '"')), name  # quoting rules differ: none at all


def test_django_environ_reads_the_template_as_written(monkeypatch):
    read: dict[str, str] = {}
    monkeypatch.setattr(CheckedEnv, "ENVIRON", read)  # not os.environ: nothing leaks
    CheckedEnv.read_env(str(TEMPLATE), overwrite=False)
    assert read == dict(_template())
