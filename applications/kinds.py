"""The city's forms (様式), one Form class each, registered in one place.

A kind declares its code, its title as on the 様式, the case categories it applies to, and its
attachment rules. The workflow (services.py) never names a kind: adding a kind is adding a class
here and a line in ``KINDS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms

from applications.constants import Purpose
from applications.fields import DateField, EmailField, YenField
from cases.constants import ADVANCE_RATIO, Category
from cases.rules import advance_limit
from core.text import normalize
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

METHODS = [("manual", "手作業"), ("manual_machine", "手作業・機械作業の併用"), ("none", "工程なし")]
PROCESSES = [
    ("temporary", "仮設"),
    ("earthwork", "土工"),
    ("foundation", "基礎"),
    ("structure", "本体構造"),
    ("fixtures", "本体付属品"),
    ("other", "その他"),
]
WASTES = [("concrete", "コンクリート"), ("asphalt", "アスファルト・コンクリート"), ("wood", "木材")]


class RecycleForm(KindForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in PROCESSES:
            self.fields[f"method_{code}"] = forms.ChoiceField(
                label=f"分別解体等の方法（{label}）", choices=METHODS, error_messages=REQUIRED
            )
        self.fields["demolition_cost"] = YenField(
            label="解体工事に要する費用（円）", required=False
        )
        for code, label in WASTES:
            self.fields[f"facility_{code}_name"] = char(
                f"再資源化等をする施設の名称（{label}）", required=False, max_length=200
            )
            self.fields[f"facility_{code}_address"] = char(
                f"再資源化等をする施設の所在地（{label}）", required=False, max_length=300
            )
        self.fields["recycling_cost"] = YenField(
            label="特定建設資材廃棄物の再資源化等に要する費用（円）", required=False
        )

    def clean(self):
        cleaned = super().clean()
        for code, label in WASTES:
            name, address = (
                cleaned.get(f"facility_{code}_name"),
                cleaned.get(f"facility_{code}_address"),
            )
            if bool(name) != bool(address):
                self.add_error(
                    f"facility_{code}_address" if name else f"facility_{code}_name",
                    f"{label}の施設は名称と所在地を両方入力してください。",
                )
        return cleaned


# --- ② 現場代理人及び主任技術者等選任通知書 ----------------------------------------------------


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
    engineer_license = char("資格者証等の番号", max_length=50, required=False)
    full_time = forms.ChoiceField(
        label="専任・非専任",
        choices=[("full", "専任"), ("part", "非専任")],
        error_messages=REQUIRED,
    )
    start_on = DateField(label="配置開始日", error_messages=REQUIRED)

    def clean(self):
        cleaned = super().clean()
        self.in_period("start_on", cleaned.get("start_on"), label="配置開始日")
        return cleaned


# --- ③ 現場代理人兼任届 -----------------------------------------------------------------------


class AgentConcurrentForm(KindForm):
    agent_name = char("現場代理人 氏名")
    agent_phone = forms.RegexField(
        label="現場代理人 連絡先（携帯電話）",
        regex=r"^0[5789]0-?\d{4}-?\d{4}$",
        error_messages={
            **REQUIRED,
            "invalid": "携帯電話番号を入力してください（例: 090-1234-5678）。",
        },
    )
    other_orderer = char("兼任する工事の発注者", max_length=200)
    other_title = char("兼任する工事の工事名", max_length=200)
    other_place = char("兼任する工事の工事場所", max_length=200)
    other_amount = YenField(label="兼任する工事の契約金額（円）", error_messages=REQUIRED)
    other_start = DateField(label="兼任する工事の工期（始期）", error_messages=REQUIRED)
    other_end = DateField(label="兼任する工事の工期（終期）", error_messages=REQUIRED)
    liaison_name = char("連絡員 氏名")
    liaison_phone = char("連絡員 連絡先", max_length=20)
    pledge = forms.BooleanField(
        label="足利市の定める兼任の条件を満たしていることを誓約します",
        error_messages={"required": "誓約の確認が必要です。"},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("other_start"), cleaned.get("other_end")
        if start and end and end < start:
            self.add_error("other_end", "工期の終期は始期以降の日付にしてください。")
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


class AdvancePaymentForm(KindForm):
    requested_amount = YenField(
        label="前払金請求額（円）", min_value=10_000, error_messages=REQUIRED
    )
    guarantor = char("保証事業会社名", max_length=100, initial="東日本建設業保証株式会社")
    guarantee_number = char("保証契約番号", max_length=30)
    guarantee_amount = YenField(label="保証金額（円）", error_messages=REQUIRED)
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
    account_number = forms.RegexField(
        label="口座番号",
        regex=r"^\d{7}$",
        error_messages={**REQUIRED, "invalid": "口座番号は7桁の数字で入力してください。"},
    )
    account_holder = char("口座名義", max_length=100)

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("requested_amount")
        limit = advance_limit(self.case)
        ratio = ADVANCE_RATIO.get(self.case.category)
        if amount is not None:
            if limit is None:
                self.add_error(
                    "requested_amount",
                    "この案件は前払金の対象ではありません（請負金額が未登録です）。",
                )
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
        guarantee = cleaned.get("guarantee_amount")
        if amount is not None and guarantee is not None and guarantee < amount:
            self.add_error("guarantee_amount", "保証金額が前払金請求額を下回っています。")
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
        if manager and checker and manager.replace(" ", "") == checker.replace(" ", ""):
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
    """What was read from the notice PDF; the contractor confirms or corrects it."""

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
    guarantee_number = char("保証契約番号", max_length=40)
    auth_key = char(
        "認証キー",
        max_length=64,
        help_text="大文字・小文字を区別します。お知らせのPDFの記載どおりか確認してください。",
    )
    secret_fields = frozenset({"auth_key"})

    def clean_guarantee_number(self) -> str:
        return self.cleaned_data["guarantee_number"].replace(" ", "").upper()

    def clean_auth_key(self) -> str:
        key = self.cleaned_data["auth_key"].replace(" ", "")  # width-normalised; case kept
        if not key.isascii() or not key.isalnum():
            raise forms.ValidationError("認証キーは半角英数字で入力してください。")
        return key


# --- the registry ---

# A kind's own steps, plugged in by the app that owns them from its AppConfig.ready() (the 認証キー
# notice: surety). A class or object with any of: before_attach(application, purpose, data) -> dict,
# check_submit(application) -> list, after_submit(application, user, request).
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
    Kind("site_agent", "現場代理人及び主任技術者等選任通知書", SiteAgentForm, BUILD),
    Kind(
        "service_engineers", "業務主任技術者及び照査技術者選任通知書", ServiceEngineersForm, SERVICE
    ),
    Kind("agent_concurrent", "現場代理人兼任届", AgentConcurrentForm, BUILD),
    Kind("midterm_choice", "中間前金払と部分払の選択に係る届出書", MidtermChoiceForm, BUILD),
    Kind("advance_payment", "前金払申請書及び前払金請求書", AdvancePaymentForm, BOTH),
    Kind("econtract", "電子契約利用申出書", EContractForm, ALL),
    Kind(
        "schedule",
        "工程表",
        AttachmentOnlyForm,
        BOTH,
        required_purposes=(Purpose.SCHEDULE,),
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
    form = kind.form(case=case, company=company)
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
        return f"{int(value):,}円"
    if isinstance(f, forms.DateField):
        return format_wareki(dt.date.fromisoformat(value))
    return str(value)
