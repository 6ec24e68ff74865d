"""The contract admin's own pages: 契約書の作成 (pick a case, prepare) and the 送信 confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from contracts import pdf_check, selectors, services
from contracts.admin.forms import CaseNumberForm, PrepareForm, SendForm, default_tax
from contracts.admin.permissions import SEND_PERM
from contracts.constants import SENDABLE, ContractKind, ContractStatus, RequestStatus
from contracts.models import (
    Contract,
)
from core import uploads
from core.text import normalize_compact

# The send page refreshes itself while the request is on its way to the service.
PROGRESSING = {RequestStatus.QUEUED, RequestStatus.SENDING}
REFRESH_SECONDS = 3


class ContractViewsMixin:
    """Pages of ``ContractAdmin`` beyond the changelist and change form."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("prepare/", wrap(self.prepare_pick_view), name="contracts_contract_prepare_pick"),
            path(
                "prepare/<int:case_id>/",
                wrap(self.prepare_view),
                name="contracts_contract_prepare",
            ),
            path("<int:pk>/send/", wrap(self.send_view), name="contracts_contract_send"),
            path(
                "<int:pk>/resend-as-is/",
                wrap(self.resend_as_is_view),
                name="contracts_contract_resend_as_is",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """契約の追加 is 契約書の作成 from a case (its values prepared, the PDF in one step)."""
        case_id = request.GET.get("case")
        if case_id and case_id.isdigit():
            return HttpResponseRedirect(reverse("admin:contracts_contract_prepare", args=[case_id]))
        return HttpResponseRedirect(reverse("admin:contracts_contract_prepare_pick"))

    def _cases(self, request):
        from cases.selectors import cases_for_staff

        return cases_for_staff(request.user).select_related("department", "awarded_company")

    def prepare_pick_view(self, request: HttpRequest):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CaseNumberForm(request.GET or None)
        if form.is_valid():
            number = normalize_compact(form.cleaned_data["number"])
            case = self._cases(request).filter(number=number).first()
            if case is not None:
                return HttpResponseRedirect(
                    reverse("admin:contracts_contract_prepare", args=[case.pk])
                )
            form.add_error("number", f"案件番号「{number}」の案件が見つかりません。")
        return TemplateResponse(
            request,
            "admin/contracts/contract/prepare_pick.html",
            {
                **self.admin_site.each_context(request),
                "title": "契約書の作成（案件を選ぶ）",
                "form": form,
                "opts": self.model._meta,
            },
        )

    def prepare_view(self, request: HttpRequest, case_id: int):
        if not self.has_add_permission(request):
            raise PermissionDenied
        case = get_object_or_404(self._cases(request), pk=case_id)
        existing = case.contracts.filter(kind=ContractKind.INITIAL).exclude(
            status=ContractStatus.CANCELED
        )
        if request.method == "POST":
            form = PrepareForm(request.POST, request.FILES, case=case, request=request)
            if form.is_valid():
                data = form.cleaned_data
                upload = uploads.stashed_pdf(request, data["pending"])
                try:
                    with transaction.atomic():
                        contract = services.contract_create(
                            case=case,
                            user=request.user,
                            title=data["title"],
                            amount=data["amount"],
                            tax_amount=data["tax_amount"],
                            period_start=data["period_start"],
                            period_end=data["period_end"],
                            contract_date=data["contract_date"],
                            reason=data["reason"],
                            request=request,
                        )
                        services.contract_add_file(
                            contract=contract, user=request.user, upload=upload, request=request
                        )
                except services.ContractError as exc:
                    form.add_error(None, exc.message)
                else:
                    uploads.discard_stashed_pdf(request, data["pending"])
                    self.message_user(
                        request,
                        "契約を作成しました。契約書の照合結果と送信の条件を確認して送信してください。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(self.after_prepare_url(contract))
            if form.cleaned_data.get("pending"):
                form.data = form.data.copy()
                form.data["pending"] = form.cleaned_data["pending"]
        else:
            form = PrepareForm(
                initial={
                    "title": case.title,
                    "amount": case.amount,
                    "tax_amount": default_tax(case.amount),
                    "period_start": case.period_start,
                    "period_end": case.period_end,
                },
                case=case,
                request=request,
            )
        return TemplateResponse(
            request,
            "admin/contracts/contract/prepare.html",
            {
                **self.admin_site.each_context(request),
                "title": f"契約書の作成: {case.number} {case.title}",
                "form": form,
                "case": case,
                "existing": existing,
                "opts": self.model._meta,
            },
        )

    def after_prepare_url(self, contract: Contract) -> str:
        return reverse("admin:contracts_contract_send", args=[contract.pk])

    # --- the send page ---------------------------------------------------------------------------

    def send_view(self, request: HttpRequest, pk: int):
        """Everything the send will do, checked, before 送信: signers in order with their source,
        共有先, files with page counts, the gate and the PDF check against the case."""
        contract = get_object_or_404(
            self.get_queryset(request).select_related(
                "case", "case__department", "case__awarded_company"
            ),
            pk=pk,
        )
        if not self.has_view_permission(request, contract):
            raise PermissionDenied
        can_send = request.user.has_perm(SEND_PERM)
        form = SendForm(request.POST if request.method == "POST" else None)
        errors: list[str] = []
        # The contract PDF is read once per request: the send reuses the page's check.
        check = pdf_check.check_contract(contract)
        if request.method == "POST":
            if not can_send:
                raise PermissionDenied
            if form.is_valid():
                try:
                    services.contract_send_for_signature(
                        contract=contract,
                        user=request.user,
                        request=request,
                        check_reason=form.cleaned_data["check_reason"],
                        check=check,
                    )
                except services.ContractError as exc:
                    errors = exc.problems
                else:
                    self.message_user(
                        request,
                        "契約を送信しました（クラウドサインへの登録は数秒〜数分で完了します）。",
                        messages.SUCCESS,
                    )
                    # The send page follows the request until it is at the service or failed.
                    return HttpResponseRedirect(
                        reverse("admin:contracts_contract_send", args=[contract.pk])
                    )
        problems = selectors.gate_problems(contract) if contract.status in SENDABLE else []
        latest = contract.signing_requests.order_by("-created_at", "-id").first()
        in_flight = latest is not None and latest.status in PROGRESSING
        return TemplateResponse(
            request,
            "admin/contracts/contract/send.html",
            {
                **self.admin_site.each_context(request),
                "title": f"送信前の確認: {contract.case.number} {contract.title}",
                "contract": contract,
                "sendable": contract.status in SENDABLE,
                "plan": selectors.send_plan(contract),
                "files": contract.files.select_related("file"),
                "problems": problems,
                "check": check,
                "form": form,
                "errors": errors,
                "can_send": can_send,
                "latest": latest,
                "in_flight": in_flight,
                "refresh_seconds": REFRESH_SECONDS,
                "opts": self.model._meta,
            },
        )

    def resend_as_is_view(self, request: HttpRequest, pk: int):
        """却下 → the decision to send the same PDF again, with its reason (POST only)."""
        contract = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not request.user.has_perm(SEND_PERM):
            raise PermissionDenied
        try:
            services.contract_record_resend_as_is(
                contract=contract,
                reason=request.POST.get("reason", ""),
                user=request.user,
                request=request,
            )
        except services.ContractError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(
                request,
                "そのまま再送信する判断を記録しました。送信前の確認から送信できます。",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:contracts_contract_change", args=[pk]))
