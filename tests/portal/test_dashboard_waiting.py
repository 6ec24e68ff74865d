"""The dashboard's 「審査待ちの申請（最も古いもの）」: 「本日提出」 for a filing of today,
「N日前」 for an older one, in calendar days (as the 業務ホーム counts them)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from tests.applications.helpers import filed

LABEL = "審査待ちの申請（最も古いもの）"


def waiting_row(client) -> str:
    page = client.get(reverse("admin:contracts_contract_dashboard")).content.decode()
    row = next(line for line in page.splitlines() if LABEL in line)
    return row.split("</th>", 1)[1]


@pytest.mark.django_db
def test_the_oldest_waiting_filing_of_today_says_today(staff_client, case, contractor):
    noon = dt.datetime(2026, 12, 4, 12, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(noon, tick=False):
        filed(case, contractor)
        row = waiting_row(staff_client)
    assert "1件</a>（本日提出）" in row
    assert "0日前" not in row


@pytest.mark.django_db
def test_an_older_waiting_filing_says_how_many_days_ago(staff_client, case, contractor):
    noon = dt.datetime(2026, 12, 4, 12, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(noon, tick=False):  # 3 calendar days at any hour of the run
        filed(case, contractor)
        filed(case, contractor, "schedule", with_pdf="schedule")
        oldest = Application.objects.get(kind="econtract")
        Application.objects.filter(pk=oldest.pk).update(
            submitted_at=timezone.now() - dt.timedelta(days=3, hours=1)
        )
        row = waiting_row(staff_client)
    assert "2件</a>（3日前）" in row
    assert "本日" not in row


@pytest.mark.django_db
def test_nothing_waiting_says_neither(staff_client):
    row = waiting_row(staff_client)
    assert "0件</a></td>" in row


@pytest.mark.django_db
def test_days_are_calendar_days_as_on_the_desk(staff_client, case, contractor):
    """Filed yesterday at 23:30, looked at today at 00:30: 1日前 (the 業務ホーム says
    「提出から1日」), though not 24 hours have passed."""
    tz = timezone.get_current_timezone()
    with time_machine.travel(dt.datetime(2026, 12, 1, 23, 30, tzinfo=tz), tick=False):
        filed(case, contractor)
    with time_machine.travel(dt.datetime(2026, 12, 2, 0, 30, tzinfo=tz), tick=False):
        row = waiting_row(staff_client)
    assert "1件</a>（1日前）" in row
