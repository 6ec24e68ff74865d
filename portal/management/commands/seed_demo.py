"""Demo data for `make run`. Idempotent: running it again changes nothing and adds nothing."""

from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Company, Department, User
from accounts.roles import CONTRACT_SECTION, DEPARTMENT, READ_ONLY
from cases.constants import Category, ProcurementMethod
from cases.models import Case

DEMO_PASSWORD = "demo-pass-2025"


def refuse_in_production() -> None:
    """The demo users have a published password and a 2FA secret derived from their address:
    never in production (``check --deploy`` also errors if they exist there: portal.checks)."""
    if getattr(settings, "DJANGO_ENV", "development") == "production":
        raise CommandError(
            "本番環境（DJANGO_ENV=production）ではデモデータを登録できません。"
            "デモ用の利用者は公開されたパスワードを持つためです。"
        )


DEPARTMENTS = [
    # code, name, is_contract_section, signer name, signer e-mail
    ("keiyaku", "契約管財課", True, "足利市長 早川 尚秀", "keiyaku-signer@city.ashikaga.example"),
    ("doboku", "土木課", False, "足利市長 早川 尚秀", "doboku-signer@city.ashikaga.example"),
    ("kenchiku", "建築住宅課", False, "", ""),
    ("kyoiku", "教育総務課", False, "", ""),
]
COMPANIES = [
    {
        "vendor_number": "A-1001",
        "name": "足利テスト建設 株式会社",
        "address": "栃木県足利市本城3丁目2145番地",
        "representative": "山田 太郎",
        "corporate_number": "5835678256246",
        "phone": "0284-20-0001",
    },
    {
        "vendor_number": "B-2002",
        "name": "渡良瀬設計事務所 株式会社",
        "address": "栃木県足利市通2丁目12番地",
        "representative": "鈴木 花子",
        "corporate_number": "",
        "phone": "0284-20-0002",
    },
]
STAFF = [
    # email, name, department code, group, is_superuser
    ("keiyaku@city.ashikaga.example", "契約 一郎", "keiyaku", CONTRACT_SECTION, True),
    ("doboku@city.ashikaga.example", "土木 二郎", "doboku", DEPARTMENT, False),
    ("etsuran@city.ashikaga.example", "閲覧 三子", "keiyaku", READ_ONLY, False),
]
CONTRACTORS = [
    ("user@ashikaga-test.example", "山田 太郎", "A-1001"),
    ("user@watarase-sekkei.example", "鈴木 花子", "B-2002"),
]
CASES = [
    {
        "number": "R7-KE-0001",
        "title": "市道1234号線道路改良工事",
        "place": "足利市本城3丁目地内",
        "category": Category.CONSTRUCTION,
        "department": "doboku",
        "procurement_method": ProcurementMethod.GENERAL,
        "opened_on": date(2025, 10, 20),
        "company": "A-1001",
        "amount": 50_000_000,
        "period_start": date(2025, 11, 10),
        "period_end": date(2026, 3, 19),
        "advance_payment": True,
    },
    {
        "number": "R7-KE-0002",
        "title": "足利市立第一小学校体育館屋根改修工事",
        "place": "足利市通7丁目地内",
        "category": Category.CONSTRUCTION,
        "department": "keiyaku",
        "procurement_method": ProcurementMethod.DESIGNATED,
        "opened_on": date(2025, 11, 4),
        "company": "A-1001",
        "amount": 18_700_000,
        "period_start": date(2025, 12, 1),
        "period_end": date(2026, 3, 13),
        "advance_payment": True,
    },
    {
        "number": "R7-GY-0003",
        "title": "渡良瀬橋長寿命化修繕設計業務委託",
        "place": "足利市通2丁目地内",
        "category": Category.CONSTRUCTION_SERVICE,
        "department": "doboku",
        "procurement_method": ProcurementMethod.GENERAL,
        "opened_on": date(2025, 10, 28),
        "company": "B-2002",
        "amount": 9_900_000,
        "period_start": date(2025, 11, 17),
        "period_end": date(2026, 3, 25),
        "advance_payment": True,
    },
    {
        "number": "R7-BP-0004",
        "title": "庁舎用事務机ほか物品購入",
        "place": "足利市役所本庁舎",
        "category": Category.GOODS,
        "department": "keiyaku",
        "procurement_method": ProcurementMethod.NEGOTIATED,
        "opened_on": date(2025, 11, 12),
        "company": "A-1001",
        "amount": 1_320_000,
        "period_start": date(2025, 12, 1),
        "period_end": date(2026, 1, 30),
        "advance_payment": False,
    },
    {
        "number": "R7-IT-0005",
        "title": "足利市公共施設点検業務委託",
        "place": "足利市内一円",
        "category": Category.SERVICE,
        "department": "kyoiku",
        "procurement_method": ProcurementMethod.DESIGNATED,
        "opened_on": date(2025, 11, 14),
        "company": "B-2002",
        "amount": 3_080_000,
        "period_start": date(2025, 12, 1),
        "period_end": date(2026, 3, 31),
        "advance_payment": False,
    },
]


