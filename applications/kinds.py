"""The city's forms (様式), one Form class each, registered in one place.

A kind declares its code, its title as on the 様式, the case categories it applies to, and its
attachment rules. The workflow (services.py) never names a kind: adding a kind is adding a class
here and a line in ``KINDS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.conf import settings

from applications.constants import Purpose
from applications.fields import (
    DateField,
    DigitsField,
    EmailField,
    GuaranteeNumberField,
    YenField,
    to_yen,
)
from cases.constants import ADVANCE_RATIO, Category
from cases.rules import advance_limit
from core.text import fold_dashes, fold_name, normalize
from core.wareki import format_wareki

C = Category


class KindForm(forms.Form):
    """Base of every kind's form: NFKC-normalised input, the case and company at hand."""

    # (heading, [field names]) in the order of the 様式; None = every field, one section.
    sections: list[tuple[str, list[str]]] | None = None
    # For the printable PDF: the 様式 number, the sentence under the title, the notes at the end.
    pdf_number = ""
    pdf_intro = ""
    pdf_notes: tuple[str, ...] = ()
    # The field holding the 申請日, if the 様式 has one (else the submission date is printed).
    date_field = ""
    # Credentials: masked wherever the filing is shown (pages, PDF, admin, mail).
    secret_fields: frozenset[str] = frozenset()

    def __init__(self, *args, case, company, **kwargs):
        self.case = case
        self.company = company
        super().__init__(*args, **kwargs)
        if self.is_bound:
            data = self.data.copy()
            for key in list(data.keys()):
                values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                normalised = [normalize(v) if isinstance(v, str) else v for v in values]
                if hasattr(data, "setlist"):
                    data.setlist(key, normalised)
                else:
                    data[key] = normalised[0]
            self.data = data

    @classmethod
    def initial_for(cls, case, company) -> dict:
        return {}

    def pdf_header(self) -> list[tuple[str, str]]:
        """Rows printed above the fields (e.g. the 工事 header); empty: the case line."""
        return []

    def grouped(self) -> list[tuple[str, list]]:
        """(heading, [bound fields]) in the order of the 様式, for the page."""
        sections = self.sections or [("", list(self.fields))]
        return [(heading, [self[name] for name in names]) for heading, names in sections]

    def serialized(self) -> dict:
        """cleaned_data as JSON: dates as ISO strings."""
        out = {}
        for name, value in self.cleaned_data.items():
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
        return out

    def draft_data(self) -> dict:
        """What a 下書き keeps, valid or not: each field that cleaned as its typed value (int
        amounts, ISO dates), each field that did not as the text typed (normalised), so that
        nothing typed is lost and nothing stored can break a page."""
        self.is_valid()
        cleaned = self.serialized()
        out = {}
        for name in self.fields:
            if name in cleaned and name not in self.errors:
                out[name] = cleaned[name]
            elif name in self.data:
                value = self.data[name]
                out[name] = value if isinstance(value, str | int | bool) else str(value)
        return out

    def clean(self):
        cleaned = super().clean()
        amount = self.case.amount
        for name, f in self.fields.items():
            value = cleaned.get(name)
            if getattr(f, "not_above_case", False) and amount and value and value > amount:
                self.add_error(name, f"{f.label}は請負金額（{amount:,}円）以下で入力してください。")
        return cleaned

    def in_period(self, name: str, value: dt.date | None, *, label: str) -> None:
        case = self.case
        if (
            value
            and case.period_start
            and case.period_end
            and not case.period_start <= value <= case.period_end
        ):
            self.add_error(
                name,
                f"{label}は工期（{format_wareki(case.period_start)}〜"
                f"{format_wareki(case.period_end)}）の範囲内で入力してください。",
            )


REQUIRED = {"required": "この項目は必須です。"}


def char(label: str, *, required: bool = True, max_length: int = 100, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=REQUIRED, **kwargs
    )


def text(label: str, *, required: bool = True, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REQUIRED,
        **kwargs,
    )


# --- ⑥ 電子契約利用申出書 (別記様式第2号) -------------------------------------------------------


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

    @staticmethod
    def signers_of(data: dict) -> tuple[tuple[str, str], list[tuple[str, str]]]:
        """(契約締結権限者 (name, email), [契約担当者 (name, email) …]) from stored data."""
        staff = [
            (data[f"staff{i}_name"], data[f"staff{i}_email"])
            for i in (1, 2, 3)
            if data.get(f"staff{i}_name") and data.get(f"staff{i}_email")
        ]
        return (data["signer_name"], data["signer_email"]), staff


