from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "下書き"
    SUBMITTED = "submitted", "提出済"
    RETURNED = "returned", "差戻し"
    ACCEPTED = "accepted", "受理"
    WITHDRAWN = "withdrawn", "取下げ"


# The contractor may still edit these; the others are read-only to them.
EDITABLE = {Status.DRAFT, Status.RETURNED}
# An application in one of these blocks a second one of the same kind for the same case.
OPEN = {Status.DRAFT, Status.SUBMITTED, Status.RETURNED}
# Withdrawal is possible until 受理.
WITHDRAWABLE = {Status.DRAFT, Status.SUBMITTED, Status.RETURNED}


class Purpose(models.TextChoices):
    SCHEDULE = "schedule", "工程表"
    SURETY_NOTICE = "surety_notice", "認証キーのお知らせ"
    QUALIFICATION = "qualification", "資格を証する書類"
    LOCATION_MAP = "location_map", "位置図"
    OTHER = "other", "その他"


MAX_ATTACHMENTS = 20

# On a 差戻し filing, a new file of one of these replaces the one of the same kind that was filed
# (工程表 → the new 工程表). 「その他」 files are added, never replaced; a second 認証キーのお知らせ
# stays refused by its kind (one notice per filing: surety/hooks.py): the contractor removes the
# filed one first.
REPLACED_ON_RESUBMISSION = frozenset(
    {Purpose.SCHEDULE, Purpose.LOCATION_MAP, Purpose.QUALIFICATION}
)

# What the contractor is told, on the page and in the mail, when a filing arrives.
RECEIVED = "提出を受け付けました"
RECEIVED_AGAIN = "再提出を受け付けました"

# What the contractor's checklist shows for a kind with no application yet.
NOT_FILED = "未提出"


# Audit action codes this app records, with the label a person reads.
AUDIT_ACTIONS = {
    "applications.exported": "申請一覧のCSV出力",
    "application.accepted": "申請の受理",
    "application.discarded": "下書きの削除",
    "application.attachment_added": "申請への添付",
    "application.attachment_removed": "申請の添付の削除",
    "application.attachment_replaced": "申請の添付の差替え",
    "application.created": "申請の作成",
    "application.message": "申請へのメッセージ",
    "application.midterm_certified": "中間前金払の認定",
    "application.midterm_refused": "中間前金払の不認定",
    "application.resubmitted": "申請の再提出",
    "application.returned": "申請の差戻し",
    "application.saved": "申請の下書き保存",
    "application.submitted": "申請の提出",
    "application.withdrawn": "申請の取下げ",
}

# Kinds of stored file this app writes.
STORED_FILE_KINDS = {
    "application-schedule": "申請の添付（工程表）",
    "application-surety_notice": "申請の添付（認証キーのお知らせ）",
    "application-qualification": "申請の添付（資格を証する書類）",
    "application-other": "申請の添付（その他）",
}
