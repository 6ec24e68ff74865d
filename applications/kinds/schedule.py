"""⑦ 工程表: an attachment-only 様式 (its form also serves 資格を証する書類)."""

from __future__ import annotations

from applications.constants import Purpose
from applications.kinds.base import KindForm, char
from applications.kinds.registry import BOTH, register


@register("schedule", "工程表", BOTH, required_purposes=(Purpose.SCHEDULE,), needed=True)
class AttachmentOnlyForm(KindForm):
    note = char("備考", required=False, max_length=500)
