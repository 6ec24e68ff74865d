"""run_with_budget: untrusted parsing in a child process with a time and a memory budget."""

import time

import pytest
from django.core.exceptions import ValidationError

from core.sandboxed import BudgetExceeded, run_with_budget
from surety.notice import NoticeReadError


def _sleep(seconds):
    time.sleep(seconds)
    return "woke"


def _allocate(megabytes):
    return len(bytearray(megabytes * 1024 * 1024))


def _refuse_notice():
    raise NoticeReadError("認証キーが見つかりません。", code="auth_key_missing")


def _refuse_upload():
    raise ValidationError("ページ数が上限を超えています。", code="too_many_pages")


def test_the_result_comes_back():
    stats = {}
    assert run_with_budget(sorted, [3, 1, 2], stats=stats) == [1, 2, 3]
    assert stats["seconds"] < 2


def test_a_slow_parse_is_killed_at_the_deadline():
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as caught:
        run_with_budget(_sleep, 30, seconds=1)
    assert caught.value.what == "time"
    assert time.monotonic() - started < 2


def test_memory_over_the_budget_is_refused():
    with pytest.raises(BudgetExceeded) as caught:
        run_with_budget(_allocate, 400, memory=64 * 1024 * 1024)
    assert caught.value.what == "memory"
    assert run_with_budget(_allocate, 16, memory=64 * 1024 * 1024) == 16 * 1024 * 1024


@pytest.mark.parametrize(
    "fn, cls", [(_refuse_notice, NoticeReadError), (_refuse_upload, ValidationError)]
)
def test_domain_errors_come_back_with_their_message_and_code(fn, cls):
    with pytest.raises(cls) as caught:
        run_with_budget(fn)
    assert caught.value.code in ("auth_key_missing", "too_many_pages")
    assert "上限" in str(caught.value) or caught.value.message == "認証キーが見つかりません。"
