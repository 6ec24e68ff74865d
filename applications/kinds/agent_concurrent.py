"""③ 現場代理人兼任届."""

from __future__ import annotations

from django import forms
from django.conf import settings

from applications.constants import Purpose
from applications.fields import DateField, YenField
from applications.kinds.base import REQUIRED, KindForm, char
from applications.kinds.registry import BUILD, register

CONCURRENT_MAX = 3  # other contracts the 現場代理人 may hold at the same time


def other_key(i: int, part: str) -> str:
    """other_title, other2_title, other3_title (the first keeps its old name)."""
    return f"other{'' if i == 1 else i}_{part}"


@register(
    "agent_concurrent",
    "現場代理人兼任届",
    BUILD,
    required_purposes=(Purpose.SCHEDULE, Purpose.LOCATION_MAP),
)
class AgentConcurrentForm(KindForm):
    """The 現場代理人 of this 工事 also in charge of up to three other contracts. Each contract
    must be under the amount set by the city (AGENT_CONCURRENT_AMOUNT_LIMIT); the 連絡員 is
    required or optional by setting (AGENT_CONCURRENT_LIAISON_REQUIRED); the 工程表 and a
    位置図 of the sites are attached."""

    agent_name = char("現場代理人 氏名")
    agent_phone = forms.RegexField(
        label="現場代理人 連絡先（携帯電話）",
        regex=r"^0[5789]0-?\d{4}-?\d{4}$",
        error_messages={
            **REQUIRED,
            "invalid": "携帯電話番号を入力してください（例: 090-1234-5678）。",
        },
    )
    pledge = forms.BooleanField(
        label="足利市の定める兼任の条件を満たしていることを誓約します",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sections = [("現場代理人", ["agent_name", "agent_phone"])]
        for i in range(1, CONCURRENT_MAX + 1):
            required = i == 1
            title = "兼任する工事" + ("" if i == 1 else f"{i}（ある場合）")
            self.fields[other_key(i, "orderer")] = char(
                f"{title}の発注者", required=required, max_length=200
            )
            self.fields[other_key(i, "title")] = char(
                f"{title}の工事名", required=required, max_length=200
            )
            self.fields[other_key(i, "place")] = char(
                f"{title}の工事場所", required=required, max_length=200
            )
            self.fields[other_key(i, "amount")] = YenField(
                label=f"{title}の契約金額（円）", required=required, error_messages=REQUIRED
            )
            self.fields[other_key(i, "start")] = DateField(
                label=f"{title}の工期（始期）", required=required, error_messages=REQUIRED
            )
            self.fields[other_key(i, "end")] = DateField(
                label=f"{title}の工期（終期）", required=required, error_messages=REQUIRED
            )
            sections.append(
                (
                    title,
                    [
                        other_key(i, p)
                        for p in ("orderer", "title", "place", "amount", "start", "end")
                    ],
                )
            )
        liaison_required = settings.AGENT_CONCURRENT_LIAISON_REQUIRED
        suffix = "" if liaison_required else "（任意）"
        self.fields["liaison_name"] = char(f"連絡員 氏名{suffix}", required=liaison_required)
        self.fields["liaison_phone"] = char(
            f"連絡員 連絡先{suffix}", max_length=20, required=liaison_required
        )
        # pledge last, as on the 様式
        self.fields["pledge"] = self.fields.pop("pledge")
        sections += [("連絡員", ["liaison_name", "liaison_phone"]), ("誓約", ["pledge"])]
        self.sections = sections

    def clean(self):
        cleaned = super().clean()
        limit = settings.AGENT_CONCURRENT_AMOUNT_LIMIT
        if self.case.amount and self.case.amount >= limit:
            self.add_error(
                None,
                f"この工事の請負代金額が{limit:,}円以上のため、現場代理人の兼任はできません。",
            )
        parts = ("orderer", "title", "place", "amount", "start", "end")
        for i in range(1, CONCURRENT_MAX + 1):
            values = {p: cleaned.get(other_key(i, p)) for p in parts}
            if i > 1 and any(v not in (None, "") for v in values.values()):
                for p in parts:
                    if values[p] in (None, "") and other_key(i, p) not in self.errors:
                        self.add_error(
                            other_key(i, p), f"兼任する工事{i}の項目をすべて入力してください。"
                        )
            start, end = values["start"], values["end"]
            if start and end and end < start:
                self.add_error(other_key(i, "end"), "工期の終期は始期以降の日付にしてください。")
            amount = values["amount"]
            if amount is not None and amount >= limit:
                self.add_error(
                    other_key(i, "amount"),
                    f"兼任できるのは契約金額が{limit:,}円未満の工事です。",
                )
        if cleaned.get("liaison_name") and not cleaned.get("liaison_phone"):
            self.add_error("liaison_phone", "連絡員の連絡先を入力してください。")
        return cleaned