# --- ① リサイクル別紙 -------------------------------------------------------------------------
# 建設リサイクル法第13条 (domain-notes §4.5): the contract states 分別解体等の方法 per 工程,
# the 解体工事に要する費用, the 施設 where each 特定建設資材廃棄物 is recycled and the
# 再資源化等に要する費用. The three 標準様式 (届出書 別表1・2・3: 建築物の解体,
# 建築物の新築・増築等, 工作物) each have their own 工程.

METHODS = [("manual", "手作業"), ("manual_machine", "手作業・機械作業の併用"), ("none", "工程なし")]
PROCESSES = [  # 工作物 (別表3); also the variant of filings made before the variants existed
    ("temporary", "仮設"),
    ("earthwork", "土工"),
    ("foundation", "基礎"),
    ("structure", "本体構造"),
    ("fixtures", "本体付属品"),
    ("other", "その他"),
]
RECYCLE_VARIANTS = {
    "demolition": (
        "建築物（解体）",
        [
            ("equipment", "建築設備・内装材等"),
            ("roof", "屋根ふき材"),
            ("exterior", "外装材・上部構造部分"),
            ("foundation", "基礎・基礎ぐい"),
            ("other", "その他"),
        ],
    ),
    "new_building": (
        "建築物（新築・増築）",
        [
            ("site", "造成等"),
            ("foundation", "基礎・基礎ぐい"),
            ("superstructure", "上部構造部分・外装"),
            ("roof", "屋根"),
            ("equipment", "建築設備・内装等"),
            ("other", "その他"),
        ],
    ),
    "structure": ("工作物", PROCESSES),
}
DEFAULT_RECYCLE_VARIANT = "structure"
WASTES = [
    ("concrete", "コンクリート"),
    ("asphalt", "アスファルト・コンクリート"),
    ("wood", "木材"),
    ("other", "その他"),
]
FACILITIES_PER_WASTE = 3


def facility_key(code: str, i: int, part: str) -> str:
    """facility_concrete_name, facility_concrete2_name … (the first row keeps its old name)."""
    return f"facility_{code}{'' if i == 1 else i}_{part}"


