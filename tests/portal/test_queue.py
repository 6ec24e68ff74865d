"""業務ホーム: the figures against a known data set, per scope, and a bounded number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.constants import Status as AppStatus
from applications.models import Application
from cases.models import Case
from contracts import services
from contracts.constants import RequestStatus, SignerRole, SignerState
from contracts.models import Signer, SigningRequest
from portal.queue import week_bounds, work_queue
from surety.models import SuretyCertificate
from tests.applications.helpers import filed
from tests.contracts.conftest import pdf_upload
from tests.factories import CaseFactory, CompanyFactory

NOW = timezone.make_aware(dt.datetime(2025, 12, 10, 10, 0))  # a Wednesday


def _accepted_econtract(case, staff):
    from applications import services as app_services
    from tests.factories import UserFactory

    user = UserFactory(company=case.awarded_company)
    app = filed(case, user)
    return app_services.application_accept(application=app, reviewer=staff)


def _paper_surety(case):
    from surety.services import surety_record_other

    surety_record_other(
        case=case,
        user=None,
        product="performance",
        form="paper",
        issuer_type="bank",
        issuer="足利銀行",
        guarantee_number=f"BANK-{case.pk}",
        received_on=dt.date(2025, 11, 1),
        amount=case.amount // 10,
    )


def _request(case, status, **fields):
    contract = services.contract_create(case=case, user=fields.pop("staff"))
    return SigningRequest.objects.create(contract=contract, status=status, **fields)


def activity(department, other_department, staff, *, ready=1, each=1):
    """Work in every box: ``each`` rows per box in 土木課 and one in 教育総務課."""
    for dept in (department, other_department):
        dept.signer_name, dept.signer_email = "足利市長 早川 尚秀", "shicho@city.example"
        dept.save()
    for dept, n in ((department, each), (other_department, 1)):
        for i in range(n):
            # 審査待ち, submitted i+1 days ago
            case = CaseFactory(department=dept)
            app = Application.objects.create(
                case=case,
                company=case.awarded_company,
                kind="schedule",
                status=AppStatus.SUBMITTED,
                receipt_number=f"20251201-{dept.pk:02d}{i:04d}",
                submitted_at=NOW - dt.timedelta(days=i + 1),
            )
            # 差戻し中 with a deadline
            Application.objects.create(
                case=case,
                company=case.awarded_company,
                kind="site_agent",
                status=AppStatus.RETURNED,
                return_deadline=dt.date(2025, 12, 15) + dt.timedelta(days=i),
                returned_at=NOW - dt.timedelta(days=1),
            )
            # 確認待ちの保証証書
            SuretyCertificate.objects.create(
                case=case,
                application=app,
                product="advance",
                form="electronic",
                guarantee_number=f"31072-{dept.pk}{i:04d}",
            )
            # 署名待ち: the contractor's turn, link expiring
            waiting = _request(
                case, RequestStatus.WAITING, staff=staff, sent_at=NOW - dt.timedelta(days=3)
            )
            Signer.objects.create(
                signing_request=waiting,
                order=1,
                role=SignerRole.CONTRACTOR,
                name="山田 太郎",
                email=f"yamada{i}@example.jp",
                state=SignerState.WAITING,
                link_expires_at=NOW + dt.timedelta(days=1),
            )
            # 送信・同期エラー
            _request(
                CaseFactory(department=dept),
                RequestStatus.FAILED,
                staff=staff,
                last_error_code="400",
                last_error_message="宛先のメールアドレスが不正です。",
                last_error_at=NOW - dt.timedelta(hours=2),
            )
            # 今週の締結 (and one of last week, which does not count)
            _request(
                CaseFactory(department=dept),
                RequestStatus.CONCLUDED,
                staff=staff,
                concluded_at=NOW - dt.timedelta(days=1),
            )
            _request(
                CaseFactory(department=dept),
                RequestStatus.CONCLUDED,
                staff=staff,
                concluded_at=NOW - dt.timedelta(days=9),
            )
    for dept, n in ((department, ready), (other_department, 1)):
        for _ in range(n):
            case = CaseFactory(department=dept)
            _accepted_econtract(case, staff)
            _paper_surety(case)
            contract = services.contract_create(case=case, user=staff)
            services.contract_add_file(contract=contract, user=staff, upload=pdf_upload())
        # Not ready: no PDF
        case = CaseFactory(department=dept)
        _accepted_econtract(case, staff)
        _paper_surety(case)
        services.contract_create(case=case, user=staff)


def figures(user):
    return {box.key: box.count for box in work_queue(user, now=NOW)}


def test_figures_per_scope(section_staff, department_staff, department, other_department):
    activity(department, other_department, section_staff, ready=2, each=2)
    everything = {
        "review": 3,
        "returned": 3,
        # 3 electronic notices + the 5 paper originals of the contract cases, not yet 確認済
        "sureties": 8,
        "rejected": 0,
        "ready": 3,
        "waiting": 3,
        "errors": 3,
        # concluded at CloudSign, no file stored (the activity stores none): 取得待ち
        "files": 6,
        "long_term": 0,
        "concluded": 3,
    }
    assert figures(section_staff) == everything
    assert figures(department_staff) == {
        "review": 2,
        "returned": 2,
        "sureties": 5,
        "rejected": 0,
        "ready": 2,
        "waiting": 2,
        "errors": 2,
        "files": 4,
        "long_term": 0,
        "concluded": 2,
    }


def test_oldest_first_with_age_deadline_and_turn(
    section_staff, department_staff, department, other_department
):
    activity(department, other_department, section_staff, ready=1, each=3)
    boxes = {box.key: box for box in work_queue(department_staff, now=NOW)}
    review = boxes["review"].items
    assert [i.note for i in review] == ["提出から3日", "提出から2日", "提出から1日"]
    returned = boxes["returned"].items
    assert returned[0].note == "再提出の期限 令和7年12月15日"
    waiting = boxes["waiting"].items[0]
    assert "山田 太郎 の確認待ち" in waiting.note and "URL有効期限 令和7年12月11日" in waiting.note
    assert waiting.warning  # expires within two days
    assert boxes["ready"].items[0].note == "送信できます"
    assert "宛先のメールアドレスが不正です" in boxes["errors"].items[0].note


def test_ready_agrees_with_the_gate(section_staff, department, other_department):
    from contracts.models import Contract
    from contracts.selectors import gate_problems, ready_to_send

    activity(department, other_department, section_staff, ready=2, each=1)
    ready = set(ready_to_send(Contract.objects.all()).values_list("pk", flat=True))
    by_gate = {c.pk for c in Contract.objects.all() if not gate_problems(c)}
    assert ready == by_gate and len(ready) == 3


def test_links_open_the_same_rows(client, section_staff, department, other_department):
    activity(department, other_department, section_staff, ready=1, each=1)
    client.force_login(section_staff)
    for box in work_queue(section_staff):
        if box.key == "concluded":
            continue  # the week of NOW is not this week
        page = client.get(box.url)
        assert page.status_code == 200, box.url
        assert page.context["cl"].result_count == box.count, box.key


def test_index_shows_the_queue(
    client, department_staff, section_staff, department, other_department
):
    activity(department, other_department, section_staff, ready=1, each=1)
    client.force_login(department_staff)
    page = client.get(reverse("admin:index"))
    html = page.content.decode()
    for title in (
        "審査待ちの申請",
        "差戻し中",
        "確認待ちの保証証書",
        "送信できる契約",
        "署名待ち",
        "送信・同期エラー",
        "今週の締結",
    ):
        assert title in html
    assert "業務ホーム" in html


def test_week_bounds():
    start, end = week_bounds(NOW)
    assert timezone.localtime(start).date() == dt.date(2025, 12, 8)
    assert end - start == dt.timedelta(days=7)


def _bulk(department, n):
    companies = CompanyFactory.create_batch(3)
    Case.objects.bulk_create(
        Case(
            number=f"R7-B-{i:05d}",
            title=f"市道{i}号線舗装補修工事",
            place="足利市本城地内",
            category="construction",
            department=department,
            procurement_method="general",
            awarded_company=companies[i % 3],
            amount=10_000_000 + i,
        )
        for i in range(n)
    )
    cases = list(Case.objects.filter(number__startswith="R7-B-"))
    Application.objects.bulk_create(
        Application(
            case=c,
            company_id=c.awarded_company_id,
            kind="schedule",
            status=AppStatus.SUBMITTED,
            receipt_number=f"B{c.pk:08d}",
            submitted_at=NOW - dt.timedelta(minutes=i),
        )
        for i, c in enumerate(cases)
    )


@pytest.mark.slow
def test_queries_do_not_grow_with_rows(
    department, other_department, section_staff, department_staff
):
    """The dashboard costs the same statements with 10 rows as with 10,000, for 契約管財課 (every
    課) and for a 課's own staff; the rows are built once for both."""
    activity(department, other_department, section_staff, ready=6, each=6)
    clients = {"section_staff": Client(), "department_staff": Client()}
    clients["section_staff"].force_login(section_staff)
    clients["department_staff"].force_login(department_staff)
    _bulk(department, 10)
    few = {}
    for name, client in clients.items():
        client.get(reverse("admin:index"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("admin:index")).status_code == 200
        few[name] = len(queries)
    _bulk_more = 10_000
    Application.objects.filter(receipt_number__startswith="B").delete()
    Case.objects.filter(number__startswith="R7-B-").delete()
    _bulk(department, _bulk_more)
    for name, client in clients.items():
        with CaptureQueriesContext(connection) as many:
            page = client.get(reverse("admin:index"))
        assert page.status_code == 200
        assert len(many) == few[name], (name, [q["sql"][:120] for q in many])
        counts = {box.key: box.count for box in page.context["queue"]}
        # 契約管財課 also sees the other 課's filing
        assert counts["review"] == _bulk_more + (7 if name == "section_staff" else 6), name


def _every_box(department, n: int, tag: str) -> None:
    """``n`` rows in every box (bulk_create): submitted and returned filings, received
    guarantees, waiting, failing and this week's concluded signing requests."""
    company = CompanyFactory()
    cases = Case.objects.bulk_create(
        Case(
            number=f"R7-{tag}-{i:05d}",
            title=f"市道{i}号線舗装補修工事",
            place="足利市本城地内",
            category="construction",
            department=department,
            procurement_method="general",
            awarded_company=company,
            amount=10_000_000 + i,
        )
        for i in range(n)
    )
    Application.objects.bulk_create(
        Application(
            case=c,
            company=company,
            kind=kind,
            status=status,
            receipt_number=f"{tag}{kind[:2]}{i:06d}",
            submitted_at=NOW - dt.timedelta(minutes=i),
            returned_at=NOW - dt.timedelta(minutes=i) if status == AppStatus.RETURNED else None,
            return_deadline=(
                NOW.date() + dt.timedelta(days=i % 5) if status == AppStatus.RETURNED else None
            ),
        )
        for i, c in enumerate(cases)
        for kind, status in (("schedule", AppStatus.SUBMITTED), ("site_agent", AppStatus.RETURNED))
    )
    SuretyCertificate.objects.bulk_create(
        SuretyCertificate(
            case=c, product="performance", form="paper", guarantee_number=f"{tag}-{i}"
        )
        for i, c in enumerate(cases)
    )
    from contracts.models import Contract

    contracts = Contract.objects.bulk_create(
        Contract(case=c, title=c.title, amount=c.amount, status="signing") for c in cases
    )
    start, _ = week_bounds(NOW)
    states = (
        {"status": RequestStatus.WAITING, "sent_at": NOW - dt.timedelta(days=2)},
        {"status": RequestStatus.FAILED, "last_error_at": NOW, "last_error_code": "500"},
        {"status": RequestStatus.CONCLUDED, "concluded_at": start + dt.timedelta(hours=1)},
    )
    requests_ = SigningRequest.objects.bulk_create(
        SigningRequest(contract=c, document_id=f"{tag}-{c.pk}", **states[i % 3])
        for i, c in enumerate(contracts)
    )
    Signer.objects.bulk_create(
        Signer(
            signing_request=r,
            order=1,
            role=SignerRole.CONTRACTOR,
            name="足利 太郎",
            email=f"s{r.pk}@example.jp",
            state=SignerState.WAITING,
        )
        for r in requests_
        if r.status == RequestStatus.WAITING
    )


@pytest.mark.parametrize("user_fixture", ["section_staff", "department_staff"])
def test_every_box_queries_do_not_grow_from_10_to_1000_rows(
    request, client, user_fixture, department, monkeypatch
):
    import portal.adminsite

    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    _every_box(department, 10, "F")
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("admin:index")).status_code == 200
    _every_box(department, 1_000, "M")
    built = []
    original = portal.adminsite.regroup_app_list
    monkeypatch.setattr(
        portal.adminsite, "regroup_app_list", lambda *a: built.append(1) or original(*a)
    )
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert built == [1]  # the app list is built once per request
    counts = {box.key: box.count for box in page.context["queue"]}
    assert counts["review"] == counts["returned"] == counts["sureties"] == 1_010
    assert counts["waiting"] == 334 + 4 and counts["errors"] == 333 + 3
    for box in page.context["queue"]:
        assert len(box.items) <= 5


QUEUE_INDEXES = {
    "application_open_idx",  # the two application counts
    "signingrequest_not_stored_idx",  # 取得待ち・取得不可: the oldest five
    "signeddoc_no_long_term_idx",  # 長期署名のない締結書類: count and oldest five
}


@pytest.mark.django_db
def test_the_boxes_scans_are_served_by_their_partial_indexes(section_staff):
    """On PostgreSQL, the queries work_queue really sends can be answered by the boxes' partial
    indexes (with sequential and bitmap scans off, as a large table would leave the planner)."""
    if connection.vendor != "postgresql":
        pytest.skip("partial indexes are judged on PostgreSQL (CI runs this)")
    with CaptureQueriesContext(connection) as queries:
        work_queue(section_staff, now=NOW)
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for query in queries.captured_queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    used = {name for name in QUEUE_INDEXES if any(name in plan for plan in plans)}
    assert used == QUEUE_INDEXES, "\n\n".join(plans)
