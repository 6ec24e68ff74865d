"""電子保証 and other guarantees: register what the contractor filed, record paper originals,
verify (staff), mark 不備, reveal a credential (audited), and the checks and the 契約保証 gate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from applications.constants import Status as ApplicationStatus
from applications.selectors import filed_amount, midterm_limit
from cases.rules import advance_limit
from cases.selectors import amount_in_force
from core import audit
from core.errors import DomainError
from core.mail import send_mail_on_commit
from core.text import fold_dashes
from surety.constants import (
    CITY_BENEFICIARY,
    ELECTRONIC_FORMS,
    PRODUCT_BY_LABEL,
    Entry,
    Form,
    IssuerType,
    Product,
    Status,
)
from surety.models import SuretyCertificate
from surety.notice import Notice, compact, notice_warnings


class SuretyError(DomainError):
    """A refused surety action."""


def notice_as_dict(notice: Notice) -> dict:
    return {
        "construction_name": notice.construction_name,
        "contractor_name": notice.contractor_name,
        "product": notice.product,
        "guarantee_number": notice.guarantee_number,
        "auth_key": notice.auth_key,
        "issuer": notice.issuer,
        "issued_on": notice.issued_on.isoformat() if notice.issued_on else None,
    }


def guarantee_number_key(number: str | None) -> str:
    """A 保証契約番号 as stored and compared: NFKC, dashes folded, no spaces, upper case."""
    return fold_dashes(number).upper()


def mixing_problems(
    *, guarantee_number: str, electronic: bool, exclude_application=None, exclude_pk=None
) -> list[str]:
    """Within one 保証契約番号 (and its changes) paper and electronic cannot be mixed.

    The number is compared with its dash look-alikes and widths folded (「31072−0002K」 from a
    notice and 「31072-0002K」 typed by staff are one number).
    """
    guarantee_number = guarantee_number_key(guarantee_number)
    if not guarantee_number:
        return []
    others = SuretyCertificate.objects.filter(guarantee_number=guarantee_number)
    if exclude_application is not None:
        others = others.exclude(application=exclude_application)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    for other in others:
        if (other.form in ELECTRONIC_FORMS) != electronic:
            return [
                f"保証契約番号 {guarantee_number} は既に{other.get_form_display()}"
                "で登録されています。同じ保証契約（その変更を含む）で電子と紙の保証証書は混在できません。"
            ]
    return []


def duplicate_number_warnings(
    *, guarantee_number: str, case, company, exclude_application=None, for_staff: bool = False
) -> list[str]:
    """A 保証契約番号 already registered on another case or for another company: one guarantee
    covers one contract, so the same notice filed twice is most likely a mistake (or worse).

    The contractor's wording names only their own cases; staff get the other case's number."""
    if not guarantee_number:
        return []
    others = (
        SuretyCertificate.objects.filter(guarantee_number=guarantee_number)
        .exclude(case=case)
        .select_related("case", "case__awarded_company")
    )
    if exclude_application is not None:
        others = others.exclude(application=exclude_application)
    warnings = []
    for other in others.order_by("created_at")[:5]:
        own = company is not None and other.case.awarded_company_id == company.pk
        if for_staff:
            who = "同じ事業者" if own else f"別の事業者（{other.case.awarded_company}）"
            warnings.append(
                f"保証契約番号 {guarantee_number} は{who}の別の案件 {other.case.number}"
                f"（{other.case.title}）で既に登録されています（{other.get_status_display()}）。"
                "同じ保証証書の重複提出でないか確認してください。"
            )
        elif own:
            warnings.append(
                f"保証契約番号 {guarantee_number} は別の案件（{other.case.number} "
                f"{other.case.title}）で既に提出されています。この案件の保証証書か確認してください。"
            )
        else:
            warnings.append(
                f"保証契約番号 {guarantee_number} は他の案件で既に登録されています。"
                "この案件の保証証書か確認してください。誤りでなければ、このまま提出できます"
                "（市の担当者が確認します）。"
            )
    return list(dict.fromkeys(warnings))


@transaction.atomic
def surety_notice_register(*, application, user, request: HttpRequest | None = None):
    """On submission of a 認証キーのお知らせ: one SuretyCertificate (受付), with what was read,
    what the contractor confirmed and which fields they corrected."""
    data = application.data
    reading = application.results  # what before_attach read from the notice, once
    read = reading.read
    manual = reading.manual
    fields = ("construction_name", "contractor_name", "product", "guarantee_number", "auth_key")
    corrected = [] if manual else [f for f in fields if read.get(f) != data.get(f)]
    warnings = list(reading.warnings)
    if manual:
        typed = Notice(
            construction_name=data["construction_name"],
            contractor_name=data["contractor_name"],
            product=data["product"],
            guarantee_number=fold_dashes(data["guarantee_number"]).upper(),
            auth_key=data["auth_key"],
            issuer="",
            issued_on=None,
        )
        warnings = [
            "お知らせのPDFを読み取れなかったため、事業者が保証契約番号と認証キーを手入力しました"
            f"（{manual.reason}）。添付のPDFと照合してください。",
            *notice_warnings(typed, case=application.case, company=application.company),
        ]
    attachment = (
        application.attachments.filter(purpose="surety_notice").select_related("file").first()
    )
    number = guarantee_number_key(data["guarantee_number"])
    problems = mixing_problems(
        guarantee_number=number, electronic=True, exclude_application=application
    )
    if problems:
        raise SuretyError(problems[0], code="mixed")
    previous = (
        SuretyCertificate.objects.filter(guarantee_number=number)
        .exclude(application=application)
        .order_by("-created_at")
        .first()
    )
    warnings += duplicate_number_warnings(
        guarantee_number=number,
        case=application.case,
        company=application.company,
        exclude_application=application,
        for_staff=True,
    )
    certificate, created = SuretyCertificate.objects.update_or_create(
        application=application,
        defaults={
            "case": application.case,
            "product": PRODUCT_BY_LABEL[data["product"]],
            "form": Form.ELECTRONIC,
            "entry": Entry.MANUAL if manual else Entry.READ,
            "issuer_type": IssuerType.SURETY_COMPANY,
            "issuer": read.get("issuer", ""),
            "guarantee_number": number,
            "changes": previous,
            "auth_key": data["auth_key"],
            "status": Status.RECEIVED,
            "source_file": attachment.file if attachment else None,
            "read_values": read,
            "corrected_fields": corrected,
            "warnings": warnings,
            "notice_construction_name": data["construction_name"],
            "notice_contractor_name": data["contractor_name"],
            "issued_on": read.get("issued_on"),
            "defect_reason": "",
        },
    )
    audit.record(
        "surety.notice_registered" if created else "surety.notice_resubmitted",
        actor=user,
        target=certificate,
        request=request,
        payload={
            "corrected": corrected,
            "warnings": len(certificate.warnings),
            "entry": certificate.entry,
        },
    )
    return certificate


@transaction.atomic
def surety_record_values(
    *,
    certificate: SuretyCertificate,
    fields: list[str],
    user,
    request: HttpRequest | None = None,
) -> SuretyCertificate:
    """Staff record values they read on the certificate (amount, period, URL …): saved with the
    before/after of each changed field in the audit log (secrets masked)."""
    before = SuretyCertificate.objects.select_for_update().get(pk=certificate.pk)
    certificate.save()
    audit.record(
        "surety.values_recorded",
        actor=user,
        target=certificate,
        request=request,
        payload={"changes": audit.field_changes(before, certificate, fields)},
    )
    return certificate


@transaction.atomic
def surety_record_other(
    *,
    case,
    user,
    product: str,
    form: str,
    issuer_type: str,
    issuer: str,
    guarantee_number: str,
    received_on: dt.date | None = None,
    view_url: str = "",
    view_password: str = "",
    amount: int | None = None,
    expires_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> SuretyCertificate:
    """A bank guarantee, a 損保 bond (URL + password) or cash/securities, by staff."""
    if form == Form.ELECTRONIC:
        raise SuretyError("電子保証は事業者がオンライン申請で提出します。", code="electronic")
    if form == Form.URL and not (view_url and view_password):
        raise SuretyError("閲覧用URLとパスワードを入力してください。", code="url")
    guarantee_number = guarantee_number_key(guarantee_number)
    problems = mixing_problems(guarantee_number=guarantee_number, electronic=False)
    if problems:
        raise SuretyError(problems[0], code="mixed")
    certificate = SuretyCertificate.objects.create(
        case=case,
        product=product,
        form=form,
        issuer_type=issuer_type,
        issuer=issuer,
        guarantee_number=guarantee_number,
        received_on=received_on,
        view_url=view_url,
        view_password=view_password,
        amount=amount,
        expires_on=expires_on,
        status=Status.RECEIVED,
    )
    audit.record("surety.recorded", actor=user, target=certificate, request=request)
    return certificate


@transaction.atomic
def surety_record_electronic(
    *,
    case,
    user,
    product: str,
    issuer: str,
    guarantee_number: str,
    auth_key: str,
    request: HttpRequest | None = None,
) -> SuretyCertificate:
    """An electronic certificate (D・Sure) recorded by staff by hand, e.g. from a notice that came
    by e-mail and could not be read: marked 手入力（職員）, verified like any other."""
    guarantee_number = guarantee_number_key(guarantee_number)
    auth_key = (auth_key or "").strip()
    if not guarantee_number:
        raise SuretyError("保証契約番号を入力してください。", code="number")
    if not auth_key or not auth_key.isascii() or not auth_key.isalnum():
        raise SuretyError("認証キーは半角英数字で入力してください。", code="auth_key")
    problems = mixing_problems(guarantee_number=guarantee_number, electronic=True)
    if problems:
        raise SuretyError(problems[0], code="mixed")
    previous = (
        SuretyCertificate.objects.filter(guarantee_number=guarantee_number)
        .order_by("-created_at")
        .first()
    )
    certificate = SuretyCertificate.objects.create(
        case=case,
        product=product,
        form=Form.ELECTRONIC,
        entry=Entry.STAFF,
        issuer_type=IssuerType.SURETY_COMPANY,
        issuer=issuer,
        guarantee_number=guarantee_number,
        changes=previous,
        auth_key=auth_key,
        status=Status.RECEIVED,
    )
    audit.record(
        "surety.recorded_by_hand",
        actor=user,
        target=certificate,
        request=request,
        payload={"entry": Entry.STAFF},
    )
    return certificate


# --- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def performance_ratio() -> Fraction:
    return Fraction(settings.SURETY_PERFORMANCE_RATIO)


def requested_advance(case) -> int | None:
    """前払金 requested in the case's latest 前金払申請書 (not withdrawn; not a 中間前払金)."""
    return filed_amount(case, "advance")