class RecycleForm(KindForm):
    """リサイクル別紙: the 様式 chosen first; its 工程 follow (saved as a draft to switch)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        variant = source.get("variant") or DEFAULT_RECYCLE_VARIANT
        self.variant = variant if variant in RECYCLE_VARIANTS else DEFAULT_RECYCLE_VARIANT
        self.fields["variant"] = forms.ChoiceField(
            label="様式（工事の種類）",
            choices=[(k, v[0]) for k, v in RECYCLE_VARIANTS.items()],
            initial=self.variant,
            error_messages=REQUIRED,
            help_text="様式を変えたときは下書き保存すると、その様式の工程が表示されます。",
        )
        processes = RECYCLE_VARIANTS[self.variant][1]
        for code, label in processes:
            self.fields[f"method_{code}"] = forms.ChoiceField(
                label=f"分別解体等の方法（{label}）", choices=METHODS, error_messages=REQUIRED
            )
        self.fields["other_process"] = char(
            "「その他」の工程の内容", required=False, max_length=200
        )
        cost_names = []
        if self.variant != "new_building":
            self.fields["demolition_cost"] = YenField(
                label="解体工事に要する費用（円）", error_messages=REQUIRED, not_above_case=True
            )
            cost_names.append("demolition_cost")
        self.fields["other_material"] = char(
            "「その他」の特定建設資材廃棄物の種類", required=False, max_length=100
        )
        facility_names = ["other_material"]
        for code, label in WASTES:
            for i in range(1, FACILITIES_PER_WASTE + 1):
                suffix = "" if i == 1 else f" {i}"
                self.fields[facility_key(code, i, "name")] = char(
                    f"再資源化等をする施設の名称（{label}{suffix}）", required=False, max_length=200
                )
                self.fields[facility_key(code, i, "address")] = char(
                    f"再資源化等をする施設の所在地（{label}{suffix}）",
                    required=False,
                    max_length=300,
                )
                facility_names += [facility_key(code, i, "name"), facility_key(code, i, "address")]
        self.fields["recycling_cost"] = YenField(
            label="特定建設資材廃棄物の再資源化等に要する費用（円）",
            error_messages=REQUIRED,
            not_above_case=True,
        )
        self.sections = [
            ("様式", ["variant"]),
            ("1 分別解体等の方法", [f"method_{c}" for c, _ in processes] + ["other_process"]),
            *([("2 解体工事に要する費用", cost_names)] if cost_names else []),
            ("3 再資源化等をするための施設の名称及び所在地", facility_names),
            ("4 再資源化等に要する費用", ["recycling_cost"]),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method_other") not in (None, "", "none") and not cleaned.get(
            "other_process"
        ):
            self.add_error(
                "other_process", "「その他」の工程を選んだときは、その内容を入力してください。"
            )
        any_facility = False
        other_used = False
        for code, label in WASTES:
            for i in range(1, FACILITIES_PER_WASTE + 1):
                name_key, address_key = (
                    facility_key(code, i, "name"),
                    facility_key(code, i, "address"),
                )
                name, address = cleaned.get(name_key), cleaned.get(address_key)
                if bool(name) != bool(address):
                    self.add_error(
                        address_key if name else name_key,
                        f"{label}の施設は名称と所在地を両方入力してください。",
                    )
                if name or address:
                    any_facility = True
                    other_used = other_used or code == "other"
        if other_used and not cleaned.get("other_material"):
            self.add_error(
                "other_material",
                "「その他」の施設を入力したときは、資材廃棄物の種類を入力してください。",
            )
        if cleaned.get("other_material") and not other_used:
            self.add_error(
                facility_key("other", 1, "name"),
                "「その他」の資材廃棄物の再資源化等をする施設を入力してください。",
            )
        if not any_facility:
            self.add_error(
                facility_key("concrete", 1, "name"),
                "再資源化等をする施設を1つ以上入力してください（建設リサイクル法第13条）。",
            )
        return cleaned


# --- ② 現場代理人及び主任技術者等選任通知書 ----------------------------------------------------


@dataclass(frozen=True)
class FullTimeRule:
    """建設業法第26条第3項・施行令第27条第1項: 専任 from this 請負代金額 (建築一式: building)."""

    start: dt.date
    amount: int
    building: int


# Newest first; a revision of the 施行令 is one more row (domain-notes §4.3).
FULL_TIME_RULES = (
    FullTimeRule(dt.date(2025, 2, 1), 45_000_000, 90_000_000),
    FullTimeRule(dt.date(2023, 1, 1), 40_000_000, 80_000_000),
    FullTimeRule(dt.date(2016, 6, 1), 35_000_000, 70_000_000),
)


def full_time_threshold(made_on: dt.date, *, building: bool) -> int | None:
    """The 請負代金額 from which the engineer must be 専任, for a contract made on ``made_on``."""
    for rule in FULL_TIME_RULES:
        if made_on >= rule.start:
            return rule.building if building else rule.amount
    return None


def contract_date_of(case) -> dt.date | None:
    """The 契約日 of the case's 当初契約, once it is known."""
    return (
        case.contracts.filter(kind="initial", contract_date__isnull=False)
        .order_by("contract_date")
        .values_list("contract_date", flat=True)
        .first()
    )


def works_header(case) -> list[tuple[str, str]]:
    """工事名, 工事場所, 契約日, 工期, 請負代金額: the header of the 工事's own 様式."""
    made_on = contract_date_of(case)
    period = (
        f"{format_wareki(case.period_start)}〜{format_wareki(case.period_end)}"
        if case.period_start and case.period_end
        else ""
    )
    return [
        ("工事名", case.title),
        ("工事場所", case.place),
        ("契約日", format_wareki(made_on) if made_on else ""),
        ("工期", period),
        ("請負代金額", f"{case.amount:,}円" if case.amount else ""),
    ]


