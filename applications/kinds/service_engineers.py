"""① 業務主任技術者及び照査技術者選任通知書 (建設工事関連業務)."""

from __future__ import annotations

from applications.kinds.base import KindForm, char
from applications.kinds.registry import SERVICE, register
from core.text import fold_name


@register("service_engineers", "業務主任技術者及び照査技術者選任通知書", SERVICE, needed=True)
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
