"""No English and no raw codes where a clerk looks: every admin page a 契約管財課 or a 担当課 user
can open (index, changelists, change pages of demo-like objects, add pages) is walked."""

import contextlib
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import CONTRACT_SECTION
from core import audit
from core.uploads import store_pdf, validate_pdf_upload

# Words a Japanese screen may show: abbreviations and names the city uses as they are.
ALLOWED = {
    "PDF",
    "URL",
    "ID",
    "SHA",
    "CSV",
    "ZIP",
    "API",
    "Sure",  # D・Sure
    "Webhook",
    "IP",
    "OK",
    "JV",  # 共同企業体, as the city's forms write it
    "UTF",  # file encodings and the program staff save CSV with
    "Shift",
    "JIS",
    "Excel",
    "LGWAN",  # 総合行政ネットワーク: the name the government itself uses
}
ENGLISH = re.compile(r"[A-Za-z]{2,}")
NOT_WORDS = re.compile(
    r"\S+@\S+|https?://\S+|/\S+|\S+\.pdf|[\w.-]*\d[\w.-]*|[0-9a-f]{16,}…?", re.IGNORECASE
)
RAW_CODE = re.compile(r"\b[a-z]+(?:[._-][a-z]+)+\b")
RAW_VALUES = {"cloudsign", "True", "False", "None"}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def problems_of(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.parts:
        words = NOT_WORDS.sub(" ", text)
        found += [w for w in ENGLISH.findall(words) if w not in ALLOWED]
        found += RAW_CODE.findall(words)
        found += [w for w in RAW_VALUES if re.search(rf"\b{w}\b", text)]
    return found


@pytest.fixture
def demo(db, settings, groups):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.all().delete()  # the tests log in without the second factor
    from cases.models import Case
    from contracts.constants import DocumentKind, RequestStatus, SignerRole, SignerState
    from contracts.models import (
        Contract,
        ContractCorrection,
        Reportee,
        SignedDocument,
        Signer,
        SigningRequest,
        SyncState,
        WebhookReceipt,
    )
    from tests.pdfs import make_pdf

    staff = User.objects.get(email="keiyaku@city.ashikaga.example")
    contract = Contract.objects.get(case__number="R7-KE-0001")
    request = SigningRequest.objects.create(
        contract=contract,
        status=RequestStatus.CONCLUDED,
        document_id="4ff7d9c5-3b64-4f3f-9f53-5f6c8e1d2a10",
        remote_status=2,
        sent_at=timezone.now() - dt.timedelta(days=2),
        concluded_at=timezone.now(),
        created_by=staff,
    )
    for order, role, name, email in (
        (1, SignerRole.CONTRACTOR, "山田 太郎", "yamada@ashikaga-test.example"),
        (2, SignerRole.CITY, "足利市長 早川 尚秀", "doboku-signer@city.ashikaga.example"),
    ):
        Signer.objects.create(
            signing_request=request,
            order=order,
            role=role,
            name=name,
            email=email,
            remote_status=8,
            state=SignerState.AGREED,
            agreed_at=timezone.now(),
        )
    Reportee.objects.create(
        signing_request=request, name="佐藤 一郎", email="sato@ashikaga-test.example"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = validate_pdf_upload(
        SimpleUploadedFile("建設工事請負契約書_締結済.pdf", make_pdf(), "application/pdf")
    )
    stored = store_pdf(pdf, kind="signed-signed", company=contract.case.awarded_company)
    SignedDocument.objects.create(
        signing_request=request,
        kind=DocumentKind.SIGNED,
        stored_file=stored,
        sha256=stored.sha256,
        size=stored.size,
        page_count=stored.page_count,
        signature_status="valid",
    )
    WebhookReceipt.objects.create(document_id=request.document_id, status=2)
    SyncState.objects.create(name="cloudsign")
    ContractCorrection.objects.create(
        contract=contract,
        field="契約日",
        old_value="2025-11-01",
        new_value="2025-11-04",
        reason="押印日の誤り",
        created_by=staff,
    )
    audit.record("contract.concluded", actor=None, target=contract)
    assert Case.objects.count() >= 3
    return contract


def clerk_section():
    user = User.objects.create_user(
        "keiyaku-clerk@city.ashikaga.example",
        "x",
        name="契約 四郎",
        is_staff=True,
        department=User.objects.get(email="keiyaku@city.ashikaga.example").department,
    )
    user.groups.add(Group.objects.get(name=CONTRACT_SECTION))
    return user


def pages_for(client, user):
    """(url, html) of every admin page the user can open, with at most 3 objects a model."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    yield reverse("admin:index")
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        if model_admin.has_view_permission(request):
            yield reverse("admin:{}_{}_changelist".format(*info))
            for obj in model_admin.get_queryset(request)[:3]:
                yield reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        if model_admin.has_add_permission(request):
            yield reverse("admin:{}_{}_add".format(*info))
            with contextlib.suppress(NoReverseMatch):
                yield reverse("admin:{}_{}_import".format(*info))
    from cases.selectors import cases_for_staff
    from contracts.models import Contract

    if user.has_perm("contracts.add_contract"):
        for case in cases_for_staff(user)[:3]:
            yield reverse("admin:contracts_contract_prepare", args=[case.pk])
    for contract in Contract.objects.all()[:2]:
        for name in ("send", "check"):
            with contextlib.suppress(NoReverseMatch):
                yield reverse(f"admin:contracts_contract_{name}", args=[contract.pk])


@pytest.mark.parametrize("who", ["section", "department"])
def test_no_english_or_raw_codes_on_admin_pages(client, demo, who):
    user = (
        clerk_section()
        if who == "section"
        else User.objects.get(email="doboku@city.ashikaga.example")
    )
    client.force_login(user)
    visited, bad = 0, {}
    for url in pages_for(client, user):
        page = client.get(url, follow=True)
        assert page.status_code == 200, (url, page.status_code)
        visited += 1
        found = problems_of(page.content.decode())
        if found:
            bad[url] = sorted(set(found))
    assert visited > 20
    assert not bad, "\n".join(f"{url}: {words}" for url, words in bad.items())


def test_technical_models_only_for_system_administrators(client, demo):
    from django.urls import reverse

    clerk = clerk_section()
    client.force_login(clerk)
    index = client.get(reverse("admin:index")).content.decode()
    assert "システム管理" not in index
    for name in (
        "core_storedfile",
        "contracts_webhookreceipt",
        "contracts_syncstate",
        "auth_group",
    ):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name
    root = User.objects.get(email="keiyaku@city.ashikaga.example")
    client.force_login(root)
    index = client.get(reverse("admin:index")).content.decode()
    assert "システム管理" in index
    section = index.split("システム管理", 1)[1]
    for label in ("保存ファイル", "ログイン試行", "二要素認証（認証アプリ）", "Webhook受信記録"):
        assert label in section
    assert client.get(reverse("admin:core_storedfile_changelist")).status_code == 200


def test_raw_values_have_labels(client, demo):
    from contracts.models import SigningRequest

    client.force_login(clerk_section())
    request = SigningRequest.objects.get()
    html = client.get(reverse("admin:contracts_signingrequest_change", args=[request.pk]))
    text = html.content.decode()
    status_row = re.search(r'field-remote_status.*?class="readonly">(.*?)</div>', text, re.S)
    assert status_row.group(1).strip() == "締結済"  # not 「2」
    provider_row = re.search(r'field-provider.*?class="readonly">(.*?)</div>', text, re.S)
    assert provider_row.group(1).strip() == "クラウドサイン"  # not 「cloudsign」
    audit_list = client.get(reverse("admin:core_auditevent_changelist")).content.decode()
    assert "契約の締結" in audit_list


def test_stored_file_pages_work_and_download_through_the_checked_view(client, demo):
    from core.models import StoredFile

    root = User.objects.create_superuser("admin@city.ashikaga.example", "x", is_staff=True)
    client.force_login(root)
    files = list(StoredFile.objects.all())
    assert len(files) >= 3
    for stored in files:
        page = client.get(reverse("admin:core_storedfile_change", args=[stored.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        link = reverse("core:download", args=[stored.pk])
        assert link in html and stored.original_name in html
        assert "signed-signed" not in html and "application-" not in html
    signed = StoredFile.objects.get(kind="signed-signed")
    html = client.get(reverse("admin:core_storedfile_change", args=[signed.pk])).content.decode()
    assert "締結済み契約書" in html
    download = client.get(reverse("core:download", args=[signed.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # A contractor of another company gets no file through the same link.
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(reverse("core:download", args=[signed.pk])).status_code == 404


def test_every_recorded_action_has_a_japanese_label():
    """Every audit action code written anywhere in the apps has its label registered."""
    import ast
    from pathlib import Path

    from core.labels import ACTION_LABELS

    root = Path(__file__).resolve().parents[2]
    missing = set()
    for app in ("core", "accounts", "cases", "applications", "contracts", "surety", "portal"):
        for path in (root / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", "") == "record"
                    and node.args
                ):
                    continue
                first = node.args[0]
                branches = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                for code in branches:
                    if (
                        isinstance(code, ast.Constant)
                        and isinstance(code.value, str)
                        and "." in code.value
                        and code.value not in ACTION_LABELS
                    ):
                        missing.add(code.value)
                # Transitions collected in a list first (remote_state): every string appended.
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", "") == "append"
                    and node.args
                    and getattr(node.func.value, "id", "") == "transitions"
                ):
                    arg = node.args[0]
                    for code in [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]:
                        if isinstance(code, ast.Constant) and code.value not in ACTION_LABELS:
                            missing.add(code.value)
    assert missing == set()
    assert all(not label.isascii() for label in ACTION_LABELS.values())
    from core.labels import action_label

    # Master records edited in the admin are recorded as 「<model>.created/changed」.
    assert action_label("company.changed") == "事業者の変更"
    assert action_label("case.created") == "案件の登録"
