from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from contracts.constants import (
    DOCUMENT_STATUS_CHOICES,
    PARTICIPANT_STATUS_CHOICES,
    SENDABLE,
    ContractKind,
    ContractStatus,
    DocumentKind,
    Provider,
    RequestStatus,
    SignatureStatus,
    SignerRole,
    SignerState,
)
from contracts.stamp_duty import NATURES


class Contract(models.Model):
    """契約: 当初契約, or a 変更契約 linked to the contract it changes."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="contracts"
    )
    kind = models.CharField(
        "契約の種類", max_length=10, choices=ContractKind.choices, default=ContractKind.INITIAL
    )
    original = models.ForeignKey(
        "self",
        verbose_name="変更前の契約",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
    )
    title = models.CharField("契約件名", max_length=200)
    amount = models.PositiveBigIntegerField("契約金額（税込）", validators=[MinValueValidator(1)])
    tax_amount = models.PositiveBigIntegerField(
        "うち取引に係る消費税及び地方消費税の額", null=True, blank=True
    )
    contract_date = models.DateField("契約日", null=True, blank=True)
    stamp_nature = models.CharField(
        "契約の性質（印紙税）",
        max_length=10,
        blank=True,
        choices=NATURES,
        help_text="空欄: 契約区分の既定（工事・関連業務・印刷は請負、業務委託は委任、物品は売買）",
    )
    period_start = models.DateField("履行期間（始期）", null=True, blank=True)
    period_end = models.DateField("履行期間（終期）", null=True, blank=True)
    status = models.CharField(
        "状態",
        max_length=20,
        choices=ContractStatus.choices,
        default=ContractStatus.PREPARING,
        db_index=True,
    )
    resend_as_is_at = models.DateTimeField(
        "却下後にそのまま再送信する判断の日時", null=True, blank=True
    )
    resend_as_is_reason = models.TextField("却下後にそのまま再送信する理由", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "契約"
        verbose_name_plural = "契約"
        ordering = ["-created_at"]
        permissions = [("send_contract", "契約書を電子署名に送信・取消できる")]
        indexes = [
            models.Index(fields=["contract_date"], name="contract_date_idx"),
            models.Index(fields=["amount"], name="contract_amount_idx"),
            models.Index(fields=["status", "contract_date"], name="contract_status_date_idx"),
            models.Index(fields=["-created_at", "-id"], name="contract_newest_idx"),
            # The staff list filtered by 状態, in its default order.
            models.Index(
                fields=["status", "-created_at", "-id"], name="contract_status_newest_idx"
            ),
            # 業務ホーム「送信できる契約」: the oldest sendable contracts.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status__in=sorted(s.value for s in SENDABLE)),
                name="contract_sendable_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="initial", original__isnull=True)
                | models.Q(kind="change", original__isnull=False),
                name="contract_change_has_original",
                violation_error_message="変更契約には変更前の契約が必要です。",
            ),
            models.CheckConstraint(
                condition=models.Q(tax_amount__isnull=True)
                | models.Q(tax_amount__lte=models.F("amount")),
                name="contract_tax_within_amount",
                violation_error_message="消費税額は契約金額以下にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.title}（{self.get_kind_display()}）"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "履行期間の終期は始期以降の日付にしてください。"})

    @property
    def retention_until(self):
        """Kept at least until ARCHIVE_RETENTION_YEARS after the end of the 工期 (or 契約日)."""
        end = self.period_end or self.contract_date
        if end is None:
            return None
        years = settings.ARCHIVE_RETENTION_YEARS
        try:
            return end.replace(year=end.year + years)
        except ValueError:  # 29 February
            return end.replace(year=end.year + years, day=28)

    def delete(self, *args, **kwargs):
        from django.utils import timezone

        if self.status == ContractStatus.CONCLUDED:
            until = self.retention_until
            if until is None or timezone.localdate() <= until:
                raise ValidationError(
                    f"締結済の契約は保存期間（{until or '未定'}まで）が過ぎるまで削除できません。"
                )
        return super().delete(*args, **kwargs)


class ContractFile(models.Model):
    """A PDF to sign, in the order it is sent."""

    contract = models.ForeignKey(
        Contract, verbose_name="契約", on_delete=models.CASCADE, related_name="files"
    )
    file = models.ForeignKey(
        "core.StoredFile", verbose_name="ファイル", on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveIntegerField("順序", default=0)

    class Meta:
        verbose_name = "契約書ファイル"
        verbose_name_plural = "契約書ファイル"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.file.original_name


class SigningRequest(models.Model):
    """One attempt to get a contract signed (a rejected contract can be sent again)."""

    contract = models.ForeignKey(
        Contract, verbose_name="契約", on_delete=models.PROTECT, related_name="signing_requests"
    )
    provider = models.CharField(
        "サービス", max_length=20, choices=Provider.choices, default=Provider.CLOUDSIGN
    )
    document_id = models.CharField("書類ID", max_length=36, unique=True, null=True, blank=True)
    status = models.CharField(
        "状態",
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.QUEUED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作成者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    create_attempted_at = models.DateTimeField("書類作成の試行日時", null=True, blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    concluded_at = models.DateTimeField("締結日時", null=True, blank=True)
    closed_at = models.DateTimeField("終了日時", null=True, blank=True)
    remote_status = models.IntegerField(
        "サービス上の状態", choices=DOCUMENT_STATUS_CHOICES, null=True, blank=True
    )
    remote_processed_at = models.DateTimeField("サービス上の最終処理日時", null=True, blank=True)
    decline_comment = models.TextField("取消・却下の理由", blank=True)
    last_synced_at = models.DateTimeField("最終同期", null=True, blank=True)
    next_check_at = models.DateTimeField("次回確認", null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField("試行回数", default=0)
    claimed_until = models.DateTimeField("処理中（期限）", null=True, blank=True)
    last_error_code = models.CharField("最後のエラー", max_length=100, blank=True)
    last_error_message = models.TextField("エラーの内容", blank=True)
    last_error_at = models.DateTimeField("エラー日時", null=True, blank=True)
    stored_at = models.DateTimeField("締結書類の保存日時", null=True, blank=True)
    store_failed_at = models.DateTimeField(
        "締結書類の取得失敗",
        null=True,
        blank=True,
        help_text="恒久的なエラー（LGWAN環境でダウンロードできない等）。原因を解消して再取得してください。",
    )

    class Meta:
        verbose_name = "署名依頼"
        verbose_name_plural = "署名依頼"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="signingrequest_newest_idx"),
            # The staff list filtered by 状態, in its default order.
            models.Index(fields=["status", "-created_at", "-id"], name="signingrequest_status_idx"),
            # 業務ホーム: 署名待ち (oldest sent), エラー (oldest error), 今週の締結 (newest).
            models.Index(
                fields=["sent_at", "id"],
                condition=models.Q(status=RequestStatus.WAITING),
                name="signingrequest_waiting_idx",
            ),
            models.Index(
                fields=["last_error_at", "id"],
                condition=models.Q(last_error_at__isnull=False),
                name="signingrequest_error_idx",
            ),
            models.Index(
                fields=["-concluded_at", "-id"],
                condition=models.Q(status=RequestStatus.CONCLUDED),
                name="signingrequest_concluded_idx",
            ),
            # 業務ホーム 「締結書類の取得待ち・取得不可」: its oldest five (the count is part of
            # the signing requests' one aggregate).
            models.Index(
                fields=["concluded_at", "id"],
                condition=models.Q(status=RequestStatus.CONCLUDED, stored_at__isnull=True),
                name="signingrequest_not_stored_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(status__in=["queued", "sending", "waiting"]),
                name="signing_request_one_active_per_contract",
                violation_error_message="この契約には進行中の署名依頼があります。",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.contract.title} {self.get_status_display()}（{self.document_id or '未作成'}）"
        )


class Signer(models.Model):
    """A recipient of the document, in signing order: the contractor first, the city last."""

    signing_request = models.ForeignKey(
        SigningRequest, verbose_name="署名依頼", on_delete=models.CASCADE, related_name="signers"
    )
    order = models.PositiveIntegerField("順序")
    role = models.CharField("役割", max_length=20, choices=SignerRole.choices)
    name = models.CharField("氏名", max_length=64)
    email = models.EmailField("メールアドレス")
    organization = models.CharField("組織", max_length=64, blank=True)
    remote_id = models.CharField("宛先ID", max_length=36, blank=True)
    remote_status = models.IntegerField(
        "サービス上の状態", choices=PARTICIPANT_STATUS_CHOICES, null=True, blank=True
    )
    state = models.CharField(
        "状況", max_length=20, choices=SignerState.choices, default=SignerState.PENDING
    )
    link_expires_at = models.DateTimeField("URL有効期限", null=True, blank=True)
    opened_at = models.DateTimeField("開封日時", null=True, blank=True)
    agreed_at = models.DateTimeField("同意日時", null=True, blank=True)
    rejected_at = models.DateTimeField("却下日時", null=True, blank=True)
    reminders_sent = models.PositiveIntegerField("リマインド回数", default=0)
    last_reminded_at = models.DateTimeField("最終リマインド", null=True, blank=True)
    expired_alerted_at = models.DateTimeField("期限切れの通知日時", null=True, blank=True)

    class Meta:
        verbose_name = "署名者"
        verbose_name_plural = "署名者"
        ordering = ["signing_request", "order"]
        constraints = [
            models.UniqueConstraint(fields=["signing_request", "order"], name="signer_order"),
            models.UniqueConstraint(fields=["signing_request", "email"], name="signer_email"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}（{self.get_role_display()}）"


class Reportee(models.Model):
    """共有先: a 契約担当者 who sees the document and the completion mail."""

    signing_request = models.ForeignKey(
        SigningRequest, verbose_name="署名依頼", on_delete=models.CASCADE, related_name="reportees"
    )
    name = models.CharField("氏名", max_length=64)
    email = models.EmailField("メールアドレス")
    organization = models.CharField("組織", max_length=64, blank=True)
    remote_id = models.CharField("共有先ID", max_length=36, blank=True)

    class Meta:
        verbose_name = "共有先"
        verbose_name_plural = "共有先"
        ordering = ["signing_request", "id"]
        constraints = [
            models.UniqueConstraint(fields=["signing_request", "email"], name="reportee_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class RemoteFile(models.Model):
    """Which remote file a contract PDF became, per signing request (uploaded once)."""

    signing_request = models.ForeignKey(
        SigningRequest,
        verbose_name="署名依頼",
        on_delete=models.CASCADE,
        related_name="remote_files",
    )
    contract_file = models.ForeignKey(
        ContractFile, verbose_name="契約書ファイル", on_delete=models.PROTECT, related_name="+"
    )
    remote_id = models.CharField("ファイルID", max_length=36)

    class Meta:
        verbose_name = "送信済みファイル"
        verbose_name_plural = "送信済みファイル"
        constraints = [
            models.UniqueConstraint(
                fields=["signing_request", "contract_file"], name="remote_file_once"
            )
        ]

    def __str__(self) -> str:
        return self.remote_id


class SignedDocument(models.Model):
    """A signed PDF or the 合意締結証明書 of a concluded request, stored and verified once."""

    signing_request = models.ForeignKey(
        SigningRequest, verbose_name="署名依頼", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField("種類", max_length=20, choices=DocumentKind.choices)
    remote_file_id = models.CharField("ファイルID", max_length=36, blank=True)
    contract_file = models.ForeignKey(
        ContractFile,
        verbose_name="契約書ファイル",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stored_file = models.ForeignKey(
        "core.StoredFile", verbose_name="ファイル", on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("サイズ")
    page_count = models.PositiveIntegerField("ページ数")
    signature_status = models.CharField("電子署名", max_length=20, choices=SignatureStatus.choices)
    signature_detail = models.TextField("検証結果", blank=True)
    signature_checks = models.JSONField("署名ごとの検証内容", default=list, blank=True)
    signer_subject = models.CharField("署名者（証明書）", max_length=300, blank=True)
    signed_at = models.DateTimeField("署名日時", null=True, blank=True)
    timestamp_at = models.DateTimeField("タイムスタンプ", null=True, blank=True)
    verified_at = models.DateTimeField("検証日時", null=True, blank=True)
    created_at = models.DateTimeField("保存日時", auto_now_add=True)
    # The long-term form: a valid document timestamp covers the last signature (CloudSign adds
    # one about 24 h after conclusion; the city's archive timestamps renew it).
    long_term = models.BooleanField("長期署名（文書タイムスタンプ）", default=False)
    next_refetch_at = models.DateTimeField("次回の再取得", null=True, blank=True, db_index=True)
    refetch_attempts = models.PositiveSmallIntegerField("再取得の回数", default=0)
    refetch_gave_up_at = models.DateTimeField(
        "文書タイムスタンプ待ちの打ち切り", null=True, blank=True
    )
    renew_due_at = models.DateTimeField(
        "アーカイブタイムスタンプの更新期限", null=True, blank=True, db_index=True
    )

    class Meta:
        verbose_name = "締結書類"
        verbose_name_plural = "締結書類"
        ordering = ["signing_request", "kind", "id"]
        indexes = [
            models.Index(fields=["signing_request", "kind", "id"], name="signeddocument_order_idx"),
            # 業務ホーム 「長期署名のない締結書類」: its count and its oldest five.
            models.Index(
                fields=["refetch_gave_up_at", "id"],
                condition=models.Q(long_term=False, refetch_gave_up_at__isnull=False),
                name="signeddoc_no_long_term_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["signing_request", "kind", "remote_file_id"],
                name="signed_document_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.stored_file.original_name}"

    @property
    def long_term_label(self) -> str:
        """What the archive knows about the long-term signature, in Japanese."""
        if self.long_term:
            return "長期署名あり（文書タイムスタンプ）"
        if self.refetch_gave_up_at is not None:
            return "長期署名なし（文書タイムスタンプが付与されていません）"
        return "長期署名はまだありません（クラウドサインが締結の約24時間後に付与）"


class VersionSource(models.TextChoices):
    CONCLUSION = "conclusion", "締結時の取得"
    REFETCH = "refetch", "再取得（長期署名の付与後）"
    RENEWAL = "renewal", "アーカイブタイムスタンプの追加"
    UPLOAD = "upload", "職員によるアップロード"


class SignedDocumentVersion(models.Model):
    """One stored version of a signed document. Each later version extends the one before
    (append-only: DSS data and document timestamps); none is ever overwritten or deleted."""

    document = models.ForeignKey(
        SignedDocument, verbose_name="締結書類", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版")
    source = models.CharField("取得方法", max_length=20, choices=VersionSource.choices)
    stored_file = models.ForeignKey(
        "core.StoredFile", verbose_name="ファイル", on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("サイズ")
    signature_status = models.CharField("電子署名", max_length=20, choices=SignatureStatus.choices)
    signature_detail = models.TextField("検証結果", blank=True)
    long_term = models.BooleanField("長期署名（文書タイムスタンプ）", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("保存日時", auto_now_add=True)

    class Meta:
        verbose_name = "締結書類の版"
        verbose_name_plural = "締結書類の版"
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="signed_document_version")
        ]

    def __str__(self) -> str:
        return f"{self.document} 第{self.number}版（{self.get_source_display()}）"


class SyncState(models.Model):
    """The incremental sweep's watermark (one row per provider)."""

    name = models.CharField(max_length=30, verbose_name="名前", unique=True)
    watermark = models.DateTimeField("同期済みの時点", null=True, blank=True)
    last_sweep_at = models.DateTimeField("最終同期", null=True, blank=True)
    last_sweep_calls = models.PositiveIntegerField("API呼び出し数", default=0)
    last_sweep_documents = models.PositiveIntegerField("変更された書類", default=0)
    last_error = models.TextField("最後のエラー", blank=True)

    class Meta:
        verbose_name = "同期状態"
        verbose_name_plural = "同期状態"

    def __str__(self) -> str:
        return f"{self.name}: {self.watermark}"


