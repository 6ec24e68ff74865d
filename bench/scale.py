"""Every page a contractor or a clerk uses, at ten years of data, on PostgreSQL.

    .venv/bin/python bench/scale.py [--repeat N] [--rounds R] [--wrk SECONDS] [--refill] [--only X]
    .venv/bin/python bench/scale.py --smoke      # tiny data set, a few seconds: does it all run?

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/h18_scale (created if missing). The
first run fills it with ``bulk_create`` (10,000 cases, 100,000 applications, 20,000 contracts with
their signing requests, signers and signed documents, 200,000 audit events, 2,000 companies;
about a minute) and reuses it afterwards (``--refill`` starts again). Migrations are applied
first, so a new index is measured on the same data.

For every page it prints the query count and the median server time, measured in process through
the Django test Client with DEBUG off (R rounds of N requests each, every page in every round,
``/robots.txt`` — the trivial view, through the whole middleware stack — in the same rounds),
with the medians of the process's CPU time and of the time spent in database calls: on a shared
machine the wall time also holds the wait for a CPU, which those two do not.
Then (unless ``--wrk 0``) it serves the same database with gunicorn (2 sync workers) and prints
the wrk throughput of the contractor home, the case page and the staff applications list as a
ratio to the trivial view.

Every figure is printed beside its target with the load average while it was measured, and the
script exits 1 if any page misses its target (run it by hand or on a quiet machine: it is not a
timed test in CI). ``--smoke`` fills a tiny data set into ``bench_scale_smoke`` and runs every step
once in seconds; it fails only on errors and on query-count targets, never on time.

Staff pages run as a superuser (the 契約管財課 view: every department) with the two-factor step
off (STAFF_REQUIRE_2FA=False); the contractor is the company with the most cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h18_scale"
SECRET = "bench-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
BIG_COMPANY_EVERY = 90  # every 90th case goes to the bench contractor: ~111 cases, ~222 contracts
N_CASES = 10_000
N_COMPANIES = 2_000
N_AUDIT = 200_000
STAFF_EMAIL = "bench-staff@city.ashikaga.example"
CONTRACTOR_EMAIL = "bench-user@ashikaga-big.example"

PLACES = (
    "足利 渡良瀬 両毛 織姫 樺崎 名草 毛野 梁田 御厨 三重 "
    "山前 葉鹿 小俣 北郷 富田 坂西 久野 矢場 助戸 借宿"
)
TRADES = "建設 工業 設計 土木 電気 設備 造園 舗道 測量 印刷 商事 サービス"
WORKS = [
    "市道{n}号線道路改良工事",
    "{p}小学校校舎改修工事",
    "{p}公民館空調設備更新工事",
    "{p}地区排水路整備工事",
    "{p}浄水場電気設備点検業務委託",
    "市営{p}住宅外壁改修工事",
    "{p}橋梁長寿命化修繕設計業務",
    "庁舎用コピー用紙購入（{n}）",
    "広報あしかが{n}月号印刷",
    "{p}公園遊具更新工事",
]
DEPARTMENTS = [
    ("keiyaku", "契約管財課"),
    ("doboku", "土木課"),
    ("kenchiku", "建築住宅課"),
    ("douro", "道路河川整備課"),
    ("gesui", "下水道課"),
    ("suido", "水道課"),
    ("kouen", "公園緑地課"),
    ("kyoiku", "教育総務課"),
    ("gakko", "学校管理課"),
    ("shogai", "生涯学習課"),
    ("kankyo", "環境政策課"),
    ("seiso", "清掃事業課"),
    ("shimin", "市民生活課"),
    ("fukushi", "社会福祉課"),
    ("kenko", "健康増進課"),
    ("kanko", "観光振興課"),
    ("nosei", "農政課"),
    ("shoko", "商工振興課"),
    ("joho", "情報政策課"),
    ("soumu", "総務課"),
]
AUDIT_ACTIONS = [
    "application.submitted",
    "application.accepted",
    "application.returned",
    "application.saved",
    "application.message",
    "contract.created",
    "contract.saved",
    "contract.sent",
    "signing_request.concluded",
    "signing_request.rejected",
    "signing_request.reminded",
    "signed_documents.stored",
    "surety.notice_registered",
    "surety.verified",
    "surety.key_revealed",
    "user.login",
    "user.login_failed",
    "invitation.issued",
    "file.downloaded",
    "integrity.checked",
]


# --- set-up --------------------------------------------------------------------------------


def configure(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "ashikaga_portal.settings",
            "DJANGO_ENV": "development",
            "DEBUG": "False",
            "SECRET_KEY": SECRET,
            "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW8=",  # bench only
            "FIELD_HASH_KEY": SECRET,
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "ESIGN_SANDBOX_ENABLED": "False",
            "STAFF_REQUIRE_2FA": "False",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-scale"))


def ensure_database(url: str, refill: bool) -> None:
    base, name = url.rsplit("/", 1)
    admin_url = base + "/postgres"
    if refill:
        subprocess.run(
            ["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            check=True,
        )
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], capture_output=True)


class historic_dates:
    """bulk_create keeps the dates we give (auto_now_add would stamp every row with now)."""

    def __enter__(self):
        from django.apps import apps

        self.fields = [
            f
            for model in apps.get_models()
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
        ]
        self.saved = [(f, f.auto_now_add, f.auto_now) for f in self.fields]
        for f in self.fields:
            f.auto_now_add = f.auto_now = False
        return self

    def __exit__(self, *exc):
        for f, add, now in self.saved:
            f.auto_now_add, f.auto_now = add, now


def fill() -> float:
    """The ten-year data set (seeded: the same rows every time). Returns seconds taken."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Company, Department, User
    from applications.kinds import KINDS
    from applications.models import Application
    from cases.models import Case
    from contracts.models import Contract, SignedDocument, Signer, SigningRequest
    from core.models import AuditEvent, StoredFile
    from surety.models import SuretyCertificate

    t0 = time.perf_counter()
    rng = random.Random(2025)
    tz = timezone.get_current_timezone()
    places, trades = PLACES.split(), TRADES.split()
    kinds = [k.code for k in KINDS]

    def at(day: dt.date, hour: int | None = None) -> dt.datetime:
        return dt.datetime.combine(
            day, dt.time(hour if hour is not None else rng.randrange(8, 19), rng.randrange(60))
        ).replace(tzinfo=tz)

    def rid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    with historic_dates(), transaction.atomic():
        departments = Department.objects.bulk_create(
            Department(
                code=code,
                name=name,
                is_contract_section=(code == "keiyaku"),
                signer_name="足利市長 早川 尚秀",
                signer_email=f"signer-{code}@city.ashikaga.example",
            )
            for code, name in DEPARTMENTS
        )
        now = timezone.now()
        companies = Company.objects.bulk_create(
            Company(
                name=f"{'株式会社 ' if i % 3 == 0 else ''}{places[i % 20]}{trades[i // 20 % 12]}"
                f"{i // 240 + 1}{'' if i % 3 == 0 else ' 株式会社'}",
                address=f"栃木県足利市{places[i % 20]}町{i % 50 + 1}番地",
                representative="代表取締役 足利 太郎",
                corporate_number=f"{7_000_000_000_000 + i}",
                vendor_number=f"A{i:05d}",
                created_at=now,
            )
            for i in range(N_COMPANIES)
        )
        staff = User(
            email=STAFF_EMAIL,
            name="ベンチ 職員",
            is_staff=True,
            is_superuser=True,
            department=departments[0],
        )
        staff.set_password("bench-pass-2025")
        contractor = User(email=CONTRACTOR_EMAIL, name="ベンチ 利用者", company=companies[0])
        contractor.set_password("bench-pass-2025")
        User.objects.bulk_create([staff, contractor])

        categories = (
            ["construction"] * 4
            + ["construction_service"] * 2
            + [
                "goods",
                "printing",
                "small_works",
                "service",
            ]
        )
        first_day = dt.date(2016, 4, 1)
        cases = []
        for i in range(N_CASES):
            opened = first_day + dt.timedelta(days=i * 3650 // N_CASES + rng.randrange(3))
            company = companies[0] if i % BIG_COMPANY_EVERY == 0 else rng.choice(companies[1:])
            place = rng.choice(places)
            cases.append(
                Case(
                    number=f"R{opened.year - 2018:02d}-{i:05d}"
                    if opened.year >= 2019
                    else f"H{opened.year - 1988}-{i:05d}",
                    title=rng.choice(WORKS).format(n=rng.randrange(1, 3000), p=place),
                    place=f"足利市{place}町地内",
                    category=rng.choice(categories),
                    department=rng.choice(departments[1:]),
                    procurement_method=rng.choice(["general", "designated", "negotiated"]),
                    opened_on=opened,
                    awarded_company=company,
                    amount=rng.randrange(1_000_000, 140_000_000, 1000),
                    period_start=opened + dt.timedelta(days=20),
                    period_end=opened + dt.timedelta(days=20 + rng.randrange(30, 400)),
                    advance_payment=rng.random() < 0.5,
                    created_at=at(opened),
                    updated_at=at(opened),
                )
            )
        cases = Case.objects.bulk_create(cases, batch_size=2000)

        # 100,000 applications: every kind once per case (the open-filing constraint holds).
        statuses = ["accepted"] * 70 + ["submitted"] * 8 + ["returned"] * 5
        statuses += ["draft"] * 10 + ["withdrawn"] * 7
        seq = 0
        batch = []
        for case in cases:
            for kind in kinds:
                status = rng.choice(statuses)
                created = at(case.opened_on + dt.timedelta(days=rng.randrange(1, 60)))
                submitted = None if status == "draft" else created + dt.timedelta(hours=2)
                receipt = None
                if submitted:
                    seq += 1
                    receipt = f"{timezone.localtime(submitted):%Y%m%d}-{seq:06d}"
                batch.append(
                    Application(
                        case=case,
                        company_id=case.awarded_company_id,
                        kind=kind,
                        status=status,
                        data={"note": "ベンチ"},
                        receipt_number=receipt,
                        revision=0 if status == "draft" else 1,
                        created_at=created,
                        updated_at=created,
                        submitted_at=submitted,
                        accepted_at=submitted + dt.timedelta(days=2)
                        if status == "accepted"
                        else None,
                    )
                )
            if len(batch) >= 10_000:
                Application.objects.bulk_create(batch)
                batch = []
        Application.objects.bulk_create(batch)

        # 20,000 contracts: an initial one per case and a second one (a 変更契約 half the time).
        contract_status = ["concluded"] * 88 + ["signing"] * 5 + ["rejected"] * 4
        contract_status += ["preparing"] * 3

        def contract(case, original=None) -> Contract:
            status = rng.choice(contract_status)
            amount = case.amount + (rng.randrange(-500, 2000) * 1000 if original else 0)
            created = at(case.opened_on + dt.timedelta(days=7 if original is None else 120))
            return Contract(
                case=case,
                kind="change" if original else "initial",
                original=original,
                title=case.title + ("（変更）" if original else ""),
                amount=max(amount, 1000),
                tax_amount=max(amount, 1000) // 11,
                contract_date=created.date() + dt.timedelta(days=5)
                if status == "concluded"
                else None,
                period_start=case.period_start,
                period_end=case.period_end,
                status=status,
                created_at=created,
                updated_at=created,
            )

        initial = Contract.objects.bulk_create([contract(c) for c in cases], batch_size=5000)
        second = []
        for first in initial:
            if rng.random() < 0.5:
                second.append(contract(first.case, first))
            else:
                second.append(contract(first.case))
        contracts = initial + Contract.objects.bulk_create(second, batch_size=5000)

        request_status = {
            "concluded": "concluded",
            "signing": "waiting",
            "rejected": "rejected",
        }
        requests_ = []
        for c in contracts:
            if c.status not in request_status:
                continue
            sent = c.created_at + dt.timedelta(days=3)
            done = sent + dt.timedelta(days=rng.randrange(1, 20), hours=rng.randrange(24))
            status = request_status[c.status]
            requests_.append(
                SigningRequest(
                    contract=c,
                    document_id=rid(),
                    status=status,
                    created_at=sent,
                    sent_at=sent,
                    concluded_at=done if status == "concluded" else None,
                    closed_at=done if status == "rejected" else None,
                    remote_status={"concluded": 2, "waiting": 1, "rejected": 3}[status],
                    remote_processed_at=done if status != "waiting" else sent,
                    last_synced_at=done if status != "waiting" else now,
                    stored_at=done if status == "concluded" else None,
                )
            )
        requests_ = SigningRequest.objects.bulk_create(requests_, batch_size=5000)
        signers, files, documents = [], [], []
        for r in requests_:
            for order, role in ((1, "contractor"), (2, "city")):
                state = {
                    "concluded": "agreed",
                    "waiting": "waiting" if order == 1 else "pending",
                    "rejected": "rejected" if order == 1 else "pending",
                }[r.status]
                signers.append(
                    Signer(
                        signing_request=r,
                        order=order,
                        role=role,
                        name="足利 太郎" if order == 1 else "足利市長 早川 尚秀",
                        email=f"signer{order}-{r.contract_id}@example.jp",
                        remote_id=rid(),
                        state=state,
                        agreed_at=r.concluded_at if state == "agreed" else None,
                        link_expires_at=r.sent_at + dt.timedelta(days=10),
                    )
                )
            if r.status == "concluded":
                for kind in ("signed", "certificate"):
                    file_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                    sha = f"{rng.getrandbits(256):064x}"
                    stored = StoredFile(
                        id=file_id,
                        kind=kind,
                        file=f"{kind}/{r.concluded_at:%Y/%m}/{file_id}.pdf",
                        original_name=f"{'契約書' if kind == 'signed' else '合意締結証明書'}"
                        f"_{r.contract_id}.pdf",
                        size=120_000,
                        sha256=sha,
                        page_count=4,
                        created_at=r.concluded_at,
                    )
                    files.append(stored)
                    documents.append(
                        SignedDocument(
                            signing_request=r,
                            kind=kind,
                            remote_file_id=rid(),
                            stored_file=stored,
                            sha256=sha,
                            size=120_000,
                            page_count=4,
                            signature_status="valid",
                            signer_subject="CN=CloudSign",
                            signed_at=r.concluded_at,
                            verified_at=r.concluded_at,
                            created_at=r.concluded_at,
                        )
                    )
        Signer.objects.bulk_create(signers, batch_size=5000)
        StoredFile.objects.bulk_create(files, batch_size=5000)
        SignedDocument.objects.bulk_create(documents, batch_size=5000)

        SuretyCertificate.objects.bulk_create(
            (
                SuretyCertificate(
                    case=c,
                    product=rng.choice(["performance", "advance"]),
                    form="electronic",
                    issuer="東日本建設業保証株式会社",
                    guarantee_number=f"{10000 + i % 90000:05d}-{rng.getrandbits(20):05X}",
                    auth_key=f"{rng.getrandbits(64):016X}",
                    status=rng.choice(["verified"] * 8 + ["received", "defective"]),
                    created_at=at(c.opened_on + dt.timedelta(days=10)),
                )
                for i, c in enumerate(cases)
                if c.category == "construction"
            ),
            batch_size=5000,
        )

        # 200,000 audit events, ten years of them in order.
        span = (now - at(first_day, 9)).total_seconds()
        start = at(first_day, 9)
        batch = []
        for i in range(N_AUDIT):
            c = contracts[rng.randrange(len(contracts))]
            action = rng.choice(AUDIT_ACTIONS)
            batch.append(
                AuditEvent(
                    created_at=start + dt.timedelta(seconds=span * i / N_AUDIT),
                    actor_label=rng.choice(
                        [STAFF_EMAIL, "doboku@city.ashikaga.example", "system", "user@example.jp"]
                    ),
                    action=action,
                    target_type="contracts.contract",
                    target_id=str(c.pk),
                    target_repr=f"{c.title}（契約 {c.pk}）",
                    ip_address="192.0.2.10",
                    payload={"n": i},
                )
            )
            if len(batch) >= 20_000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
    from portal import todo

    todo.refresh_all()  # the contractors' kept next actions, as the data migration does
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - t0


# --- pages -----------------------------------------------------------------------------------


def nth(queryset, n: int):
    """The n-th row, or the last one on a smaller data set (the smoke mode's)."""
    return queryset[min(n, queryset.count() - 1)]


def pages() -> list[tuple[str, str, str]]:
    """(group, label, url) for every page measured, with parameters taken from the data."""
    from django.db.models import Count

    from accounts.models import Company, Department, User
    from applications.models import Application
    from cases.models import Case
    from contracts.models import Contract, SignedDocument, SigningRequest
    from core.models import AuditEvent
    from surety.models import SuretyCertificate

    contractor = User.objects.get(email=CONTRACTOR_EMAIL)
    company = contractor.company
    case = (
        Case.objects.filter(awarded_company=company)
        .annotate(n=Count("applications"))
        .order_by("-n", "-opened_on")
        .first()
    )
    application = Application.objects.filter(case=case).order_by("status").first()
    contract = Contract.objects.filter(case__awarded_company=company, status="concluded").first()
    dept = Department.objects.get(code="doboku")
    other = nth(Company.objects.exclude(pk=company.pk).order_by("pk"), 500)
    receipt = nth(
        Application.objects.exclude(receipt_number=None).order_by("pk"), 54321
    ).receipt_number
    case_number = nth(Case.objects.order_by("pk"), 4321).number
    request_ = nth(SigningRequest.objects.order_by("pk"), 7777)
    document = nth(SignedDocument.objects.order_by("pk"), 9999)
    surety = nth(SuretyCertificate.objects.order_by("pk"), 1234)
    event = nth(AuditEvent.objects.order_by("pk"), 123_456)
    # ~1,000 rows for each CSV: the newest 1,000 of one department's filings / concluded contracts
    app_since = nth(
        Application.objects.filter(case__department=dept)
        .exclude(submitted_at=None)
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True),
        999,
    )
    contract_since = nth(
        Contract.objects.filter(status="concluded")
        .order_by("-contract_date")
        .values_list("contract_date", flat=True),
        999,
    )

    def q(path: str, **params) -> str:
        return f"{path}?{urlencode(params)}" if params else path

    apps_ = "/admin/applications/application/"
    cases_ = "/admin/cases/case/"
    contracts_ = "/admin/contracts/contract/"
    requests_ = "/admin/contracts/signingrequest/"
    docs_ = "/admin/contracts/signeddocument/"
    sureties_ = "/admin/surety/suretycertificate/"
    audit_ = "/admin/core/auditevent/"
    files_ = "/admin/core/storedfile/"
    companies_ = "/admin/accounts/company/"
    users_ = "/admin/accounts/user/"
    archive_ = "/admin/contracts/contract/archive/"
    dept_id = str(dept.pk)
    other_name = other.name.replace("株式会社", "").strip()
    rows = [
        ("contractor", "案件一覧（ホーム）", "/"),
        ("contractor", "案件ページ", f"/cases/{case.pk}/"),
        ("contractor", "申請", f"/applications/{application.pk}/"),
        ("contractor", "契約一覧", "/contracts/"),
        ("contractor", "契約", f"/contracts/{contract.pk}/"),
        ("contractor", "締結済み契約書", "/contracts/signed/"),
        (
            "contractor",
            "締結済み契約書 検索",
            q("/contracts/signed/", keyword="工事", date_from="2020-04-01"),
        ),
        ("staff", "管理トップ", "/admin/"),
        ("staff", "申請 一覧", apps_),
        ("staff", "申請 提出済", q(apps_, status__exact="submitted")),
        (
            "staff",
            "申請 様式+担当課",
            q(apps_, kind="econtract", case__department__id__exact=dept_id),
        ),
        (
            "staff",
            "申請 契約区分+提出日",
            q(apps_, case__category__exact="goods", submitted_at__gte="2025-01-01"),
        ),
        ("staff", "申請 検索 事業者名", q(apps_, q=other_name)),
        ("staff", "申請 検索 到達番号", q(apps_, q=receipt)),
        ("staff", "申請 検索 案件番号", q(apps_, q=case_number)),
        ("staff", "案件 一覧", cases_),
        (
            "staff",
            "案件 契約区分+担当課",
            q(cases_, category__exact="construction", department__id__exact=dept_id),
        ),
        ("staff", "案件 検索 件名", q(cases_, q="公民館")),
        ("staff", "案件 検索 案件番号", q(cases_, q=case_number)),
        ("staff", "契約 一覧", contracts_),
        (
            "staff",
            "契約 署名依頼中+担当課",
            q(contracts_, status__exact="signing", case__department__id__exact=dept_id),
        ),
        ("staff", "契約 検索 案件番号", q(contracts_, q=case_number)),
        ("staff", "契約 検索 事業者名", q(contracts_, q=other_name)),
        ("staff", "署名依頼 一覧", requests_),
        ("staff", "署名依頼 署名待ち", q(requests_, status__exact="waiting")),
        ("staff", "署名依頼 検索 書類ID", q(requests_, q=request_.document_id)),
        ("staff", "署名依頼 検索 案件番号", q(requests_, q=case_number)),
        ("staff", "締結書類 一覧", docs_),
        ("staff", "締結書類 検索 SHA-256", q(docs_, q=document.sha256)),
        ("staff", "保証証書 一覧", sureties_),
        ("staff", "保証証書 受付", q(sureties_, status__exact="received")),
        ("staff", "保証証書 検索 保証契約番号", q(sureties_, q=surety.guarantee_number)),
        ("staff", "監査記録 一覧", audit_),
        ("staff", "監査記録 種別", q(audit_, action_group="contract")),
        ("staff", "監査記録 検索 対象", q(audit_, q=event.target_repr.split("（")[0])),
        ("staff", "監査記録 検索 対象ID", q(audit_, q=event.target_id)),
        ("staff", "保存ファイル 一覧", files_),
        ("staff", "保存ファイル 検索 SHA-256", q(files_, q=document.sha256)),
        ("staff", "事業者 一覧", companies_),
        ("staff", "事業者 検索", q(companies_, q=other.vendor_number)),
        ("staff", "利用者 一覧", users_),
        ("staff", "ダッシュボード", "/admin/contracts/contract/dashboard/"),
        (
            "staff",
            "ダッシュボード 担当課",
            q("/admin/contracts/contract/dashboard/", department=dept_id),
        ),
        ("staff", "アーカイブ 既定", archive_),
        (
            "staff",
            "アーカイブ 契約日3年+金額+取引先",
            q(
                archive_,
                date_from="2022-04-01",
                date_to="2025-03-31",
                amount_min=10_000_000,
                amount_max=100_000_000,
                counterparty=other.vendor_number,
                status="concluded",
            ),
        ),
        (
            "staff",
            "アーカイブ 契約日1年+担当課",
            q(
                archive_,
                date_from="2023-04-01",
                date_to="2024-03-31",
                department=dept_id,
                status="concluded",
            ),
        ),
        (
            "staff",
            "アーカイブ 法人番号",
            q(archive_, counterparty=other.corporate_number, status=""),
        ),
        (
            "staff",
            "アーカイブ 名称+区分+5年",
            q(
                archive_,
                counterparty=other_name,
                category="construction",
                date_from="2020-04-01",
                date_to="2025-03-31",
                status="concluded",
            ),
        ),
        (
            "staff",
            "アーカイブ 税抜金額+変更+半年",
            q(
                archive_,
                amount_min=50_000_000,
                amount_max=100_000_000,
                amount_basis="excl",
                kind="change",
                date_from="2025-01-01",
                date_to="2025-06-30",
                status="concluded",
            ),
        ),
        (
            "csv",
            "申請 CSV",
            q(
                apps_ + "export/",
                case__department__id__exact=dept_id,
                submitted_at__gte=app_since.isoformat(),
            ),
        ),
        (
            "csv",
            "アーカイブ CSV",
            q(archive_ + "export/", date_from=contract_since.isoformat(), status="concluded"),
        ),
        ("csv", "アーカイブ CSV 全件", q(archive_ + "export/", status="concluded")),
    ]
    return rows