class SiteAgentForm(KindForm):
    agent_name = char("現場代理人 氏名")
    agent_kana = char("現場代理人 ふりがな")
    agent_authority = text(
        "現場代理人の権限",
        initial="契約書第10条第2項に定める権限（請負代金額の変更、契約の解除等に係るものを除く）",
    )
    agent_objection = text(
        "現場代理人に関する意見の申出の方法", initial="書面により受注者に申し出る"
    )
    engineer_role = forms.ChoiceField(
        label="技術者の区分",
        choices=[("chief", "主任技術者"), ("supervising", "監理技術者")],
        error_messages=REQUIRED,
    )
    engineer_name = char("技術者 氏名")
    engineer_kana = char("技術者 ふりがな")
    engineer_qualification = char("技術者の資格（名称）", max_length=200)
    engineer_license = char(
        "資格者証等の番号（監理技術者は監理技術者資格者証の番号）", max_length=50, required=False
    )
    works_kind = forms.ChoiceField(
        label="工事の種類",
        choices=[("other", "建築一式工事以外"), ("building", "建築一式工事")],
        initial="other",
        required=False,
        help_text="専任が必要となる請負代金額が異なります（建築一式工事は2倍）。",
    )
    full_time = forms.ChoiceField(
        label="専任・非専任",
        choices=[("full", "専任"), ("part", "非専任")],
        error_messages=REQUIRED,
    )
    start_on = DateField(label="配置開始日", error_messages=REQUIRED)
    assistant_name = char("監理技術者補佐 氏名（置く場合）", required=False)
    assistant_qualification = char("監理技術者補佐 資格（名称）", required=False, max_length=200)
    specialist_name = char("専門技術者 氏名（置く場合）", required=False)
    specialist_qualification = char("専門技術者 資格（名称）", required=False, max_length=200)
    specialist_scope = char("専門技術者 担当する工事の内容", required=False, max_length=200)

    sections = [
        ("現場代理人", ["agent_name", "agent_kana", "agent_authority", "agent_objection"]),
        (
            "主任技術者又は監理技術者",
            [
                "engineer_role",
                "engineer_name",
                "engineer_kana",
                "engineer_qualification",
                "engineer_license",
                "works_kind",
                "full_time",
                "start_on",
            ],
        ),
        ("監理技術者補佐", ["assistant_name", "assistant_qualification"]),
        ("専門技術者", ["specialist_name", "specialist_qualification", "specialist_scope"]),
    ]

    def pdf_header(self) -> list[tuple[str, str]]:
        return works_header(self.case)

    def clean(self):
        cleaned = super().clean()
        self.in_period("start_on", cleaned.get("start_on"), label="配置開始日")
        if cleaned.get("engineer_role") == "supervising" and not cleaned.get("engineer_license"):
            self.add_error(
                "engineer_license", "監理技術者は監理技術者資格者証の番号を入力してください。"
            )
        made_on = contract_date_of(self.case) or dt.date.today()
        building = cleaned.get("works_kind") == "building"
        threshold = full_time_threshold(made_on, building=building)
        amount = self.case.amount
        if threshold and amount and amount >= threshold and cleaned.get("full_time") == "part":
            self.add_error(
                "full_time",
                f"請負代金額が{threshold:,}円以上（{'建築一式工事、' if building else ''}"
                f"{format_wareki(made_on)}の契約）のため、技術者は専任としてください"
                "（建設業法第26条第3項）。",
            )
        for name, qualification, label in (
            ("assistant_name", "assistant_qualification", "監理技術者補佐"),
            ("specialist_name", "specialist_qualification", "専門技術者"),
        ):
            if cleaned.get(name) and not cleaned.get(qualification):
                self.add_error(qualification, f"{label}の資格を入力してください。")
            if cleaned.get(qualification) and not cleaned.get(name):
                self.add_error(name, f"{label}の氏名を入力してください。")
        if cleaned.get("specialist_name") and not cleaned.get("specialist_scope"):
            self.add_error("specialist_scope", "専門技術者が担当する工事の内容を入力してください。")
        if cleaned.get("assistant_name") and cleaned.get("engineer_role") != "supervising":
            self.add_error("assistant_name", "監理技術者補佐は監理技術者を置く場合に配置します。")
        return cleaned


# --- ③ 現場代理人兼任届 -----------------------------------------------------------------------

CONCURRENT_MAX = 3  # other contracts the 現場代理人 may hold at the same time


def other_key(i: int, part: str) -> str:
    """other_title, other2_title, other3_title (the first keeps its old name)."""
    return f"other{'' if i == 1 else i}_{part}"


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
        error_messages={"required": "誓約の確認が必要です。"},
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


# --- ④ 中間前金払と部分払の選択に係る届出書 -------------------------------------------------


class MidtermChoiceForm(KindForm):
    choice = forms.ChoiceField(
        label="選択する支払方法",
        choices=[("midterm", "中間前金払"), ("partial", "部分払")],
        widget=forms.RadioSelect,
        error_messages={
            **REQUIRED,
            "invalid_choice": "中間前金払か部分払のどちらか一方を選んでください。",
        },
        help_text="中間前金払と部分払は併用できません。選ばなかった方法は請求しません。",
    )
    pledge = forms.BooleanField(
        label="選択しなかった支払方法は請求しないことを届け出ます",
        error_messages={"required": "届出内容の確認が必要です。"},
    )


