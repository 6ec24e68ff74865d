import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class AuditEvent(models.Model):
    """One thing that happened, by whom, to what. Append-only: never updated or deleted."""

    created_at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実行者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("実行者(表示)", max_length=200, blank=True)
    action = models.CharField("種別", max_length=100, db_index=True)
    target_type = models.CharField("対象の種類", max_length=100, blank=True, db_index=True)
    target_id = models.CharField("対象ID", max_length=64, blank=True, db_index=True)
    target_repr = models.CharField("対象", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("IPアドレス", null=True, blank=True)
    payload = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = "監査記録"
        verbose_name_plural = "監査記録"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "created_at"]),
            # The list's order (newest first): the first page without sorting the table.
            models.Index(fields=["-created_at", "-id"], name="audit_newest_idx"),
        ]

    def __str__(self) -> str:
        from core.labels import action_label

        return f"{self.created_at:%Y-%m-%d %H:%M} {action_label(self.action)} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("監査記録は変更できません。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("監査記録は削除できません。")


def stored_file_path(instance: "StoredFile", filename: str) -> str:
    # The stored name never derives from what the user sent: <kind>/YYYY/MM/<uuid>.pdf
    created = instance.created_at
    return f"{instance.kind}/{created:%Y}/{created:%m}/{instance.id}.pdf"


class StoredFile(models.Model):
    """A PDF kept in private storage. Originals are never overwritten."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.SlugField("種類", max_length=50)
    file = models.FileField("ファイル", upload_to=stored_file_path, max_length=200)
    original_name = models.CharField("元のファイル名", max_length=255)
    content_type = models.CharField("形式", max_length=100, default="application/pdf")
    size = models.PositiveBigIntegerField("サイズ(バイト)")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    page_count = models.PositiveIntegerField("ページ数")
    company = models.ForeignKey(
        settings.FILE_OWNER_MODEL,
        verbose_name="事業者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="files",
        help_text="この事業者の利用者はファイルをダウンロードできます。",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登録日時")

    class Meta:
        verbose_name = "保存ファイル"
        verbose_name_plural = "保存ファイル"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="storedfile_newest_idx")]

    def __str__(self) -> str:
        return self.original_name


class RateCounter(models.Model):
    """Requests made in one window, shared by every worker (client-side rate limiting)."""

    key = models.CharField(max_length=50)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "利用回数の記録"
        verbose_name_plural = "利用回数の記録"
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="rate_counter_once")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window}: {self.count}"