def _demo_pdf(title: str) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("HeiseiKakuGo-W5", 16)
    c.drawString(72, 760, title)
    c.showPage()
    c.save()
    return buf.getvalue()


class Command(BaseCommand):
    help = "デモデータ（担当課・職員・事業者・案件）を登録します。何度実行しても同じ結果です。"

    _demo_hash: str | None = None

    def handle(self, *args, **options):
        refuse_in_production()
        self._seed()

    @transaction.atomic
    def _seed(self) -> None:
        departments = {}
        for code, name, section, signer, signer_email in DEPARTMENTS:
            departments[code], _ = Department.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "is_contract_section": section,
                    "signer_name": signer,
                    "signer_email": signer_email,
                },
            )
        companies = {}
        for data in COMPANIES:
            data = dict(data)
            vendor_number = data.pop("vendor_number")
            companies[vendor_number], _ = Company.objects.update_or_create(
                vendor_number=vendor_number, defaults=data
            )
        logins = []
        for email, name, dept, group, superuser in STAFF:
            user = self._user(
                email,
                name=name,
                department=departments[dept],
                is_staff=True,
                is_superuser=superuser,
            )
            user.groups.set([Group.objects.get(name=group)])
            logins.append((f"職員（{group}）", email))
        for email, name, vendor in CONTRACTORS:
            self._user(email, name=name, company=companies[vendor])
            logins.append((f"事業者（{companies[vendor].name}）", email))
        for data in CASES:
            data = dict(data)
            data["department"] = departments[data["department"]]
            data["awarded_company"] = companies[data.pop("company")]
            Case.objects.update_or_create(number=data.pop("number"), defaults=data)

        self._applications(companies)
        self._sureties()
        self._contract()

        self._otp_devices()

        self.stdout.write("デモデータを登録しました。ログイン（パスワードはすべて同じ）:")
        for label, email in logins:
            self.stdout.write(f"  {label:<28} {email}")
        self.stdout.write(f"  パスワード: {DEMO_PASSWORD}")
        self.stdout.write(
            "  職員は2段階認証が必要です。確認コード: "
            ".venv/bin/python manage.py demo_otp <メールアドレス>"
        )

    def _applications(self, companies) -> None:
        """Filed applications in every status (only once: skipped when the case has some)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from applications import services
        from applications.models import Application

        staff = User.objects.get(email=STAFF[0][0])
        a_user = User.objects.get(email=CONTRACTORS[0][0])
        b_user = User.objects.get(email=CONTRACTORS[1][0])
        build = Case.objects.get(number="R7-KE-0001")
        service = Case.objects.get(number="R7-GY-0003")
        if Application.objects.filter(case__in=[build, service]).exists():
            return

        def econtract(case, user, signer, email):
            return {
                "applied_on": "2025-11-04",
                "address": user.company.address,
                "company_name": user.company.name,
                "representative": user.company.representative,
                "case_title": case.title,
                "case_place": case.place,
                "signer_name": signer,
                "signer_email": email,
                "staff1_name": "佐藤 一郎",
                "staff1_email": f"sato@{email.split('@')[1]}",
            }

        def create(case, user, kind, data):
            return services.application_create(
                case=case, company=user.company, kind=kind, user=user, data=data
            )

        def submit(application, user):
            return services.application_submit(application=application, user=user)

        accepted = submit(
            create(
                build,
                a_user,
                "econtract",
                econtract(build, a_user, "山田 太郎", "user@ashikaga-test.example"),
            ),
            a_user,
        )
        services.application_accept(application=accepted, reviewer=staff)
        submit(
            create(
                build,
                a_user,
                "site_agent",
                {
                    "agent_name": "田中 四郎",
                    "agent_kana": "たなか しろう",
                    "agent_authority": "契約書に定める権限（請負代金額の変更、契約の解除等を除く）",
                    "agent_objection": "書面により受注者に申し出る",
                    "engineer_role": "chief",
                    "engineer_name": "田中 四郎",
                    "engineer_kana": "たなか しろう",
                    "engineer_qualification": "1級土木施工管理技士",
                    "engineer_license": "第12345号",
                    "full_time": "full",
                    "start_on": "2025-11-10",
                },
            ),
            a_user,
        )
        schedule = create(build, a_user, "schedule", {"note": "実施工程表（第1版）"})
        services.attachment_add(
            application=schedule,
            user=a_user,
            upload=SimpleUploadedFile(
                "工程表.pdf", _demo_pdf("工程表（第1版）"), "application/pdf"
            ),
            purpose="schedule",
        )
        services.application_return(
            application=submit(schedule, a_user),
            reviewer=staff,
            reason="舗装工の工程が工期末を超えています。修正のうえ再提出してください。",
        )
        create(
            build,
            a_user,
            "advance_payment",
            {"requested_amount": "20000000", "guarantor": "東日本建設業保証株式会社"},
        )
        services.application_withdraw(
            application=submit(
                create(build, a_user, "midterm_choice", {"choice": "midterm", "pledge": True}),
                a_user,
            ),
            user=a_user,
        )
        submit(
            create(
                service,
                b_user,
                "econtract",
                econtract(service, b_user, "鈴木 花子", "user@watarase-sekkei.example"),
            ),
            b_user,
        )

    def _sureties(self) -> None:
        """R7-KE-0001: 契約保証 filed electronically and verified; 前払金保証 filed, to verify."""
        from datetime import date
        from pathlib import Path

        from django.core.files.uploadedfile import SimpleUploadedFile

        from applications import services
        from surety import services as surety_services
        from surety.models import SuretyCertificate

        case = Case.objects.get(number="R7-KE-0001")
        if SuretyCertificate.objects.filter(case=case).exists():
            return
        user = User.objects.get(email=CONTRACTORS[0][0])
        staff = User.objects.get(email=STAFF[0][0])
        demo = Path(__file__).resolve().parents[2] / "demo"
        filed = []
        for name in ("surety-notice-performance.pdf", "surety-notice-advance.pdf"):
            application = services.application_create(
                case=case, company=user.company, kind="surety_notice", user=user, data={}
            )
            services.attachment_add(
                application=application,
                user=user,
                upload=SimpleUploadedFile(name, (demo / name).read_bytes(), "application/pdf"),
                purpose="surety_notice",
            )
            application.refresh_from_db()
            filed.append(services.application_submit(application=application, user=user))
            if name.startswith("surety-notice-performance"):
                # one surety_notice filing is open at a time: accept it before the next
                services.application_accept(application=filed[-1], reviewer=staff)
        performance = SuretyCertificate.objects.get(application=filed[0])
        surety_services.surety_verify(
            certificate=performance,
            user=staff,
            holder=user.company.name,
            beneficiary="足利市長",
            amount=5_000_000,
            expires_on=date(2026, 3, 19),
            construction_name=case.title,
            contract_amount=case.amount,
        )

    def _contract(self) -> None:
        """A contract ready to send: R7-KE-0001 with its 電子契約利用申出書 受理 and the PDF."""
        from pathlib import Path

        from django.core.files.uploadedfile import SimpleUploadedFile

        from contracts import services
        from contracts.models import Contract

        case = Case.objects.get(number="R7-KE-0001")
        if Contract.objects.filter(case=case).exists():
            return
        staff = User.objects.get(email=STAFF[0][0])
        contract = services.contract_create(case=case, user=staff, tax_amount=4_545_454)
        data = (
            Path(__file__).resolve().parents[2] / "demo" / "contract-construction.pdf"
        ).read_bytes()
        services.contract_add_file(
            contract=contract,
            user=staff,
            upload=SimpleUploadedFile("建設工事請負契約書.pdf", data, "application/pdf"),
        )

    def _otp_devices(self) -> None:
        """Demo staff get a confirmed TOTP device (demo_otp prints its current code)."""
        import hashlib

        from django_otp.plugins.otp_totp.models import TOTPDevice

        for email, *_ in STAFF:
            user = User.objects.get(email=email)
            key = hashlib.sha256(f"demo-totp:{email}".encode()).hexdigest()[:40]
            TOTPDevice.objects.update_or_create(
                user=user, name="デモ用", defaults={"key": key, "confirmed": True}
            )

    def _user(self, email: str, **fields) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
        for key, value in fields.items():
            setattr(user, key, value)
        # One hash of the (public) demo password for every demo login: PBKDF2 takes ~0.4 s per
        # hash or check, which made most of `make run`'s seeding. A login holding the hash
        # already checked or made in this run is not checked again.
        if user.password != self._demo_hash:
            if not (user.has_usable_password() and user.check_password(DEMO_PASSWORD)):
                user.password = self._demo_hash or make_password(DEMO_PASSWORD)
            self._demo_hash = user.password
        user.save()
        return user