# --- ⑤ 前金払申請書及び前払金請求書 ----------------------------------------------------------

# 中間前金払: up to 2割 of the 請負金額, and 前払金 + 中間前払金 up to 6割 (domain-notes §4.2-7).
MIDTERM_RATIO = 20
ADVANCE_TOTAL_RATIO = 60


def advance_problems(case) -> list[str]:
    """Why the case has no 前払金 (empty: it has one): the case's own 前払金 flag, and the
    city's minimum 請負金額 and 工期 (settings ADVANCE_MIN_AMOUNT / ADVANCE_MIN_PERIOD_DAYS)."""
    if not case.advance_payment:
        return ["この案件は前払金の対象ではありません（案件の設定が「前払金なし」です）。"]
    if not case.amount:
        return ["この案件は前払金の対象ではありません（請負金額が未登録です）。"]
    minimum = settings.ADVANCE_MIN_AMOUNT
    if case.amount < minimum:
        return [f"請負金額が{minimum:,}円未満のため、前払金の対象ではありません。"]
    days = settings.ADVANCE_MIN_PERIOD_DAYS
    if (
        days
        and case.period_start
        and case.period_end
        and (case.period_end - case.period_start).days + 1 < days
    ):
        return [f"工期が{days}日未満のため、前払金の対象ではありません。"]
    return []


PAYMENT_TYPES = [("advance", "前払金"), ("midterm", "中間前払金")]


def _filed(case, kind: str):
    """The case's filed applications of ``kind`` (not 下書き or 取下げ), newest first."""
    from applications.constants import Status
    from applications.models import Application

    return (
        Application.objects.filter(case=case, kind=kind)
        .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        .order_by("-created_at", "-id")
    )


def midterm_chosen(case) -> bool:
    """Whether the latest ④ 選択に係る届出書 chose 中間前金払."""
    latest = _filed(case, "midterm_choice").first()
    return latest is not None and latest.data.get("choice") == "midterm"


def filed_amount(case, payment_type: str = "advance") -> int | None:
    """The amount requested in the latest filed ⑤ of ``payment_type`` (前払金 / 中間前払金)."""
    for application in _filed(case, "advance_payment"):
        if (application.data.get("payment_type") or "advance") == payment_type:
            try:
                return int(application.data.get("requested_amount"))
            except (TypeError, ValueError):
                return None
    return None


def midterm_limit(case) -> int | None:
    """The largest 中間前払金: 2割 of the 請負金額 and, with the 前払金 requested, 6割 in all
    (1万円未満切捨)."""
    if not case.amount:
        return None
    alone = case.amount * MIDTERM_RATIO // 100
    total = case.amount * ADVANCE_TOTAL_RATIO // 100 - (filed_amount(case, "advance") or 0)
    return max(min(alone, total), 0) // 10_000 * 10_000