def _yen(n: int | None) -> str:
    return "—" if n is None else f"{n:,}円"


def checks(certificate: SuretyCertificate, *, amount_due: int | None = None) -> list[Check]:
    """The checks of what staff recorded from the certificate, with the figures: against the
    請負金額 in force (the latest concluded 変更契約's), or ``amount_due`` when given (the amount
    of a 変更契約 about to be sent)."""
    case = certificate.case
    contract_amount = amount_due if amount_due is not None else amount_in_force(case)
    out = []
    amount = certificate.amount
    if certificate.product == Product.PERFORMANCE:
        ratio = performance_ratio()
        needed = -(-(contract_amount or 0) * ratio.numerator // ratio.denominator)  # ceiling
        out.append(
            Check(
                f"保証金額 ≥ 請負金額×{ratio.numerator}/{ratio.denominator}",
                amount is not None and contract_amount is not None and amount >= needed,
                f"保証金額 {_yen(amount)} / 必要額 {_yen(needed)}"
                f"（請負金額 {_yen(contract_amount)}）",
            )
        )
    elif certificate.product == Product.ADVANCE:
        requested = requested_advance(case)
        limit = advance_limit(case)
        out.append(
            Check(
                "保証金額 = 前金払申請書の前払金",
                amount is not None and requested is not None and amount == requested,
                f"保証金額 {_yen(amount)} / 前払金請求額 {_yen(requested)}",
            )
        )
        out.append(
            Check(
                "前払金 ≤ 請負金額の上限（40％・関連業務30％）",
                amount is not None and limit is not None and amount <= limit,
                f"保証金額 {_yen(amount)} / 上限 {_yen(limit)}",
            )
        )
    elif certificate.product == Product.MIDTERM:
        requested = filed_amount(case, "midterm")
        limit = midterm_limit(case)
        out.append(
            Check(
                "保証金額 = 中間前払金の請求額",
                amount is not None and requested is not None and amount == requested,
                f"保証金額 {_yen(amount)} / 中間前払金請求額 {_yen(requested)}",
            )
        )
        out.append(
            Check(
                "中間前払金 ≤ 請負金額の2割（前払金との合計6割）",
                amount is not None and limit is not None and amount <= limit,
                f"保証金額 {_yen(amount)} / 上限 {_yen(limit)}",
            )
        )
    out.append(
        Check(
            "保証期限 ≥ 工期の終期",
            certificate.expires_on is not None
            and case.period_end is not None
            and certificate.expires_on >= case.period_end,
            f"保証期限 {certificate.expires_on or '—'} / 工期終期 {case.period_end or '—'}",
        )
    )
    if certificate.form == Form.ELECTRONIC:
        out.append(
            Check(
                "工事名が案件と一致",
                compact(certificate.certificate_construction_name) == compact(case.title),
                f"証書 {certificate.certificate_construction_name or '—'} / 案件 {case.title}",
            )
        )
        out.append(
            Check(
                "請負金額が案件と一致",
                certificate.contract_amount is not None
                and certificate.contract_amount == contract_amount,
                f"証書 {_yen(certificate.contract_amount)} / 案件 {_yen(contract_amount)}",
            )
        )
        out.append(
            Check(
                "被保証者が足利市",
                "足利市" in compact(certificate.beneficiary),
                f"被保証者 {certificate.beneficiary or '—'}",
            )
        )
    return out


# --- staff ----------------------------------------------------------------------------------


@transaction.atomic
def surety_verify(
    *,
    certificate: SuretyCertificate,
    user,
    holder: str = "",
    beneficiary: str = CITY_BENEFICIARY,
    amount: int | None = None,
    expires_on: dt.date | None = None,
    construction_name: str = "",
    contract_amount: int | None = None,
    received_on: dt.date | None = None,
    accept_application: bool = False,
    request: HttpRequest | None = None,
) -> SuretyCertificate:
    """確認済: record what the certificate says; refused while a check fails. With
    ``accept_application``, the 認証キーのお知らせ application it came from is 受理 in the same
    step (both or neither)."""
    certificate = SuretyCertificate.objects.select_for_update().get(pk=certificate.pk)
    certificate.holder = holder or certificate.holder
    certificate.beneficiary = beneficiary or certificate.beneficiary
    certificate.amount = amount if amount is not None else certificate.amount
    certificate.expires_on = expires_on or certificate.expires_on
    certificate.certificate_construction_name = (
        construction_name or certificate.certificate_construction_name
    )
    certificate.contract_amount = (
        contract_amount if contract_amount is not None else certificate.contract_amount
    )
    certificate.received_on = received_on or certificate.received_on
    if certificate.form != Form.ELECTRONIC and certificate.received_on is None:
        raise SuretyError("紙・URLの保証証書は原本の受領日を入力してください。", code="received_on")
    failed = [c for c in checks(certificate) if not c.passed]
    if failed:
        raise SuretyError(
            "確認項目に不合格があります: " + "、".join(c.name for c in failed), code="checks"
        )
    certificate.status = Status.VERIFIED
    certificate.verified_by = user
    certificate.verified_at = timezone.now()
    certificate.defect_reason = ""
    certificate.save()
    audit.record("surety.verified", actor=user, target=certificate, request=request)
    if accept_application and certificate.application_id is not None:
        from applications.constants import Status as ApplicationStatus
        from applications.services import ApplicationError, application_accept

        application = certificate.application
        if application.status == ApplicationStatus.SUBMITTED:
            try:
                application_accept(application=application, reviewer=user, request=request)
            except ApplicationError as exc:
                raise SuretyError(exc.message, code="accept") from None
    return certificate


@transaction.atomic
def surety_mark_defective(
    *, certificate: SuretyCertificate, user, reason: str, request: HttpRequest | None = None
) -> SuretyCertificate:
    """不備: the contractor is told, and the filing goes back to them (差戻し)."""
    reason = (reason or "").strip()
    if not reason:
        raise SuretyError("不備の内容を入力してください。", code="reason")
    certificate = SuretyCertificate.objects.select_for_update().get(pk=certificate.pk)
    certificate.status = Status.DEFECTIVE
    certificate.defect_reason = reason
    certificate.verified_by = user
    certificate.verified_at = timezone.now()
    certificate.save()
    audit.record(
        "surety.defective",
        actor=user,
        target=certificate,
        request=request,
        payload={"reason": reason},
    )
    application = certificate.application
    if application is not None and application.status == ApplicationStatus.SUBMITTED:
        from applications.services import application_return

        application_return(
            application=application,
            reviewer=user,
            reason=f"保証証書の確認で不備がありました: {reason}",
            request=request,
        )
    elif application is not None:
        from accounts.selectors import company_emails

        send_mail_on_commit(
            "surety_defective",
            {"certificate": certificate, "case": certificate.case, "reason": reason},
            company_emails(application.company),
        )
    return certificate


def surety_reveal(
    *, certificate: SuretyCertificate, user, request: HttpRequest | None = None
) -> str:
    """The credential in full, for staff with the dedicated permission; every reveal audited."""
    if not user.has_perm("surety.reveal_credentials"):
        raise PermissionDenied("認証キーを表示する権限がありません。")
    audit.record(
        "surety.credential_revealed",
        actor=user,
        target=certificate,
        request=request,
        payload={"field": "auth_key" if certificate.auth_key else "view_password"},
    )
    return certificate.auth_key or certificate.view_password


# --- the 契約保証 gate ---------------------------------------------------------------------


def performance_gate_problems(contract) -> list[str]:
    """契約保証 is satisfied by a verified electronic certificate whose checks pass, a received
    paper original, or the case being marked 契約保証免除 (with a reason)."""
    case = contract.case
    if case.surety_exempt:
        return (
            []
            if case.surety_exempt_reason.strip()
            else ["契約保証免除の理由が入力されていません。"]
        )
    # A 変更契約 that raises the amount needs a 契約保証 for the raised amount before it is sent.
    in_force = amount_in_force(case)
    due = contract.amount if contract.kind == "change" else None
    due = due if due is not None and (in_force is None or due > in_force) else None
    certificates = SuretyCertificate.objects.filter(case=case, product=Product.PERFORMANCE)
    for certificate in certificates:
        if certificate.form == Form.ELECTRONIC:
            if certificate.status == Status.VERIFIED and all(
                c.passed for c in checks(certificate, amount_due=due)
            ):
                return []
        elif certificate.received_on and certificate.status != Status.DEFECTIVE:
            return []
    if not certificates.exists():
        return [
            "契約保証の保証証書が提出されていません（電子保証・紙の原本・免除のいずれも未登録）。"
        ]
    return [
        "契約保証の保証証書が確認済になっていません（電子保証は確認済、紙は原本の受領日が必要）。"
    ]
