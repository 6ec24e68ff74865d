"""中間前金払 as the law has it (issue 25 item 1): the 認定 flow — 工事履行報告書 and
中間前金払認定請求書 filed by the contractor, staff's 認定 / 不認定 with a reason (mail,
audit) — and
the 中間前払金 request refused until 認定 and without a 前払金. The rules at their boundaries."""

import datetime as dt

import pytest
from django.core import mail
from django.http import QueryDict

from applications import services
from applications.kinds import BY_CODE
from applications.kinds.rules import half_period_passed, midterm_certification_problems
from applications.models import Application, MidtermCertification
from core.models import AuditEvent
from tests.applications.helpers import VALID, filed
from tests.factories import CaseFactory

D = dt.date


# --- the pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "passed"),
    [
        (D(2025, 4, 1), False),  # day 1
        (D(2025, 5, 19), False),  # day 49 of 100
        (D(2025, 5, 20), True),  # day 50 of 100: half the 工期
        (D(2025, 7, 9), True),  # the last day
    ],
)
def test_half_of_the_period_counts_both_ends(on, passed):
    """施行規則附則第3条第1号 「工期の2分の1を経過」: 2025-04-01〜2025-07-09 is 100 days."""
    assert half_period_passed(D(2025, 4, 1), D(2025, 7, 9), on) is passed


def _problems(**changes):
    values = {
        "amount": 50_000_000,
        "period_start": D(2025, 4, 1),
        "period_end": D(2025, 7, 9),
        "on": D(2025, 5, 20),
        "min_amount": 1_300_000,
        "min_period_days": 0,
        "midterm_chosen": True,
        "advance_filed": True,
        "schedule_on_track": True,
        "cost_incurred": 25_000_000,
    }
    return midterm_certification_problems(**{**values, **changes})


def test_every_condition_met_no_problem():
    assert _problems() == []


def test_one_day_before_half_says_from_when():
    assert _problems(on=D(2025, 5, 19)) == [
        "工期の2分の1を経過していません（令和7年5月20日から請求できます）。"
    ]


def test_cost_incurred_at_least_half():
    """③ 既に行われた当該工事に係る作業に要する経費が請負代金額の2分の1以上."""
    assert _problems(cost_incurred=24_999_999) == [
        "既に行われた工事の価格（24,999,999円）が請負代金額の2分の1（25,000,000円）に"
        "達していません。"
    ]
    assert _problems(amount=50_000_001, cost_incurred=25_000_000) != []  # half is 25,000,000.5
    assert _problems(amount=50_000_001, cost_incurred=25_000_001) == []


def test_schedule_not_on_track():
    assert _problems(schedule_on_track=False) == [
        "工程表で工期の2分の1までに行うこととされている作業が終わっていません。"
    ]


def test_minimum_amount_and_period_of_the_city():
    """settings MIDTERM_MIN_AMOUNT / MIDTERM_MIN_PERIOD_DAYS (130万円, 500万円, 1,000万円, 100日
    are all in use)."""
    assert _problems(amount=1_299_999, cost_incurred=700_000) == [
        "請負金額が1,300,000円未満のため、中間前金払の対象ではありません。"
    ]
    assert _problems(amount=1_300_000, cost_incurred=650_000) == []
    assert _problems(min_period_days=101) == [
        "工期が101日未満のため、中間前金払の対象ではありません。"
    ]
    assert _problems(min_period_days=100) == []


def test_no_advance_and_no_choice():
    """「既にした前金払に追加して」 (施行令附則第7条); ④ chose 中間前金払."""
    problems = _problems(advance_filed=False, midterm_chosen=False)
    assert len(problems) == 2
    assert "先に前払金を請求してください" in problems[1]
    assert "中間前金払を選んでいないため" in problems[0]


# --- the flow ------------------------------------------------------------------------------

TODAY = dt.date.today()


@pytest.fixture
def works(db, company, department):
    """A 100-day 工事 whose 60th day is today."""
    start = TODAY - dt.timedelta(days=59)
    return CaseFactory(
        awarded_company=company,
        department=department,
        amount=50_000_000,
        period_start=start,
        period_end=start + dt.timedelta(days=99),
    )


def report(cost=25_000_000, on_track="yes"):
    return {
        "reported_on": TODAY.isoformat(),
        "planned_rate": "50",
        "actual_rate": "52",
        "cost_incurred": str(cost),
        "schedule_on_track": on_track,
        "remarks": "躯体工事完了、舗装工事に着手",
    }


CERTIFICATION = {"pledge": "on", "note": ""}


def advance(works, contractor):
    data = {**VALID["advance_payment"], "guarantee_until": works.period_end.isoformat()}
    return filed(works, contractor, "advance_payment", data=data)


def midterm_request(works, company, amount=10_000_000):
    q = QueryDict(mutable=True)
    data = {
        **VALID["advance_payment"],
        "payment_type": "midterm",
        "requested_amount": str(amount),
        "guarantee_amount": str(amount),
        "guarantee_until": works.period_end.isoformat(),
    }
    for key, value in data.items():
        q[key] = value
    return BY_CODE["advance_payment"].form(data=q, case=works, company=company)


def ready(works, contractor):
    """④ chose 中間前金払, the 前払金 filed, a 工事履行報告書 filed: a 認定請求書 may be filed."""
    filed(works, contractor, "midterm_choice")
    advance(works, contractor)
    filed(works, contractor, "work_report", data=report())
    return filed(works, contractor, "midterm_certification", data=CERTIFICATION)