class AdvancePaymentForm(KindForm):
    """⑤ 前金払申請書及び前払金請求書 — also for the 中間前払金 (工事, after ④ chose 中間前金払)."""

    payment_type = forms.ChoiceField(
        label="請求の種類",
        choices=PAYMENT_TYPES,
        required=False,
        initial="advance",
        help_text="中間前払金は「中間前金払と部分払の選択に係る届出書」で中間前金払を選んだ工事だけです。",
    )
    requested_amount = YenField(
        label="前払金請求額（円）", min_value=10_000, error_messages=REQUIRED
    )
    guarantor = char("保証事業会社名", max_length=100, initial="東日本建設業保証株式会社")
    guarantee_number = GuaranteeNumberField(label="保証契約番号")
    guarantee_amount = YenField(label="保証金額（円）", not_above_case=True)
    guarantee_until = DateField(label="保証期限", error_messages=REQUIRED)
    certificate_form = forms.ChoiceField(
        label="保証証書の形式",
        choices=[("electronic", "電子保証（保証契約番号と認証キー）"), ("paper", "紙の保証証書")],
        error_messages=REQUIRED,
    )
    bank_name = char("預託金融機関（前払金専用口座）", max_length=100)
    branch_name = char("支店名", max_length=100)
    account_type = forms.ChoiceField(
        label="預金種別", choices=[("ordinary", "普通"), ("settlement", "決済用")]
    )
    account_number = DigitsField(
        label="口座番号",
        length=7,
        message="口座番号は7桁の数字で入力してください。",
        error_messages=REQUIRED,
    )
    account_holder = char("口座名義", max_length=100)

    def clean_guarantee_number(self) -> str:
        return fold_dashes(self.cleaned_data["guarantee_number"]).upper()

    def clean_payment_type(self) -> str:
        return self.cleaned_data.get("payment_type") or "advance"

    def check_amount(self, amount: int) -> None:
        """The 前払金's own rules: the case has one; at most 4割 (3割), 1万円未満切捨."""
        if self.cleaned_data.get("payment_type") == "midterm":
            self.check_midterm(amount)
            return
        problems = advance_problems(self.case)
        if problems:
            self.add_error("requested_amount", problems[0])
            return
        limit = advance_limit(self.case)
        ratio = ADVANCE_RATIO.get(self.case.category)
        if limit is None:
            self.add_error("requested_amount", "この案件の契約区分には前払金がありません。")
        elif amount % 10_000:
            self.add_error(
                "requested_amount", "前払金請求額は1万円未満を切り捨てた額で入力してください。"
            )
        elif amount > limit:
            self.add_error(
                "requested_amount",
                f"前払金請求額は請負金額の{ratio}％（1万円未満切捨て）以内、"
                f"{limit:,}円以下で入力してください。",
            )

    def check_midterm(self, amount: int) -> None:
        """中間前払金: only after 中間前金払 was chosen (④); at most 2割 of the 請負金額 and 6割
        together with the 前払金 (domain-notes §4.2-7, S-P1..S-P3)."""
        if not midterm_chosen(self.case):
            self.add_error(
                "payment_type",
                "「中間前金払と部分払の選択に係る届出書」で中間前金払を選んでいないため、"
                "中間前払金は請求できません。",
            )
            return
        problems = advance_problems(self.case)
        if problems:
            self.add_error("requested_amount", problems[0])
            return
        limit = midterm_limit(self.case) or 0
        if amount % 10_000:
            self.add_error(
                "requested_amount", "中間前払金請求額は1万円未満を切り捨てた額で入力してください。"
            )
        elif amount > limit:
            advance = filed_amount(self.case, "advance") or 0
            self.add_error(
                "requested_amount",
                f"中間前払金は請負金額の2割以内、前払金（{advance:,}円）との合計で6割以内です。"
                f"{limit:,}円以下で入力してください。",
            )

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("requested_amount")
        if amount is not None:
            self.check_amount(amount)
        guarantee = cleaned.get("guarantee_amount")
        if amount is not None and guarantee is not None and guarantee != amount:
            # 保証金額 = 前払金 (domain-notes §1.6; the staff check demands the same)
            self.add_error(
                "guarantee_amount",
                f"保証金額は請求額（{amount:,}円）と同じ額にしてください"
                f"（保証金額が請求額を{'下回って' if guarantee < amount else '上回って'}います）。",
            )
        until = cleaned.get("guarantee_until")
        if until and self.case.period_end and until < self.case.period_end:
            self.add_error(
                "guarantee_until",
                f"保証期限は工期の終期（{format_wareki(self.case.period_end)}）以降にしてください。",
            )
        return cleaned


# --- ① 業務主任技術者及び照査技術者選任通知書 (建設工事関連業務) ------------------------------


class ServiceEngineersForm(KindForm):
    manager_name = char("業務主任技術者（管理技術者） 氏名")
    manager_qualification = char(
        "業務主任技術者 資格", max_length=200, help_text="例: 技術士（建設部門）、RCCM"
    )
    checker_name = char("照査技術者 氏名")
    checker_qualification = char("照査技術者 資格", max_length=200)
    assistant_names = char(
        "担当技術者 氏名（任意・複数は「、」区切り）", required=False, max_length=300
    )

    def clean(self):
        cleaned = super().clean()
        manager, checker = cleaned.get("manager_name"), cleaned.get("checker_name")
        # the same person however the name is typed: widths, spaces, 異体字 (髙/高, 﨑/崎, 邊/辺 …)
        if manager and checker and fold_name(manager) == fold_name(checker):
            self.add_error(
                "checker_name",
                "照査技術者は業務主任技術者（管理技術者）と別の者を選任してください。",
            )
        return cleaned


# --- attachment-only kinds (⑦ 工程表, ⑧ 認証キーのお知らせ, 資格を証する書類) -------------------


class AttachmentOnlyForm(KindForm):
    note = char("備考", required=False, max_length=500)


