from django import forms

from applications.constants import Purpose
from applications.fields import DateField


class AttachmentForm(forms.Form):
    purpose = forms.ChoiceField(label="添付するファイルの種類", required=False)
    upload = forms.FileField(
        label="PDFファイル",
        required=False,
        help_text="PDF形式、20MBまで。パスワード付きのPDFは添付できません。",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"empty": "ファイルが空です（0バイト）。"},
    )

    def __init__(self, *args, purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [(p, Purpose(p).label) for p in purposes]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("upload") and not cleaned.get("purpose"):
            self.add_error("purpose", "添付するファイルの種類を選んでください。")
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(
        label="メッセージ",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "メッセージを入力してください。"},
    )


class ReturnForm(forms.Form):
    """Staff: 差戻し with a reason and an optional deadline for the re-submission."""

    reason = forms.CharField(
        label="差戻しの理由",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={"required": "差戻しの理由を入力してください。"},
    )
    deadline = DateField(label="再提出の期限（任意）", required=False)
