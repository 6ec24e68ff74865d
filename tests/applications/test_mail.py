"""Mail: one subject prefix, 和暦 dates, and action mails only to those who can act."""

import re

import pytest
from django.core import mail

from applications import services
from core.mail import subject_with_prefix
from tests.applications.helpers import filed

PREFIX = "【足利市 電子契約ポータル】"


@pytest.mark.django_db
def test_filing_mails_one_prefix_wareki_and_only_reviewers(
    case,
    contractor,
    department_staff,
    section_staff,
    readonly_staff,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        application = filed(case, contractor)
        services.application_return(application=application, reviewer=section_staff, reason="誤字")
        services.application_submit(application=application, user=contractor)
        services.message_post(application=application, author=contractor, body="修正しました")
        services.application_accept(application=application, reviewer=section_staff)
    assert len(mail.outbox) >= 7
    for message in mail.outbox:
        assert message.subject.startswith(PREFIX), message.subject
        assert message.subject.count("【") == 1, message.subject
        assert "電子契約ポータル】" not in message.subject[len(PREFIX) :]
    received = next(
        m for m in mail.outbox if m.to == [contractor.email] and "受け付けました" in m.subject
    )
    assert re.search(r"提出日時: 令和\d+年\d+月\d+日 \d+時\d\d分", received.body), received.body
    assert not re.search(r"20\d\d年", received.body)
    # the reviewers' mails, not the contractor's 「…の再提出を受け付けました」
    to_review = [
        m for m in mail.outbox if m.subject[len(PREFIX) :].startswith(("新しい申請:", "再提出:"))
    ]
    assert {m.to[0] for m in to_review} == {department_staff.email, section_staff.email}
    assert all(readonly_staff.email not in m.to for m in mail.outbox)  # 閲覧 cannot review


def test_subject_prefix_is_never_doubled(settings):
    settings.MAIL_SUBJECT_PREFIX = PREFIX
    assert subject_with_prefix("【電子契約ポータル】締結: R7-1") == PREFIX + "締結: R7-1"
    assert subject_with_prefix(PREFIX + "受理しました") == PREFIX + "受理しました"
    assert subject_with_prefix("受理しました") == PREFIX + "受理しました"