# --- ⑧ 電子保証に係る認証キーのお知らせ (read from the PDF, confirmed by the contractor) -------


class SuretyNoticeForm(KindForm):
    """What was read from the notice PDF; the contractor confirms or corrects it.

    When the PDF cannot be read, the contractor may tick 「手入力」 and attach it again: the PDF is
    kept, and the 保証契約番号 and 認証キー are typed twice each, the key masked (type=password,
    never rendered back into the page). Staff see such a filing marked 「手入力」.
    """

    construction_name = char("工事名", max_length=300)
    contractor_name = char("受注者名（JVの場合は代表者）", max_length=300)
    product = forms.ChoiceField(
        label="商品（保証区分）",
        choices=[
            ("前払金保証", "前払金保証"),
            ("契約保証", "契約保証"),
            ("中間前払金保証", "中間前払金保証"),
        ],
        error_messages=REQUIRED,
    )
    guarantee_number = GuaranteeNumberField(label="保証契約番号")
    auth_key = char(
        "認証キー",
        max_length=64,
        help_text="大文字・小文字を区別します。お知らせのPDFの記載どおりか確認してください。",
    )
    manual_entry = forms.BooleanField(
        label="PDFを読み取れない場合は、保証契約番号と認証キーを手入力して提出する",
        required=False,
        help_text="チェックを入れてPDFを添付すると、読み取れなかったPDFも添付したまま手入力で提出できます。",
    )
    secret_fields = frozenset({"auth_key", "auth_key_confirm"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        self.manual = str(source.get("manual_entry", "")).lower() in {"on", "true", "1", "yes"}
        if self.manual:
            self.fields["guarantee_number_confirm"] = char(
                "保証契約番号（確認のためもう一度）", max_length=40
            )
            self.fields["auth_key"].widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "off"}
            )
            self.fields[
                "auth_key"
            ].help_text = (
                "お知らせのPDFの記載どおりに入力してください（大文字・小文字を区別します）。"
            )
            self.fields["auth_key_confirm"] = char(
                "認証キー（確認のためもう一度）",
                max_length=64,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            )
            self.order_fields(
                [
                    "manual_entry",
                    "construction_name",
                    "contractor_name",
                    "product",
                    "guarantee_number",
                    "guarantee_number_confirm",
                    "auth_key",
                    "auth_key_confirm",
                ]
            )

    def clean_guarantee_number(self) -> str:
        # every dash look-alike (−, ‐, －, ー …) is 「-」: the no-mixing rule matches on the number
        return fold_dashes(self.cleaned_data["guarantee_number"]).upper()

    def clean_guarantee_number_confirm(self) -> str:
        return fold_dashes(self.cleaned_data["guarantee_number_confirm"]).upper()

    def clean_auth_key(self) -> str:
        key = self.cleaned_data["auth_key"].replace(" ", "")  # width-normalised; case kept
        if not key.isascii() or not key.isalnum():
            raise forms.ValidationError("認証キーは半角英数字で入力してください。")
        return key

    def clean_auth_key_confirm(self) -> str:
        return self.cleaned_data["auth_key_confirm"].replace(" ", "")

    def clean(self):
        cleaned = super().clean()
        if self.manual:
            number, again = (
                cleaned.get("guarantee_number"),
                cleaned.pop("guarantee_number_confirm", None),
            )
            if number and again is not None and number != again:
                self.add_error(
                    "guarantee_number_confirm", "保証契約番号が1回目の入力と一致しません。"
                )
            key, again = cleaned.get("auth_key"), cleaned.pop("auth_key_confirm", None)
            if key and again is not None and key != again:
                self.add_error("auth_key_confirm", "認証キーが1回目の入力と一致しません。")
        return cleaned


# --- the registry ---

# A kind's own steps, plugged in by the app that owns them from its AppConfig.ready() (the 認証キー
# notice: surety). A class or object with any of: before_attach(application, purpose, data) -> dict,
# check_submit(application) -> list, confirm_warnings(application) -> list (shown on the 確認画面,
# the filing is still allowed), after_submit(application, user, request).
_HOOKS: dict[str, object] = {}


