"""Preparing a contract: create it (当初 or 変更) and add the PDFs to sign."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from contracts.constants import (
    SENDABLE,
    ContractKind,
    ContractStatus,
)
from contracts.models import (
    Contract,
    ContractFile,
)
from contracts.services.common import ContractError
from core import audit
from core.uploads import store_pdf, validate_pdf_upload


@transaction.atomic
def contract_create(
    *,
    case,
    user,
    title: str = "",
    amount: int | None = None,
    tax_amount: int | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    contract_date: dt.date | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Contract:
    """A 当初契約 for a case, by default with the case's title, amount and period. Values that
    differ from the case need a reason, which is audited."""
    contract = Contract(
        case=case,
        kind=ContractKind.INITIAL,
        title=title or case.title,
        amount=amount if amount is not None else case.amount,
        tax_amount=tax_amount,
        period_start=period_start or case.period_start,
        period_end=period_end or case.period_end,
        contract_date=contract_date,
        created_by=user,
    )
    differences = differences_from_case(contract, case)
    if differences and not reason.strip():
        raise ContractError(
            "案件と異なる値（" + "、".join(d["field"] for d in differences) + "）で作成するには、"
            "理由を入力してください。",
            code="reason",
        )
    contract.full_clean()
    contract.save()
    audit.record("contract.created", actor=user, target=contract, request=request)
    if differences:
        audit.record(
            "contract.values_differ",
            actor=user,
            target=contract,
            request=request,
            payload={"differences": differences, "reason": reason.strip()},
        )
    return contract


# The contract fields staff may edit while it can still be sent.
EDITABLE_FIELDS = (
    "title",
    "amount",
    "tax_amount",
    "contract_date",
    "period_start",
    "period_end",
    "stamp_nature",
)


@transaction.atomic
def contract_update(
    *, contract: Contract, fields: list[str], user, request: HttpRequest | None = None
) -> Contract:
    """Save staff's edits of a contract not yet sent (``contract`` carries the new values), with
    each changed field's before/after in the audit log."""
    before = Contract.objects.select_for_update().get(pk=contract.pk)
    if before.status not in SENDABLE:
        raise ContractError("署名依頼中・締結済の契約は変更できません。", code="locked")
    changed = [f for f in fields if f in EDITABLE_FIELDS]
    contract.full_clean()
    contract.save()
    audit.record(
        "contract.saved",
        actor=user,
        target=contract,
        request=request,
        payload={"changes": audit.field_changes(before, contract, changed)},
    )
    return contract


def differences_from_case(contract: Contract, case) -> list[dict]:
    """The contract's title, amount and period where they are not the case's."""
    pairs = [
        ("件名", contract.title, case.title),
        ("契約金額", contract.amount, case.amount),
        ("工期（始期）", contract.period_start, case.period_start),
        ("工期（終期）", contract.period_end, case.period_end),
    ]
    return [
        {"field": label, "case": str(expected), "contract": str(actual)}
        for label, actual, expected in pairs
        if expected not in (None, "") and actual != expected
    ]


@transaction.atomic
def contract_add_file(
    *, contract: Contract, user, upload, request: HttpRequest | None = None
) -> ContractFile:
    """Attach a PDF to sign (validated before anything is stored)."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status not in SENDABLE:
        raise ContractError("署名依頼中・締結済の契約のファイルは変更できません。", code="locked")
    try:
        pdf = validate_pdf_upload(upload)
    except ValidationError as exc:
        raise ContractError(exc.messages[0], code=exc.code or "pdf") from None
    stored = store_pdf(
        pdf, kind="contract", company=contract.case.awarded_company, uploaded_by=user
    )
    last = contract.files.order_by("-order").values_list("order", flat=True).first()
    contract_file = ContractFile.objects.create(
        contract=contract, file=stored, order=0 if last is None else last + 1
    )
    audit.record(
        "contract.file_added",
        actor=user,
        target=contract,
        request=request,
        payload={"name": stored.original_name, "sha256": stored.sha256, "pages": stored.page_count},
    )
    return contract_file


@transaction.atomic
def contract_remove_file(
    *, contract_file: ContractFile, user, request: HttpRequest | None = None
) -> None:
    """Take a PDF off a contract not yet sent. The stored file itself is kept (files are never
    deleted: the audit record names it by its hash)."""
    contract = Contract.objects.select_for_update().get(pk=contract_file.contract_id)
    if contract.status not in SENDABLE:
        raise ContractError("署名依頼中・締結済の契約のファイルは変更できません。", code="locked")
    stored = contract_file.file
    from django.db.models import ProtectedError

    try:
        with transaction.atomic():
            contract_file.delete()
    except ProtectedError:
        raise ContractError(
            f"「{stored.original_name}」は送信済みのため外せません。"
            "差し替える場合は新しい契約書のPDFを追加してください。",
            code="sent_file",
        ) from None
    audit.record(
        "contract.file_removed",
        actor=user,
        target=contract,
        request=request,
        payload={"name": stored.original_name, "sha256": stored.sha256},
    )


@transaction.atomic
def contract_create_change(
    *, original: Contract, user, request: HttpRequest | None = None
) -> Contract:
    """変更契約: a new contract linked to a concluded one (which stays 締結済)."""
    if original.status != ContractStatus.CONCLUDED:
        raise ContractError("締結済の契約だけを変更できます。", code="not_concluded")
    change = Contract.objects.create(
        case=original.case,
        kind=ContractKind.CHANGE,
        original=original,
        title=original.title,
        amount=original.amount,
        tax_amount=original.tax_amount,
        period_start=original.period_start,
        period_end=original.period_end,
        created_by=user,
    )
    audit.record(
        "contract.change_created",
        actor=user,
        target=change,
        request=request,
        payload={"original": original.pk},
    )
    return change


@transaction.atomic
def contract_record_resend_as_is(
    *, contract: Contract, reason: str, user, request: HttpRequest | None = None
) -> Contract:
    """After a 却下: staff decide to send the same PDF again (e.g. the contractor 却下ed by
    mistake), with the reason on record. Without this (or a new PDF) the contract is not sent."""
    from django.utils import timezone

    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.REJECTED:
        raise ContractError("却下された契約ではありません。", code="not_rejected")
    reason = (reason or "").strip()
    if not reason:
        raise ContractError(
            "そのまま再送信する理由を入力してください"
            "（例: 事業者が誤って却下したと電話で確認したため）。",
            code="reason_required",
        )
    contract.resend_as_is_at = timezone.now()
    contract.resend_as_is_reason = reason[:2000]
    contract.save(update_fields=["resend_as_is_at", "resend_as_is_reason", "updated_at"])
    audit.record(
        "contract.resend_as_is",
        actor=user,
        target=contract,
        request=request,
        payload={"reason": contract.resend_as_is_reason},
    )
    return contract