class WebhookReceipt(models.Model):
    """A webhook the service sent us: recorded, never trusted for state."""

    received_at = models.DateTimeField("受信日時", auto_now_add=True)
    document_id = models.CharField("書類ID", max_length=36, db_index=True)
    status = models.IntegerField("状態")
    text = models.CharField("本文", max_length=1000, blank=True)
    remote_addr = models.GenericIPAddressField("送信元", null=True)
    signing_request = models.ForeignKey(
        SigningRequest,
        verbose_name="署名依頼",
        null=True,
        on_delete=models.SET_NULL,
        related_name="webhooks",
    )

    class Meta:
        verbose_name = "Webhook受信"
        verbose_name_plural = "Webhook受信"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.document_id} {self.status}"


class ContractCorrection(models.Model):
    """A correction of an archived contract's record: a new record beside the old one, never an
    edit of it. Append-only."""

    contract = models.ForeignKey(
        Contract, verbose_name="契約", on_delete=models.PROTECT, related_name="corrections"
    )
    field = models.CharField("訂正する項目", max_length=50)
    old_value = models.CharField("訂正前", max_length=300, blank=True)
    new_value = models.CharField("訂正後", max_length=300)
    reason = models.TextField("理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="訂正者",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("訂正日時", auto_now_add=True)

    class Meta:
        verbose_name = "訂正記録"
        verbose_name_plural = "訂正記録"
        ordering = ["contract", "created_at"]

    def __str__(self) -> str:
        return f"{self.contract}: {self.field} {self.old_value} → {self.new_value}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("訂正記録は変更できません。新しい訂正として登録してください。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("訂正記録は削除できません。")
