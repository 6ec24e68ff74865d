"""① リサイクル別紙."""

from __future__ import annotations

from django import forms

from applications.fields import YenField
from applications.kinds.base import REQUIRED, KindForm, char
from applications.kinds.registry import BUILD, register

# --- ① リサイクル別紙 -------------------------------------------------------------------------
# 建設リサイクル法第13条 (docs/domain.md §4.5): the contract states 分別解体等の方法 per 工程,
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


@register("recycle", "リサイクル別紙", BUILD)
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
            # No method shown as chosen until one is (a select showing 「手作業」 while nothing was
            # chosen was flagged 必須 after a change of 様式); 「その他」 is 工程なし unless chosen.
            self.fields[f"method_{code}"] = forms.ChoiceField(
                label=f"分別解体等の方法（{label}）",
                choices=[("", "選んでください"), *METHODS],
                error_messages=REQUIRED,
                initial="none" if code == "other" else None,
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