def fetch(client, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def measure(
    rows: list[tuple[str, str, str]], clients: dict, repeat: int, rounds: int
) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    trivial = ("trivial", "/robots.txt（比較用）", "/robots.txt")
    rows = [trivial, *rows]
    results = {}
    for group, label, url in rows:
        client = clients[group]
        fetch(client, url)  # warm
        with CaptureQueriesContext(connection) as ctx:
            response, body = fetch(client, url)
        if response.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {response.status_code}")
        lines = body.count(b"\n") - 1 if group == "csv" else None
        results[url] = {
            "group": group,
            "label": label,
            "url": url,
            "queries": len(ctx.captured_queries),
            "bytes": len(body),
            "rows": lines,
            "times": [],
            "cpu": [],
            "db": [],
            "load": [],
        }
    db = DatabaseTime()
    for _ in range(rounds):
        for group, _label, url in rows:
            client = clients[group]
            for _ in range(repeat):
                db.total = 0.0
                with connection.execute_wrapper(db):
                    c0, t0 = time.process_time(), time.perf_counter()
                    fetch(client, url)
                    t1, c1 = time.perf_counter(), time.process_time()
                results[url]["times"].append((t1 - t0) * 1000)
                results[url]["cpu"].append((c1 - c0) * 1000)
                results[url]["db"].append(db.total * 1000)
                results[url]["load"].append(os.getloadavg()[0])
    for r in results.values():
        r["median"] = statistics.median(r["times"])
        r["median_cpu"] = statistics.median(r["cpu"])
        r["median_db"] = statistics.median(r["db"])
        r["load"] = statistics.median(r["load"])
    return list(results.values())


class DatabaseTime:
    """Time spent waiting on the database (execute), summed over a request."""

    def __init__(self) -> None:
        self.total = 0.0

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.total += time.perf_counter() - t0


# Server time targets (ms, median, in process), per group; 業務ホーム has its own.
TARGETS = {"contractor": 30, "staff": 100, "csv": 300}
PAGE_TARGETS = {"管理トップ": 50}
# Throughput under gunicorn as a ratio to the trivial view.
RATIO_TARGETS = {"contractor home": 0.3, "case page": 0.3, "admin applications list": 0.1}
# The contractor's ZIP: the worker's memory may grow by less than this while streaming it.
ZIP_MEMORY_TARGET_MB = 50


def target_of(r: dict) -> float | None:
    return PAGE_TARGETS.get(r["label"], TARGETS.get(r["group"]))


def report(results: list[dict]) -> list[str]:
    """The table, every figure beside its target; returns the misses."""
    print()
    print("| 画面 | queries | median ms | target | CPU ms | DB ms | load | size |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    misses = []
    for r in results:
        target = target_of(r)
        missed = target is not None and r["median"] > target
        if missed:
            misses.append(f"{r['label']}: {r['median']:.1f} ms > {target} ms")
        size = f"{r['rows']:,} rows" if r["rows"] is not None else f"{r['bytes'] // 1024} KB"
        print(
            f"| {r['group']}: {r['label']} | {r['queries']} | {r['median']:.1f}"
            f"{' **✗**' if missed else ''} | {'≤ ' + str(target) if target else ''} | "
            f"{r['median_cpu']:.1f} | {r['median_db']:.1f} | {r['load']:.1f} | {size} |"
        )
    # The CSV of every concluded contract reads the same queries as the one of ~1,000 rows.
    csv_counts = {r["label"]: r for r in results if r["group"] == "csv"}
    part, whole = csv_counts.get("アーカイブ CSV"), csv_counts.get("アーカイブ CSV 全件")
    if part and whole:
        same = part["queries"] == whole["queries"]
        print(
            f"\nアーカイブ CSV queries: {part['rows']:,} rows {part['queries']}, "
            f"{whole['rows']:,} rows {whole['queries']} (target: equal) {'✓' if same else '✗'}"
        )
        if not same:
            misses.append(f"CSV queries grow: {part['queries']} → {whole['queries']} (query)")
    print(f"\n{len(results) - 1} pages measured; {len(misses)} over target.")
    return misses


# --- the contractor's ZIP ------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def zip_memory(client, contractor, count: int, size_mb: int) -> list[str]:
    """The worker's memory while streaming the ZIP of ``count`` contracts whose signed PDF and
    certificate are each ``size_mb`` MB (the stored files pointed at one file of that size, in a
    transaction rolled back afterwards)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction

    from contracts.models import Contract, SignedDocument
    from core.models import StoredFile

    name = f"bench/zip-{size_mb}mb.pdf"
    if not default_storage.exists(name):
        block = os.urandom(1 << 20)
        default_storage.save(name, ContentFile(b"%PDF-1.7\n" + block * size_mb))
    chosen = list(
        Contract.objects.filter(case__awarded_company=contractor.company, status="concluded")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    misses = []
    with transaction.atomic():
        documents = SignedDocument.objects.filter(signing_request__contract__in=chosen)
        StoredFile.objects.filter(pk__in=documents.values("stored_file")).update(
            file=name, size=default_storage.size(name)
        )
        before = peak = _rss_mb()
        t0 = time.perf_counter()
        response = client.post("/contracts/signed/", {"contract": chosen})
        assert response.status_code == 200 and response.streaming, response.status_code
        sent = 0
        for chunk in response.streaming_content:
            sent += len(chunk)
            peak = max(peak, _rss_mb())
        seconds = time.perf_counter() - t0
        transaction.set_rollback(True)
    grew = peak - before
    missed = grew >= ZIP_MEMORY_TARGET_MB
    print(
        f"\nZIP of {len(chosen)} contracts × 2 files × {size_mb} MB: {sent / (1 << 20):,.0f} MB "
        f"streamed in {seconds:.1f} s; the process grew by {grew:.1f} MB "
        f"(target < {ZIP_MEMORY_TARGET_MB} MB){' **✗**' if missed else ' ✓'}; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if missed:
        misses.append(f"ZIP memory +{grew:.0f} MB")
    return misses


# --- throughput ------------------------------------------------------------------------------


def throughput(clients: dict, urls: dict[str, str], seconds: int) -> list[str]:
    from bench._server import free_port
    from bench.load import wrk

    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk): throughput skipped")
        return []
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ashikaga_portal.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    import requests

    try:
        for _ in range(150):
            try:
                requests.get(base + "/robots.txt", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.2)
        results, loads, trivials = {}, {}, {}
        for label, (group, url) in urls.items():
            cookie = f"sessionid={clients[group].cookies['sessionid'].value}"
            check = requests.get(
                base + url, headers={"Cookie": cookie}, allow_redirects=False, timeout=30
            )
            if check.status_code != 200:
                raise SystemExit(f"wrk target {url} answered {check.status_code}")
            # the trivial view right before each page: a busy machine shifts both alike
            trivials[label] = wrk(base + "/robots.txt", seconds, None)
            results[label] = wrk(base + url, seconds, cookie)
            loads[label] = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=20)
    trivial = (
        statistics.median(t[0] for t in trivials.values()),
        statistics.median(t[1] for t in trivials.values()),
    )
    loads["trivial"] = statistics.median(loads.values())
    print(f"\ngunicorn 2 sync workers, wrk -t2 -c16 -d{seconds}s, loopback, same database")
    print("(ratio: to the trivial view measured right before the page)")
    print("| page | req/s | p95 ms | ratio to trivial | target | load |")
    print("|---|---:|---:|---:|---:|---:|")
    load = loads.pop("trivial")
    print(f"| /robots.txt (trivial) | {trivial[0]:.0f} | {trivial[1]:.1f} | 1 | | {load:.1f} |")
    misses = []
    for label, (rps, p95) in results.items():
        ratio, target = rps / trivials[label][0], RATIO_TARGETS.get(label)
        missed = target is not None and ratio < target
        if missed:
            misses.append(f"throughput {label}: {ratio:.3f} < {target}")
        print(
            f"| {label} | {rps:.1f} | {p95:.1f} | {ratio:.3f}{' **✗**' if missed else ''} | "
            f"{'≥ ' + str(target) if target else ''} | {loads[label]:.1f} |"
        )
    return misses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--wrk", type=int, default=10, help="seconds per wrk run (0: skip)")
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--only", default="", help="measure only pages whose label has this")
    parser.add_argument("--zip", type=int, default=200, help="contracts in the ZIP (0: skip)")
    parser.add_argument("--zip-mb", type=int, default=5, help="MB per file in the ZIP")
    parser.add_argument(
        "--smoke", action="store_true", help="seconds, tiny data (CI): every page still opens"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if args.smoke:
        global N_CASES, N_COMPANIES, N_AUDIT, BIG_COMPANY_EVERY
        N_CASES, N_COMPANIES, N_AUDIT, BIG_COMPANY_EVERY = 120, 20, 500, 10
        url = url.rsplit("/", 1)[0] + "/bench_scale_smoke"
        args.repeat, args.rounds, args.wrk, args.refill = 1, 1, 0, True
        args.zip, args.zip_mb = 5, 1
    if not url.startswith("postgres"):
        sys.exit("this bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(url, args.refill)
    configure(url)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # static files: not measured
    warnings.filterwarnings("ignore", message=".*received a naive datetime")  # ?…__gte=YYYY-MM-DD
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from cases.models import Case
    from contracts.models import Contract

    assert not settings.DEBUG
    call_command("migrate", verbosity=0)
    if not Case.objects.exists():
        print(f"filling the ten-year data set into {connection.settings_dict['NAME']} …")
        print(f"filled in {fill():.0f} s (bulk_create)")
    counts = {
        model._meta.verbose_name: model.objects.count()
        for model in django.apps.apps.get_models()
        if model._meta.label
        in {
            "cases.Case",
            "applications.Application",
            "contracts.Contract",
            "contracts.SigningRequest",
            "contracts.SignedDocument",
            "core.AuditEvent",
            "accounts.Company",
            "surety.SuretyCertificate",
        }
    }
    print(
        f"PostgreSQL {connection.pg_version}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    contractor = User.objects.get(email=CONTRACTOR_EMAIL)
    staff = User.objects.get(email=STAFF_EMAIL)
    clients = {"trivial": Client(), "contractor": Client(), "staff": Client(), "csv": Client()}
    backend = "accounts.backends.PortalModelBackend"
    clients["contractor"].force_login(contractor, backend=backend)
    clients["staff"].force_login(staff, backend=backend)
    clients["csv"].force_login(staff, backend=backend)
    company = contractor.company
    n_contracts = Contract.objects.filter(case__awarded_company=company).count()
    print(
        f"contractor {company.name}: "
        f"{Case.objects.filter(awarded_company=company).count()} cases, "
        f"{company.applications.count()} applications, {n_contracts} contracts"
    )
    rows = [r for r in pages() if args.only in r[1]]
    load = os.getloadavg()[0]
    misses = []
    if args.zip:
        # first: the process has not grown on the pages yet
        misses += zip_memory(clients["contractor"], contractor, args.zip, args.zip_mb)
    results = measure(rows, clients, args.repeat, args.rounds)
    print(f"\nin process (Django test Client, DEBUG off), median of {args.rounds}×{args.repeat}")
    after = os.getloadavg()[0]
    print(f"load average (1 min): {load:.1f} before, {after:.1f} after; {os.cpu_count()} CPUs")
    misses += report(results)
    if args.wrk:
        by_label = {r[1]: r for r in pages()}
        misses += throughput(
            clients,
            {
                "contractor home": ("contractor", "/"),
                "case page": ("contractor", by_label["案件ページ"][2]),
                "admin applications list": ("staff", "/admin/applications/application/"),
            },
            args.wrk,
        )
    if args.smoke:  # time means nothing on a tiny data set: only query-count targets count
        misses = [m for m in misses if "(query)" in m]
    if misses:
        print("\nMISSED: " + "; ".join(misses))
        sys.exit(1)
    print("\nevery target met")


if __name__ == "__main__":
    main()
