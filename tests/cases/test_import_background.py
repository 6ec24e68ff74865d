"""Large 案件 files go to a background job (a real Celery worker): the upload returns at once, the
page shows rows done / total (reloading itself, no script), survives a reload, and imports once
staff confirm. Refusals found by the job are shown in Japanese with nothing stored."""

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.urls import reverse

from ashikaga_portal.celery import app as celery_app
from cases import services
from cases.models import Case, CaseImport, CaseNextAction
from core.models import AuditEvent
from tests.factories import CaseFactory, CompanyFactory, StaffFactory
from tests.portal.test_admin_language import problems_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

HEADER = (
    "案件番号,件名,場所,区分,担当課,契約方法,開札日,落札者の業者番号,落札金額,工期,前払金,備考\n"
)
PROGRESS = re.compile(r'<span id="rows-done">(\d+) / (\d+) 行</span>')


def csv_of(count: int, *, department="土木課", first=0) -> bytes:
    lines = [HEADER]
    for n in range(first, first + count):
        lines.append(
            f"R8-BG-{n:05d},市道{n}号線舗装工事（その２）,足利市大前町地内,建設工事,{department},"
            f'一般競争入札,2026/4/{n % 28 + 1},A-1001,"{1_000_000 + n:,}",2026/5/1～2026/9/30,'
            "有,現場説明会あり\n"
        )
    return "".join(lines).encode()


def shown(html: str) -> str:
    """The page without the file's own name (the person's data, like a PDF's name)."""
    return html.replace("開札結果.csv", "開札結果")


def post_file(client, data: bytes, **extra):
    return client.post(
        reverse("admin:cases_case_import"),
        {"import_file": SimpleUploadedFile("開札結果.csv", data, "text/csv"), "format": "0"},
        **extra,
    )


@pytest.fixture
def staff(client, section_staff):
    CompanyFactory(vendor_number="A-1001")
    client.force_login(section_staff)
    return client


def wait_for(job: CaseImport, statuses, client, seen: list, timeout=300):
    """Poll the page as a browser on meta refresh would (a little more often: every 0.5 s, not
    2), noting each progress shown."""
    url = reverse("admin:cases_case_import_job", args=[job.pk])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            job.refresh_from_db(fields=["status"])  # (for the message below; not the file)
            response = client.get(url)
        except OperationalError:  # SQLite: the import's transaction holds the file for a moment
            response = None
        if response is None or response.status_code != 200:
            # SQLite only (one writer at a time): the page's session write waited past its
            # timeout while the import's transaction held the file. PostgreSQL has no such wait.
            assert connection.vendor == "sqlite", response
            time.sleep(0.5)
            continue
        html = response.content.decode()
        seen.extend((int(a), int(b)) for a, b in PROGRESS.findall(html))
        status = re.search(r'data-status="(\w+)"', html).group(1)
        if status in statuses:
            job.refresh_from_db()
            return html
        assert '<meta http-equiv="refresh" content="2">' in html
        time.sleep(0.5)
    raise AssertionError(f"job still {job.status}")


def test_ten_thousand_cases_import_in_the_background(staff, settings):
    data = csv_of(10_000)
    response = post_file(staff, data, REMOTE_ADDR="192.0.2.9")
    # The request only took the file: no worker has run yet, nothing is checked or stored.
    job = CaseImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:cases_case_import_job", args=[job.pk])
    assert (job.status, job.total_rows, job.rows_done) == ("checking", 10_000, 0)
    assert not Case.objects.exists()
    page = staff.get(response["Location"]).content.decode()
    assert "0 / 10000 行" in page and "確認中" in page

    seen: list[tuple[int, int]] = []
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        html = wait_for(job, {"checked", "refused"}, staff, seen)
        assert job.status == "checked", job.errors
        assert "10000件を新規登録、0件を更新" in html
        assert "次の列は取り込みません（無視します）: 備考" in html
        assert problems_of(shown(html)) == []
        assert not Case.objects.exists()  # checked, not yet imported
        # A reload shows the same state (it lives in the job, not in the browser).
        assert "10000件を新規登録" in staff.get(response["Location"]).content.decode()
        staff.post(response["Location"])
        html = wait_for(job, {"done", "failed"}, staff, seen)
    assert job.status == "done", job.errors
    assert "取り込みました（新規 10000件、更新 0件）" in html
    assert problems_of(shown(html)) == [] and problems_of(shown(page)) == []
    assert any(0 < done < total for done, total in seen), seen  # progress was shown
    assert Case.objects.count() == 10_000
    # Every imported case has its kept next action for the awarded company's home page.
    assert CaseNextAction.objects.filter(company__vendor_number="A-1001").count() == 10_000
    assert Case.objects.get(number="R8-BG-00042").title == "市道42号線舗装工事（その２）"
    event = AuditEvent.objects.get(action="case.imported")
    assert (event.ip_address, event.payload["created"]) == ("192.0.2.9", 10_000)
    job.refresh_from_db()
    assert job.text == ""  # the file is not kept once imported


def test_refusals_in_a_large_file_are_shown_and_nothing_stored(
    client, department_staff, other_department, other_company
):
    department_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_case", "change_case"])
    )
    CompanyFactory(vendor_number="A-1001")
    others = CaseFactory(
        number="R8-BG-00300", department=other_department, awarded_company=other_company
    )
    title = others.title
    client.force_login(department_staff)
    response = post_file(client, csv_of(600) + b"R8-BG-X,,,,,,,,,,\n")
    job = CaseImport.objects.get()
    assert job.status == "checking"
    other = StaffFactory(email="other@city.example", department=department_staff.department)
    client.force_login(other)
    assert client.get(response["Location"]).status_code in (403, 404)  # not someone else's job
    client.force_login(department_staff)
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        html = wait_for(job, {"checked", "refused"}, client, [])
    assert job.status == "refused"
    assert "何も登録していません" in html
    assert "案件番号「R8-BG-00300」は他の課の案件のため変更できません" in html
    assert "602行目" in html  # the short row, named by its line
    assert problems_of(shown(html)) == []
    assert not Case.objects.exclude(pk=others.pk).exists()
    others.refresh_from_db()
    assert (others.title, others.department_id) == (title, other_department.pk)
    assert not services.case_import_confirm(job=job, user=department_staff)  # cannot be forced
    client.post(response["Location"])  # nor through the page
    job.refresh_from_db()
    assert job.status == "refused" and not Case.objects.exclude(pk=others.pk).exists()
    # The import page leads back to the job.
    assert response["Location"] in client.get(reverse("admin:cases_case_import")).content.decode()
