"""The forms of the contract admin: the 契約書 file, 契約書の作成, 送信, 取消し."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from applications.fields import DateField, YenField
from contracts.models import (
    ContractFile,
)
from core import uploads
from core.uploads import validate_pdf_upload


class ContractFileForm(forms.ModelForm):
    upload = forms.FileField(
        label="PDFファイル",
        required=False,
        help_text="署名するPDF（20MBまで、パスワードなし）。保存すると登録されます。",
        error_messages={"empty": "ファイルが空です（0バイト）。"},
    )

    class Meta:
        model = ContractFile
        fields = ()

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                validate_pdf_upload(upload)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages[0]) from None
        return upload


def default_tax(amount: int | None) -> int | None:
    """取引に係る消費税額 in a 税込 amount at the standard 10 % (1円未満切捨て)."""
    return None if amount is None else amount * 10 // 110


class PrepareForm(forms.Form):
    """契約書の作成: the case's values prepared, the PDF in the same step."""

    title = forms.CharField(label="件名（契約書の工事名等）", max_length=200)
    amount = YenField(label="契約金額（税込）", min_value=1)
    tax_amount = YenField(
        label="うち取引に係る消費税額",
        required=False,
        help_text="税込金額から10％で計算した額を入れています。契約書の記載と同じにしてください。",
    )
    period_start = DateField(label="工期（始期）", required=False)
    period_end = DateField(label="工期（終期）", required=False)
    contract_date = DateField(
        label="契約日",
        required=False,
        help_text="空欄のままにすると、電子署名が完了した日（締結日）が契約日になります。",
    )
    upload = forms.FileField(
        label="契約書PDF",
        required=False,
        help_text="署名する契約書のPDF（20MBまで、パスワードなし）。",
        error_messages={"empty": "ファイルが空です（0バイト）。"},
    )
    pending = forms.CharField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="案件と異なる値にする理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="件名・金額・工期を案件と違う値にするときだけ入力します（記録されます）。",
    )

    def __init__(self, *args, case, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.case, self.request = case, request
        self.pending_name = None

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            try:
                self.pdf = validate_pdf_upload(upload)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages[0]) from None
        return upload

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "工期の終期は始期以降の日付にしてください。")
        amount, tax = data.get("amount"), data.get("tax_amount")
        if amount is not None and tax is not None and tax > amount:
            self.add_error("tax_amount", "消費税額は契約金額以下にしてください。")
        if data.get("upload") and hasattr(self, "pdf"):
            # Keep the chosen PDF: a later error must not make the clerk choose it again.
            data["pending"] = uploads.stash_pdf(self.request, self.pdf)
        self.pending_name = uploads.stashed_name(self.request, data.get("pending"))
        if not data.get("upload") and "upload" not in self.errors and not self.pending_name:
            self.add_error("upload", "契約書のPDFを選んでください。")
        differing = [
            label
            for label, key, expected in (
                ("件名", "title", self.case.title),
                ("契約金額", "amount", self.case.amount),
                ("工期（始期）", "period_start", self.case.period_start),
                ("工期（終期）", "period_end", self.case.period_end),
            )
            if expected not in (None, "") and key in data and data[key] != expected
        ]
        if differing and not (data.get("reason") or "").strip():
            self.add_error(
                "reason",
                "案件と異なる値（" + "、".join(differing) + "）にする理由を入力してください。",
            )
        return data


class SendForm(forms.Form):
    check_reason = forms.CharField(
        label="照合で不一致のまま送信する理由",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="契約書PDFの記載が案件と一致しないときだけ必要です（記録されます）。",
    )


class CaseNumberForm(forms.Form):
    number = forms.CharField(label="案件番号", max_length=30)


class CancelForm(forms.Form):
    comment = forms.CharField(
        label="取消の理由（受信者に通知されます）",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "取消の理由を入力してください。"},
    )
