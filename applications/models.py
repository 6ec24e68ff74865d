from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.constants import OPEN, Purpose, Status
from applications.kinds import get_kind


class Application(models.Model):
    """申請: one filing of one form (様式) for one case by the awarded company."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="applications"
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name="事業者",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # A code of applications.kinds.KINDS (no DB choices: adding a kind needs no migration).
    kind = models.CharField("様式", max_length=40, db_index=True)
    status = models.CharField(
        "状態", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    data = models.JSONField("申請内容", default=dict, blank=True)
    receipt_number = models.CharField("到達番号", max_length=30, unique=True, null=True, blank=True)
    revision = models.PositiveIntegerField("提出回数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    submitted_at = models.DateTimeField("提出日時", null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField("受理日時", null=True, blank=True)
    returned_at = models.DateTimeField("差戻し日時", null=True, blank=True)
    withdrawn_at = models.DateTimeField("取下げ日時", null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="審査者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField("差戻しの理由", blank=True)
    return_deadline = models.DateField("再提出の期限", null=True, blank=True)

    class Meta:
        verbose_name = "申請"
        verbose_name_plural = "申請"
        ordering = ["-submitted_at", "-created_at"]
        permissions = [("review_application", "申請を審査（受理・差戻し）できる")]
        constraints = [
            # One open filing of a kind per case: a double submit cannot make a second one.
            models.UniqueConstraint(
                fields=["case", "company", "kind"],
                condition=Q(status__in=sorted(s.value for s in OPEN)),
                name="application_one_open_per_kind",
            )
        ]
        indexes = [
            models.Index(fields=["case", "kind", "status"]),
            # The staff list's order (newest submission first).
            models.Index(fields=["-submitted_at", "-id"], name="application_newest_idx"),
        ]

    def __str__(self) -> str:
        number = self.receipt_number or "未提出"
        return f"{self.kind_title}（{number}）"

    @property
    def kind_obj(self):
        return get_kind(self.kind)

    @property
    def kind_title(self) -> str:
        return get_kind(self.kind).title


class ApplicationRevision(models.Model):
    """What was submitted each time (提出・再提出), so that 差戻し keeps the history."""

    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField("回")
    data = models.JSONField("提出内容")
    attachments = models.JSONField("添付ファイル", default=list)
    submitted_at = models.DateTimeField("提出日時")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提出者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "提出履歴"
        verbose_name_plural = "提出履歴"
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="application_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} 第{self.number}回"


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="attachments"
    )
    purpose = models.CharField("種類", max_length=20, choices=Purpose.choices)
    file = models.ForeignKey(
        "core.StoredFile", verbose_name="ファイル", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("添付日時", auto_now_add=True)

    class Meta:
        verbose_name = "添付ファイル"
        verbose_name_plural = "添付ファイル"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.file.original_name}"


class Message(models.Model):
    """やり取り: the thread between staff and the contractor on one application."""

    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="投稿者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_staff = models.BooleanField("市からの連絡", default=False)
    body = models.TextField("本文", max_length=4000)
    created_at = models.DateTimeField("投稿日時", auto_now_add=True)

    class Meta:
        verbose_name = "やり取り"
        verbose_name_plural = "やり取り"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{'市' if self.from_staff else '事業者'}: {self.body[:30]}"


class ReceiptCounter(models.Model):
    """The last 到達番号 issued on one day (Asia/Tokyo). Submissions lock the day's row, so the
    numbers follow the order of arrival with no gap and no duplicate, also on many web nodes."""

    day = models.DateField("受付日", primary_key=True)
    last = models.PositiveIntegerField("最後の番号", default=0)

    class Meta:
        verbose_name = "到達番号の採番"
        verbose_name_plural = "到達番号の採番"
        default_permissions = ()  # internal: written only by application_submit, no admin

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d}: {self.last}"
