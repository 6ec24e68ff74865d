"""⑥ 電子契約利用申出書 (別記様式第2号)."""

from __future__ import annotations

import datetime as dt

from applications.fields import DateField, EmailField
from applications.kinds.base import REQUIRED, KindForm, char
from applications.kinds.registry import ALL, ECONTRACT, register


@register(ECONTRACT, "電子契約利用申出書", ALL, needed=True)
class EContractForm(KindForm):
    pdf_number = "別記様式第2号（第12条関係）"
    pdf_intro = (
        "足利市と電子契約サービスを利用して行う契約の締結において、利用するメールアドレスは、"
        "次のとおりです。また、変更契約に関しても同様とします。"
    )
    pdf_notes = (
        "※留意事項",
        "・契約締結権限者のみとする場合は契約担当者1～3は空欄。",
        "・利用するメールアドレスに変更があった場合、再度本様式による提出をお願いします。",
    )
    date_field = "applied_on"
    applied_on = DateField(label="申請日", error_messages=REQUIRED)
    address = char("住所", max_length=300)
    company_name = char("商号又は名称", max_length=200)
    representative = char("代表者氏名")
    case_title = char("(1) 工事名（物件・委託名）", max_length=200)
    case_place = char("(2) 工事（納入・委託）場所", max_length=200)
    signer_name = char("契約締結権限者 氏名", max_length=64)
    signer_email = EmailField(label="契約締結権限者 メールアドレス", error_messages=REQUIRED)
    staff1_name = char("契約担当者1 氏名", required=False, max_length=64)
    staff1_email = EmailField(label="契約担当者1 メールアドレス", required=False)
    staff2_name = char("契約担当者2 氏名", required=False, max_length=64)
    staff2_email = EmailField(label="契約担当者2 メールアドレス", required=False)
    staff3_name = char("契約担当者3 氏名", required=False, max_length=64)
    staff3_email = EmailField(label="契約担当者3 メールアドレス", required=False)

    sections = [
        ("申請者", ["applied_on", "address", "company_name", "representative"]),
        ("1 案件", ["case_title", "case_place"]),
        ("2 契約締結権限者（必須）", ["signer_name", "signer_email"]),
        (
            "3 契約担当者",
            [
                "staff1_name",
                "staff1_email",
                "staff2_name",
                "staff2_email",
                "staff3_name",
                "staff3_email",
            ],
        ),
    ]

    @classmethod
    def initial_for(cls, case, company) -> dict:
        return {
            "applied_on": dt.date.today(),
            "address": company.address,
            "company_name": company.name,
            "representative": company.representative,
            "case_title": case.title,
            "case_place": case.place,
        }

    def clean(self):
        cleaned = super().clean()
        emails = []
        if cleaned.get("signer_email"):
            emails.append(cleaned["signer_email"].lower())
        for i in (1, 2, 3):
            name, email = cleaned.get(f"staff{i}_name"), cleaned.get(f"staff{i}_email")
            if name and not email and f"staff{i}_email" not in self.errors:
                self.add_error(
                    f"staff{i}_email", f"契約担当者{i}のメールアドレスを入力してください。"
                )
            if email and not name:
                self.add_error(f"staff{i}_name", f"契約担当者{i}の氏名を入力してください。")
            if email:
                if email.lower() in emails:
                    self.add_error(
                        f"staff{i}_email",
                        "同じメールアドレスは複数の欄に入力できません（クラウドサインの宛先・共有先は重複できません）。",
                    )
                emails.append(email.lower())
        return cleaned
