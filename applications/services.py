"""The オンライン申請 workflow: 下書き → 提出 → 受理 / 差戻し → 再提出 …, and 取下げ.

One function per transition; each is atomic, checks the state it starts from (raising
ApplicationError with a Japanese message), writes one AuditEvent and mails after commit.
Nothing here names a form kind: the kinds' rules come from ``applications.kinds``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.selectors import company_emails, reviewer_emails
from applications.constants import (
    EDITABLE,
    MAX_ATTACHMENTS,
    REPLACED_ON_RESUBMISSION,
    WITHDRAWABLE,
    Purpose,
    Status,
)
from applications.kinds import get_kind
from applications.models import (
    Application,
    ApplicationRevision,
    Attachment,
    Message,
    ReceiptCounter,
)
from core import audit
from core.errors import DomainError
from core.mail import send_mail_on_commit
from core.uploads import check_company_quota, discard_stored_file, store_pdf, validate_pdf_upload


class ApplicationError(DomainError):
    """A refused transition or input, with the message to show (and per-field errors)."""

    def __init__(self, message: str, *, code: str | None = None, errors: dict | None = None):
        super().__init__(message, code=code)
        self.errors = errors or {}


# Staff mails about filings ask for review work: only those who may review get them (not 閲覧).
REVIEW_PERMISSION = "applications.review_application"


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("case", "company")
        .get(pk=application.pk)
    )


def _mail_context(application: Application) -> dict:
    return {"application": application, "case": application.case, "company": application.company}


def _check_form(application: Application, data: dict) -> dict:
    kind = get_kind(application.kind)
    form = kind.form(data=data, case=application.case, company=application.company)
    if not form.is_valid():
        raise ApplicationError(
            "入力内容に誤りがあります。各項目のメッセージをご確認ください。",
            code="form_invalid",
            errors=form.errors,
        )
    return form.serialized()


@transaction.atomic
def application_create(
    *, case, company, kind: str, user, data: dict, request: HttpRequest | None = None
) -> Application:
    """Start a 下書き of ``kind`` for ``case``; one open filing of a kind at a time."""
    k = get_kind(kind)
    if not k.applies_to(case.category):
        raise ApplicationError("この案件ではこの様式は提出できません。", code="kind")
    if case.awarded_company_id != company.pk:
        raise ApplicationError("この案件の落札者ではないため申請できません。", code="not_awarded")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                case=case, company=company, kind=kind, data=data, created_by=user
            )
    except IntegrityError:
        raise ApplicationError(
            "この様式の申請は既にあります。申請一覧から開いてください。", code="duplicate"
        ) from None
    audit.record("application.created", actor=user, target=application, request=request)
    return application


@transaction.atomic
def application_save(
    *, application: Application, user, data: dict, request: HttpRequest | None = None
) -> Application:
    """Save the form as it is (下書き保存), while the contractor may still edit it."""
    application = _locked(application)
    if application.status not in EDITABLE:
        raise ApplicationError(
            "提出済みの申請は編集できません。修正が必要な場合は市からの差戻しをお待ちください。",
            code="not_editable",
        )
    application.data = data
    application.save(update_fields=["data", "updated_at"])
    audit.record("application.saved", actor=user, target=application, request=request)
    return application


def _receipt_number(now: dt.datetime) -> str:
    """The next 到達番号 of the day: 「YYYYMMDD-NNNNNN」, in the order submissions commit.

    The day's counter row is created if missing (a concurrent creator is simply ignored) and
    locked until the submitting transaction ends, so that two submissions never share or skip
    a number; a submission that fails rolls its number back with it."""
    day = timezone.localtime(now).date()
    ReceiptCounter.objects.bulk_create([ReceiptCounter(day=day)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{day:%Y%m%d}-{counter.last:06d}"


def _missing_attachments(application: Application, attachments: list[Attachment]) -> list[str]:
    kind = get_kind(application.kind)
    present = {a.purpose for a in attachments}
    missing = [Purpose(p).label for p in kind.required_purposes if p not in present]
    return [f"{'、'.join(missing)}のPDFを添付してください。"] if missing else []


def submission_problems(application: Application, *, form_checked: bool = False) -> list[str]:
    """What stops the filing as it stands (the form, the attachments, the kind's own checks).

    The 確認画面 is shown only when this is empty; ``application_submit`` checks it again.
    ``form_checked``: the caller validated these values with the kind's form in this request
    (a form's ``clean()`` reads the database: each form is validated once per request)."""
    if not form_checked:
        try:
            _check_form(application, application.data)
        except ApplicationError as exc:
            return [exc.message]
    problems = _missing_attachments(application, list(application.attachments.all()))
    if problems:
        return problems
    check = get_kind(application.kind).hook("check_submit")
    return list(check(application)) if check else []


def submission_warnings(application: Application) -> list[str]:
    """What the contractor should know before filing (the filing is still allowed): what the
    kind noticed when it read an attachment, and the kind's own look at the filing (a
    保証契約番号 already registered elsewhere)."""
    warnings = list(application.results.warnings)
    look = get_kind(application.kind).hook("confirm_warnings")
    if look:
        warnings += [w for w in look(application) if w not in warnings]
    return warnings


def application_digest(application: Application) -> str:
    """A fingerprint of what would be filed (the data and the attachments): the 確認画面 sends
    it back with 提出, so that what is filed is exactly what was shown."""
    attachments = list(application.attachments.order_by("id").values_list("id", "file_id"))
    blob = json.dumps(
        [application.data, [[a, str(f)] for a, f in attachments]],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


@transaction.atomic
def application_submit(
    *,
    application: Application,
    user,
    digest: str | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """提出 / 再提出: validate everything, issue the 到達番号, keep the revision, notify.

    ``digest``: what the 確認画面 showed (see ``application_digest``); when given and the filing
    changed since, nothing is filed and the contractor is asked to confirm again."""
    application = _locked(application)
    if application.status not in EDITABLE:
        raise ApplicationError("この申請は既に提出されています。", code="already_submitted")
    if digest is not None and digest != application_digest(application):
        raise ApplicationError(
            "確認画面を表示した後に内容が変更されました。もう一度内容を確認してください。",
            code="changed",
        )
    data = _check_form(application, application.data)
    kind = get_kind(application.kind)
    attachments = list(application.attachments.select_related("file"))
    missing = _missing_attachments(application, attachments)
    if missing:
        raise ApplicationError(missing[0], code="attachment_missing")
    check = kind.hook("check_submit")
    problems = check(application) if check else []
    if problems:
        raise ApplicationError(problems[0], code="kind_check", errors={"__all__": problems})
    resubmission = application.status == Status.RETURNED
    if not application.receipt_number:
        application.receipt_number = _receipt_number(timezone.now())
    now = timezone.now()  # after the counter's lock: 提出日時 order is 到達番号 order
    application.data = data
    application.status = Status.SUBMITTED
    application.submitted_at = now
    application.revision += 1
    application.save()
    ApplicationRevision.objects.create(
        application=application,
        number=application.revision,
        data=data,
        attachments=[
            {
                "purpose": a.purpose,
                "name": a.file.original_name,
                "sha256": a.file.sha256,
                "file": str(a.file_id),
            }
            for a in attachments
        ],
        submitted_at=now,
        submitted_by=user,
    )
    audit.record(
        "application.resubmitted" if resubmission else "application.submitted",
        actor=user,
        target=application,
        request=request,
        payload={"receipt_number": application.receipt_number, "revision": application.revision},
    )
    after = kind.hook("after_submit")
    if after:
        after(application, user, request)
    context = {**_mail_context(application), "resubmission": resubmission}
    send_mail_on_commit("application_received", context, company_emails(application.company))
    send_mail_on_commit(
        "application_submitted",
        context,
        reviewer_emails(application.case, permission=REVIEW_PERMISSION),
    )
    return application


@transaction.atomic
def application_accept(
    *, application: Application, reviewer, request: HttpRequest | None = None
) -> Application:
    """受理."""
    application = _locked(application)
    if application.status != Status.SUBMITTED:
        raise ApplicationError("提出済みの申請だけを受理できます。", code="not_submitted")
    if application.kind == MIDTERM_CERTIFICATION_KIND:
        raise ApplicationError(
            "中間前金払認定請求書は「認定する」または「不認定とする」で審査してください。",
            code="needs_decision",
        )
    application.status = Status.ACCEPTED
    application.accepted_at = timezone.now()
    application.reviewer = reviewer
    application.save()
    audit.record("application.accepted", actor=reviewer, target=application, request=request)
    send_mail_on_commit(
        "application_accepted",
        _mail_context(application),
        company_emails(application.company),
    )
    return application


@transaction.atomic
def application_return(
    *,
    application: Application,
    reviewer,
    reason: str,
    deadline: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """差戻し: the contractor corrects and re-submits. A reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("差戻しの理由を入力してください。", code="reason_required")
    application = _locked(application)
    if application.status != Status.SUBMITTED:
        raise ApplicationError("提出済みの申請だけを差し戻せます。", code="not_submitted")
    if deadline and deadline < timezone.localdate():
        raise ApplicationError("再提出の期限は今日以降の日付にしてください。", code="deadline")
    application.status = Status.RETURNED
    application.returned_at = timezone.now()
    application.reviewer = reviewer
    application.return_reason = reason
    application.return_deadline = deadline
    application.save()
    audit.record(
        "application.returned",
        actor=reviewer,
        target=application,
        request=request,
        payload={"reason": reason, "deadline": deadline.isoformat() if deadline else None},
    )
    send_mail_on_commit(
        "application_returned",
        _mail_context(application),
        company_emails(application.company),
    )
    return application


# Why a filing in this state cannot be withdrawn (any state outside WITHDRAWABLE).
NOT_WITHDRAWABLE = {
    Status.ACCEPTED: "受理された申請は取り下げられません。",
    Status.WITHDRAWN: "この申請はすでに取り下げられています。",
}


def check_withdrawable(application: Application) -> None:
    """Raise the ApplicationError that says why ``application`` cannot be withdrawn (its state
    as read), or nothing when it can."""
    if application.status not in WITHDRAWABLE:
        raise ApplicationError(
            NOT_WITHDRAWABLE.get(
                application.status,
                f"「{application.get_status_display()}」の申請は取り下げられません。",
            ),
            code="not_withdrawable",
        )


@transaction.atomic
def application_withdraw(
    *, application: Application, user, request: HttpRequest | None = None
) -> Application:
    """取下げ, possible until 受理."""
    application = _locked(application)
    check_withdrawable(application)
    was_submitted = application.status != Status.DRAFT
    application.status = Status.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.save()
    audit.record("application.withdrawn", actor=user, target=application, request=request)
    if was_submitted:
        send_mail_on_commit(
            "application_withdrawn",
            _mail_context(application),
            reviewer_emails(application.case, permission=REVIEW_PERMISSION),
        )
    return application


@transaction.atomic
def application_discard(
    *, application: Application, user, request: HttpRequest | None = None
) -> None:
    """削除: a 下書き that was never filed goes away with its attachments (the stored files stay,
    as originals are never removed). Anything once filed can only be withdrawn (取下げ)."""
    application = _locked(application)
    if application.status != Status.DRAFT or application.revision:
        raise ApplicationError(
            "提出したことのある申請は削除できません。取り下げてください。", code="not_draft"
        )
    audit.record(
        "application.discarded",
        actor=user,
        target=application,
        request=request,
        payload={"kind": application.kind, "case": application.case_id},
    )
    application.attachments.all().delete()
    application.messages.all().delete()
    application.delete()


@transaction.atomic
def attachment_add(
    *,
    application: Application,
    user,
    upload,
    purpose: str,
    request: HttpRequest | None = None,
) -> Attachment:
    """Attach a PDF (validated by core before anything is stored)."""
    application = _locked(application)
    if application.status not in EDITABLE:
        raise ApplicationError("提出済みの申請にはファイルを添付できません。", code="not_editable")
    kind = get_kind(application.kind)
    if purpose not in kind.purposes:
        raise ApplicationError("この様式に添付できない種類のファイルです。", code="purpose")
    replaced = _replaced_by_new(application, purpose)
    if application.attachments.count() - (replaced is not None) >= MAX_ATTACHMENTS:
        raise ApplicationError(
            f"添付ファイルは1件の申請につき{MAX_ATTACHMENTS}件までです。", code="too_many"
        )
    try:
        pdf = validate_pdf_upload(upload)
        check_company_quota(application.company, pdf.size)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code=exc.code or "pdf") from None
    before = kind.hook("before_attach")
    if before:  # the kind reads the PDF once; a refusal here stores nothing
        result = before(application, purpose, pdf.data)
        if result is not None:
            application.data = {**application.data, **result.values}
            application.results = result.results
            application.save(update_fields=["data", "hook_results", "updated_at"])
    stored = store_pdf(
        pdf, kind=f"application-{purpose}", company=application.company, uploaded_by=user
    )
    attachment = Attachment.objects.create(
        application=application, purpose=purpose, file=stored, uploaded_by=user
    )
    audit.record(
        "application.attachment_added",
        actor=user,
        target=application,
        request=request,
        payload={"file": str(stored.pk), "name": stored.original_name, "sha256": stored.sha256},
    )
    if replaced is not None:
        # The filed file stays stored (the revision history names it); it is no longer attached.
        old = replaced.file
        replaced.delete()
        audit.record(
            "application.attachment_replaced",
            actor=user,
            target=application,
            request=request,
            payload={
                "purpose": purpose,
                "old_file": str(old.pk),
                "old_name": old.original_name,
                "old_sha256": old.sha256,
                "file": str(stored.pk),
                "name": stored.original_name,
                "sha256": stored.sha256,
            },
        )
    return attachment


def _replaced_by_new(application: Application, purpose: str) -> Attachment | None:
    """On a 差戻し filing: the attachment of ``purpose`` that was filed with the returned revision
    and is still attached, when there is exactly one (a filing that had several, e.g. the
    工程表 of each 工事 of a 兼任届, keeps them: the contractor removes the outdated one)."""
    if application.status != Status.RETURNED or purpose not in REPLACED_ON_RESUBMISSION:
        return None
    last = application.revisions.order_by("-number").first()
    if last is None:
        return None
    filed = {e.get("file") for e in last.attachments if e.get("purpose") == purpose}
    candidates = [
        a
        for a in application.attachments.filter(purpose=purpose).select_related("file")
        if str(a.file_id) in filed
    ]
    return candidates[0] if len(candidates) == 1 else None


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user, request: HttpRequest | None = None) -> None:
    application = _locked(attachment.application)
    if application.status not in EDITABLE:
        raise ApplicationError(
            "提出済みの申請の添付ファイルは削除できません。", code="not_editable"
        )
    stored = attachment.file
    name = stored.original_name
    attachment.delete()
    # A file that was part of a submission stays (the revision history shows it); one that was
    # only ever in the draft goes, with its bytes, once this transaction commits.
    submitted = any(
        entry.get("file") == str(stored.pk)
        for revision in application.revisions.all()
        for entry in revision.attachments
    )
    deleted = False if submitted else discard_stored_file(stored)
    audit.record(
        "application.attachment_removed",
        actor=user,
        target=application,
        request=request,
        payload={"name": name, "file_deleted": deleted},
    )


@transaction.atomic
def message_post(
    *, application: Application, author, body: str, request: HttpRequest | None = None
) -> Message:
    """A message in the やり取り; the other side is notified."""
    body = (body or "").strip()
    if not body:
        raise ApplicationError("メッセージを入力してください。", code="empty")
    if len(body) > 4000:
        raise ApplicationError("メッセージは4000文字以内で入力してください。", code="too_long")
    from_staff = bool(author.is_staff)
    message = Message.objects.create(
        application=application, author=author, from_staff=from_staff, body=body
    )
    audit.record("application.message", actor=author, target=application, request=request)
    recipients = (
        company_emails(application.company)
        if from_staff
        else reviewer_emails(application.case, permission=REVIEW_PERMISSION)
    )
    send_mail_on_commit(
        "application_message",
        {**_mail_context(application), "message": message},
        recipients,
    )
    return message


# --- 中間前金払の認定 ------------------------------------------------------------------------

MIDTERM_CERTIFICATION_KIND = "midterm_certification"


@transaction.atomic
def midterm_certify(
    *,
    application: Application,
    reviewer,
    certified: bool,
    reason: str = "",
    request: HttpRequest | None = None,
):
    """認定 or 不認定 (with a reason) of a submitted 中間前金払認定請求書: the request is 受理,
    the decision recorded, audited and mailed to the contractor. 認定 re-checks the conditions
    (施行規則附則第3条, the city's minimums, the 前払金) as they stand today."""
    from applications.kinds.midterm_certification import certification_problems
    from applications.models import MidtermCertification

    reason = (reason or "").strip()
    if not certified and not reason:
        raise ApplicationError("不認定の理由を入力してください。", code="reason_required")
    application = _locked(application)
    if application.kind != MIDTERM_CERTIFICATION_KIND:
        raise ApplicationError("中間前金払認定請求書だけを認定できます。", code="not_certification")
    if application.status != Status.SUBMITTED:
        raise ApplicationError("提出済みの認定請求だけを認定できます。", code="not_submitted")
    if certified:
        problems = certification_problems(application.case)
        if problems:
            raise ApplicationError(
                "中間前金払の要件を満たしていないため認定できません: " + " ".join(problems),
                code="not_eligible",
            )
    now = timezone.now()
    application.status = Status.ACCEPTED
    application.accepted_at = now
    application.reviewer = reviewer
    application.save()
    decision = MidtermCertification.objects.create(
        application=application,
        case=application.case,
        decision=(
            MidtermCertification.Decision.CERTIFIED
            if certified
            else MidtermCertification.Decision.REFUSED
        ),
        reason=reason,
        decided_by=reviewer,
        decided_at=now,
    )
    audit.record(
        "application.midterm_certified" if certified else "application.midterm_refused",
        actor=reviewer,
        target=application,
        request=request,
        payload={"decision": decision.decision, "reason": reason},
    )
    send_mail_on_commit(
        "midterm_certified" if certified else "midterm_refused",
        {**_mail_context(application), "decision": decision},
        company_emails(application.company),
    )
    return decision
