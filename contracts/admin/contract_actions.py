"""The contract admin's changelist actions (送信, リマインド, 再試行, 変更契約, 取消し)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from contracts import pdf_check, selectors, services
from contracts.admin.forms import CancelForm
from contracts.constants import RETRYABLE, RequestStatus


class ContractActionsMixin:
    """Actions of ``ContractAdmin``; each calls one service per selected contract."""

    def _each(self, request, queryset, func, done_message):
        done = 0
        for contract in queryset:
            try:
                func(contract)
                done += 1
            except services.ContractError as exc:
                for problem in exc.problems:
                    self.message_user(request, f"{contract}: {problem}", messages.ERROR)
        if done:
            self.message_user(request, done_message.format(n=done), messages.SUCCESS)

    @admin.action(description="電子署名に送信する（確認画面へ）")
    def send_selected(self, request, queryset):
        """Bulk send, after a page listing each contract with its gate and PDF check; a contract
        whose PDF does not agree with the case is sent only from its own send page (reason)."""
        contracts = list(
            queryset.select_related("case", "case__department", "case__awarded_company")
        )
        rows = []
        for contract in contracts:
            problems = selectors.gate_problems(contract)
            check = pdf_check.check_contract(contract) if not problems else None
            if check is not None and check.mismatches:
                problems = [f"契約書PDFの{i.name}が案件と一致しません。" for i in check.mismatches]
            rows.append((contract, problems, check))
        if "apply" in request.POST:
            checks = {contract.pk: check for contract, _, check in rows}
            self._each(
                request,
                [contract for contract, problems, _ in rows if not problems],
                # the PDF check above is the send's: each PDF is read once per send
                lambda c: services.contract_send_for_signature(
                    contract=c, user=request.user, request=request, check=checks[c.pk]
                ),
                "{n}件の契約を送信しました（クラウドサインへの登録は数秒〜数分で完了します）。",
            )
            for contract, problems, _ in rows:
                for problem in problems:
                    self.message_user(request, f"{contract}: {problem}", messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/contracts/contract/send_bulk.html",
            {
                **self.admin_site.each_context(request),
                "title": "電子署名への送信（確認）",
                "rows": rows,
                "ready": sum(1 for _, problems, _ in rows if not problems),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="署名待ちの相手にリマインドする")
    def remind_selected(self, request, queryset):
        def remind(contract):
            active = contract.signing_requests.filter(status=RequestStatus.WAITING).first()
            if active is None:
                raise services.ContractError("署名待ちの署名依頼がありません。")
            services.signing_request_remind(
                signing_request=active, user=request.user, request=request
            )

        self._each(request, queryset, remind, "{n}件の契約でリマインドしました。")

    @admin.action(description="署名依頼を再試行する（送信待ち・送信中・送信失敗）")
    def retry_selected(self, request, queryset):
        def retry(contract):
            stuck = contract.signing_requests.filter(status__in=RETRYABLE).first()
            if stuck is None:
                raise services.ContractError(
                    "再試行できる署名依頼（送信待ち・送信中・送信失敗）がありません。"
                )
            services.signing_request_retry(
                signing_request=stuck, user=request.user, request=request
            )

        self._each(request, queryset, retry, "{n}件の署名依頼を再試行します。")

    @admin.action(description="変更契約を作成する")
    def create_change_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda c: services.contract_create_change(
                original=c, user=request.user, request=request
            ),
            "{n}件の変更契約を作成しました。金額・期間を修正し、PDFを登録して送信してください。",
        )

    @admin.action(description="署名依頼を取り消す（理由を入力）")
    def cancel_selected(self, request, queryset):
        if "apply" in request.POST:
            form = CancelForm(request.POST)
            if form.is_valid():
                self._each(
                    request,
                    queryset,
                    lambda c: services.contract_cancel(
                        contract=c,
                        user=request.user,
                        comment=form.cleaned_data["comment"],
                        request=request,
                    ),
                    "{n}件の署名依頼を取り消しました。",
                )
                return None
        else:
            form = CancelForm()
        return TemplateResponse(
            request,
            "admin/contracts/contract/cancel.html",
            {
                **self.admin_site.each_context(request),
                "title": "署名依頼の取消",
                "form": form,
                "contracts": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
