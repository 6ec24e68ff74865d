from django.conf import settings
from django.db import models

from core.crypto import SECRET_DATA_KEYS, EncryptedTextField, SecretKeysJSONField, digest
from surety.constants import Entry, Form, IssuerType, Product, Status


class SuretyCertificateQuerySet(models.QuerySet):
    def with_auth_key(self, key: str) -> "SuretyCertificateQuerySet":
        """Certificates holding this 認証キー, found by its keyed hash (the column is encrypted)."""
        return self.filter(auth_key_digest=digest(key)) if key else self.none()


class SuretyCertificate(models.Model):
    """保証証書: one guarantee (前払金保証, 契約保証, 中間前払金保証), electronic or not."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="sureties"
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name="提出された申請",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sureties",
    )
    product = models.CharField("商品（保証区分）", max_length=20, choices=Product.choices)
    form = models.CharField("形式", max_length=20, choices=Form.choices)
    entry = models.CharField(
        "番号・キーの入力",
        max_length=10,
        choices=Entry.choices,
        blank=True,
        help_text="電子保証: お知らせPDFから読み取ったか、手入力か（事業者・職員）",
    )
    issuer_type = models.CharField(
        "発行者の種類",
        max_length=20,
        choices=IssuerType.choices,
        default=IssuerType.SURETY_COMPANY,
    )
    issuer = models.CharField("発行者", max_length=200, blank=True)
    guarantee_number = models.CharField("保証契約番号", max_length=40, db_index=True)
    changes = models.ForeignKey(
        "self",
        verbose_name="変更前の保証",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changed_by",
    )
    # The credentials: shown in full only to staff with surety.reveal_credentials (audited);
    # encrypted at rest (core/crypto.py). A search by key compares auth_key_digest (HMAC).
    auth_key = EncryptedTextField("認証キー", blank=True)
    auth_key_digest = models.CharField(
        "認証キーの照合用ハッシュ", max_length=64, blank=True, db_index=True, editable=False
    )
    view_url = models.URLField("閲覧用URL", max_length=500, blank=True)
    view_password = EncryptedTextField("閲覧用パスワード", blank=True)
    status = models.CharField(
        "状態", max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    source_file = models.ForeignKey(
        "core.StoredFile",
        verbose_name="お知らせPDF",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the notice said, what the contractor confirmed, and what they corrected.
    read_values = SecretKeysJSONField(
        "読み取った内容", default=dict, blank=True, secret_keys=SECRET_DATA_KEYS
    )
    corrected_fields = models.JSONField("事業者が訂正した項目", default=list, blank=True)
    warnings = models.JSONField("注意事項", default=list, blank=True)
    notice_construction_name = models.CharField("工事名（お知らせ）", max_length=300, blank=True)
    notice_contractor_name = models.CharField("受注者名（お知らせ）", max_length=300, blank=True)
    issued_on = models.DateField("お知らせの日付", null=True, blank=True)
    # What staff read on the certificate (D・Sure, or the paper original).
    holder = models.CharField("保証契約者", max_length=300, blank=True)
    beneficiary = models.CharField("被保証者", max_length=100, blank=True)
    amount = models.PositiveBigIntegerField("保証金額", null=True, blank=True)
    expires_on = models.DateField("保証期限", null=True, blank=True)
    certificate_construction_name = models.CharField("工事名（証書）", max_length=300, blank=True)
    contract_amount = models.PositiveBigIntegerField("請負金額（証書）", null=True, blank=True)
    received_on = models.DateField(
        "原本の受領日", null=True, blank=True, help_text="紙の証書を窓口・郵送で受け取った日"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="確認者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField("確認日時", null=True, blank=True)
    defect_reason = models.TextField("不備の内容", blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    objects = SuretyCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "保証証書"
        verbose_name_plural = "保証証書"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="surety_newest_idx"),
            # The staff list filtered by 状態, in its default order.
            models.Index(fields=["status", "-created_at", "-id"], name="surety_status_idx"),
            # 業務ホーム「確認待ちの保証証書」: the oldest received.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status=Status.RECEIVED),
                name="surety_received_idx",
            ),
        ]
        permissions = [("reveal_credentials", "認証キー・閲覧用パスワードを表示できる")]

    def __str__(self) -> str:
        return f"{self.get_product_display()} {self.guarantee_number}（{self.get_form_display()}）"

    def save(self, *args, **kwargs):
        self.auth_key_digest = digest(self.auth_key or "")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "auth_key" in update_fields:
            kwargs["update_fields"] = {*update_fields, "auth_key_digest"}
        super().save(*args, **kwargs)
