"""資格を証する書類: attachment only (the form of the 工程表)."""

from __future__ import annotations

from applications.constants import Purpose
from applications.kinds.registry import SERVICE, register
from applications.kinds.schedule import AttachmentOnlyForm

register(
    "qualification",
    "資格を証する書類",
    SERVICE,
    required_purposes=(Purpose.QUALIFICATION,),
    needed=True,
)(AttachmentOnlyForm)