def register_hooks(kind_code: str, hooks: object) -> None:
    if kind_code in _HOOKS and _HOOKS[kind_code] is not hooks:
        raise ValueError(f"hooks for {kind_code!r} are already registered")
    _HOOKS[kind_code] = hooks


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    form: type[KindForm]
    categories: tuple[str, ...]
    required_purposes: tuple[str, ...] = ()
    allowed_purposes: tuple[str, ...] = (Purpose.OTHER,)
    # Whether every case of the kind's categories needs this filing ("advance": only a case with
    # 前払金). The others depend on the work (兼任, リサイクル, 中間前金払, 電子保証 or paper).
    # [INFERRED from the briefing's list; confirm with 契約管財課]
    needed: bool | str = False

    def needed_for(self, case) -> bool:
        if self.needed == "advance":
            return bool(case.advance_payment)
        return bool(self.needed)

    def hook(self, name: str):
        """The kind's own step ``name``, if another app registered one (see ``register_hooks``)."""
        return getattr(_HOOKS.get(self.code), name, None)

    def applies_to(self, category: str) -> bool:
        return category in self.categories

    @property
    def required_labels(self) -> list[str]:
        return [Purpose(p).label for p in self.required_purposes]

    @property
    def purposes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.required_purposes, *self.allowed_purposes)))


ALL = tuple(C.values)
BUILD = (C.CONSTRUCTION,)
SERVICE = (C.CONSTRUCTION_SERVICE,)
BOTH = (C.CONSTRUCTION, C.CONSTRUCTION_SERVICE)

KINDS: tuple[Kind, ...] = (
    Kind("recycle", "リサイクル別紙", RecycleForm, BUILD),
    Kind("site_agent", "現場代理人及び主任技術者等選任通知書", SiteAgentForm, BUILD, needed=True),
    Kind(
        "service_engineers",
        "業務主任技術者及び照査技術者選任通知書",
        ServiceEngineersForm,
        SERVICE,
        needed=True,
    ),
    Kind(
        "agent_concurrent",
        "現場代理人兼任届",
        AgentConcurrentForm,
        BUILD,
        required_purposes=(Purpose.SCHEDULE, Purpose.LOCATION_MAP),
    ),
    Kind("midterm_choice", "中間前金払と部分払の選択に係る届出書", MidtermChoiceForm, BUILD),
    Kind(
        "advance_payment",
        "前金払申請書及び前払金請求書",
        AdvancePaymentForm,
        BOTH,
        needed="advance",
    ),
    Kind("econtract", "電子契約利用申出書", EContractForm, ALL, needed=True),
    Kind(
        "schedule",
        "工程表",
        AttachmentOnlyForm,
        BOTH,
        required_purposes=(Purpose.SCHEDULE,),
        needed=True,
    ),
    Kind(
        "surety_notice",
        "電子保証に係る認証キーのお知らせ",
        SuretyNoticeForm,
        BOTH,
        required_purposes=(Purpose.SURETY_NOTICE,),
        allowed_purposes=(),
    ),
    Kind(
        "qualification",
        "資格を証する書類",
        AttachmentOnlyForm,
        SERVICE,
        required_purposes=(Purpose.QUALIFICATION,),
        needed=True,
    ),
)
BY_CODE = {k.code: k for k in KINDS}
ECONTRACT = "econtract"


def get_kind(code: str) -> Kind:
    return BY_CODE[code]


def kinds_for(category: str) -> list[Kind]:
    return [k for k in KINDS if k.applies_to(category)]


def labelled_values(
    kind: Kind, data: dict, case, company
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The stored data as (section, [(label, display value)]) in the order of the 様式."""
    form = kind.form(initial=data, case=case, company=company)  # the variant the data is in
    sections = form.sections or [("", list(form.fields))]
    out = []
    for heading, names in sections:
        rows = []
        for name in names:
            f = form.fields[name]
            value = data.get(name)
            shown = mask(value) if name in form.secret_fields else display(f, value)
            rows.append((str(f.label), shown))
        out.append((heading, rows))
    return out


def mask(value) -> str:
    """A credential as people see it: never a character of it."""
    return "●●●●●●●●●●●●（非表示）" if value else ""


def display(f: forms.Field, value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(f, forms.BooleanField):
        return "はい" if value else "いいえ"
    if isinstance(f, forms.ChoiceField):
        return dict(f.choices).get(value, str(value))
    if isinstance(f, YenField):
        amount = to_yen(value)
        return f"{amount:,}円" if amount is not None else f"{value}（金額として読めません）"
    if isinstance(f, forms.DateField):
        try:
            return format_wareki(dt.date.fromisoformat(str(value)))
        except ValueError:
            return f"{value}（日付として読めません）"
    return str(value)