def test_certification_request_refused_without_a_report(works, contractor):
    filed(works, contractor, "midterm_choice")
    advance(works, contractor)
    with pytest.raises(services.ApplicationError) as exc_info:
        filed(works, contractor, "midterm_certification", data=CERTIFICATION)
    errors = exc_info.value.errors["__all__"]
    assert errors == [
        "工事履行報告書が提出されていません。先に「工事履行報告書」を提出してください。"
    ]
    assert not Application.objects.filter(kind="midterm_certification").exclude(status="draft")


def test_certification_request_refused_without_an_advance(works, contractor):
    filed(works, contractor, "midterm_choice")
    filed(works, contractor, "work_report", data=report())
    with pytest.raises(services.ApplicationError) as exc_info:
        filed(works, contractor, "midterm_certification", data=CERTIFICATION)
    assert any("先に前払金を請求してください" in e for e in exc_info.value.errors["__all__"])


def test_certification_request_refused_when_the_report_shows_too_little(works, contractor):
    filed(works, contractor, "midterm_choice")
    advance(works, contractor)
    filed(works, contractor, "work_report", data=report(cost=24_999_999, on_track="no"))
    with pytest.raises(services.ApplicationError) as exc_info:
        filed(works, contractor, "midterm_certification", data=CERTIFICATION)
    errors = exc_info.value.errors["__all__"]
    assert len(errors) == 2
    assert "2分の1（25,000,000円）に達していません" in errors[1]


def test_work_report_date_in_the_period(works, contractor):
    bad = {**report(), "reported_on": (works.period_end + dt.timedelta(days=1)).isoformat()}
    with pytest.raises(services.ApplicationError) as exc_info:
        filed(works, contractor, "work_report", data=bad)
    assert "報告日は工期" in exc_info.value.errors["reported_on"][0]


def test_midterm_request_refused_until_certified(works, contractor, company, section_staff):
    filed(works, contractor, "midterm_choice")
    form = midterm_request(works, company)
    assert not form.is_valid()
    assert "先に前払金を請求してください" in form.errors["payment_type"][0]
    advance(works, contractor)  # 20,000,000円
    filed(works, contractor, "work_report", data=report())
    request = filed(works, contractor, "midterm_certification", data=CERTIFICATION)
    form = midterm_request(works, company)
    assert form.errors["payment_type"] == [
        "中間前金払の認定を受けていないため、中間前払金は請求できません。"
        "「工事履行報告書」と「中間前金払認定請求書」を提出し、市の認定を受けてください。"
    ]
    services.midterm_certify(application=request, reviewer=section_staff, certified=True)
    assert midterm_request(works, company).is_valid()
    assert not midterm_request(works, company, 10_010_000).is_valid()  # 2割 = 10,000,000円


def test_certify_accepts_records_audits_and_mails(
    works, contractor, section_staff, django_capture_on_commit_callbacks
):
    request = ready(works, contractor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.midterm_certify(
            application=request, reviewer=section_staff, certified=True
        )
    request.refresh_from_db()
    assert request.status == "accepted"
    assert decision.decision == MidtermCertification.Decision.CERTIFIED
    event = AuditEvent.objects.get(action="application.midterm_certified")
    assert event.target_id == str(request.pk) and event.actor == section_staff
    assert [m.to for m in mail.outbox] == [[contractor.email]]
    assert "中間前金払を認定しました" in mail.outbox[0].subject


def test_refusal_needs_a_reason_and_is_mailed(
    works, contractor, section_staff, company, django_capture_on_commit_callbacks
):
    request = ready(works, contractor)
    with pytest.raises(services.ApplicationError) as exc_info:
        services.midterm_certify(
            application=request, reviewer=section_staff, certified=False, reason="  "
        )
    assert exc_info.value.message == "不認定の理由を入力してください。"
    request.refresh_from_db()
    assert request.status == "submitted" and not MidtermCertification.objects.exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.midterm_certify(
            application=request,
            reviewer=section_staff,
            certified=False,
            reason="出来高の確認資料（写真）が不足しています。",
        )
    assert "不認定" in mail.outbox[0].subject
    assert "出来高の確認資料（写真）が不足しています。" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="application.midterm_refused").count() == 1
    assert not midterm_request(works, company).is_valid()  # still refused
    # a new 認定請求 after the 不認定 may be certified: the latest decision counts
    again = filed(works, contractor, "midterm_certification", data=CERTIFICATION)
    services.midterm_certify(application=again, reviewer=section_staff, certified=True)
    assert midterm_request(works, company).is_valid()


def test_certify_rechecks_the_conditions(works, contractor, section_staff, settings):
    request = ready(works, contractor)
    settings.MIDTERM_MIN_AMOUNT = 60_000_000  # the city raised its minimum meanwhile
    with pytest.raises(services.ApplicationError) as exc_info:
        services.midterm_certify(application=request, reviewer=section_staff, certified=True)
    assert "請負金額が60,000,000円未満" in exc_info.value.message
    request.refresh_from_db()
    assert request.status == "submitted" and not MidtermCertification.objects.exists()


def test_plain_accept_is_refused_for_a_certification_request(works, contractor, section_staff):
    request = ready(works, contractor)
    with pytest.raises(services.ApplicationError) as exc_info:
        services.application_accept(application=request, reviewer=section_staff)
    assert "「認定する」または「不認定とする」" in exc_info.value.message
    request.refresh_from_db()
    assert request.status == "submitted"


def test_only_a_certification_request_can_be_certified(works, contractor, section_staff):
    other = filed(works, contractor, "midterm_choice")
    with pytest.raises(services.ApplicationError) as exc_info:
        services.midterm_certify(application=other, reviewer=section_staff, certified=True)
    assert exc_info.value.message == "中間前金払認定請求書だけを認定できます。"
