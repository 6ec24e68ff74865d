"""State of the local CloudSign stand-in. Never imported by the portal's apps."""

import uuid

from django.db import models


def new_id() -> str:
    return uuid.uuid4().hex  # 32 lowercase hex characters, as newer CloudSign ids


class DocStatus(models.IntegerChoices):
    DRAFT = 0, "下書き"
    WAITING = 1, "先方確認中"
    CONCLUDED = 2, "締結済"
    CANCELED = 3, "取消、または却下"
    TEMPLATE = 4, "テンプレート"


class PStatus(models.IntegerChoices):
    NO_ACCESS = 0, "アクセス不可"
    DRAFT = 2, "下書き"
    QUEUED = 3, "配信待ち"
    WAITING = 4, "確認待ち"
    SENT = 6, "送信済み"
    CONFIRMED = 7, "確認済み"
    SEALED = 8, "押印または入力済み"
    REJECTED = 9, "却下"
    CANCELED = 10, "キャンセル"
    SIGNING = 12, "署名中"


def lgwan_default() -> bool:
    from django.conf import settings

    return settings.ESIGN_SANDBOX_LGWAN


class Account(models.Model):
    """An API user (sender) known by its client_id."""

    client_id = models.CharField(max_length=36, unique=True)
    user_id = models.CharField(max_length=36, default=new_id, unique=True)
    name = models.CharField(max_length=64, default="足利市 契約管財課")
    email = models.EmailField(default="keiyaku@city.ashikaga.example")
    organization = models.CharField(max_length=64, default="足利市役所")
    team_id = models.CharField(max_length=36, default=new_id)
    team_name = models.CharField(max_length=64, default="足利市役所")
    lgwan = models.BooleanField(
        "LGWAN環境として振る舞う",
        default=lgwan_default,
        help_text="ファイルのダウンロード（GET /files/{id}）に400を返し、Webhookを送りません。",
    )

    class Meta:
        verbose_name = "APIクライアント"
        verbose_name_plural = "APIクライアント"

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class AccessToken(models.Model):
    token = models.CharField(max_length=36, primary_key=True)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tokens")
    expires_at = models.DateTimeField()
    # Rate limit bookkeeping: [epoch second, requests] for the last 60 seconds, and a one-minute
    # block after more than 800 requests in them.
    recent_requests = models.JSONField(default=list)
    blocked_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.token[:8] + "…"


class Document(models.Model):
    id = models.CharField(max_length=36, primary_key=True, default=new_id)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    message = models.TextField(blank=True)
    status = models.IntegerField(choices=DocStatus.choices, default=DocStatus.DRAFT)
    can_transfer = models.BooleanField(default=False)
    private = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True)
    last_processed_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    decline_comment = models.CharField(max_length=1000, blank=True)
    certificate = models.BinaryField(null=True)
    concluded_at = models.DateTimeField(null=True)
    # When the DSS and the document timestamp (long-term signature) were added to the files.
    long_term_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "書類"
        verbose_name_plural = "書類"
        ordering = ["-last_processed_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.id})"


class Participant(models.Model):
    id = models.CharField(max_length=36, primary_key=True, default=new_id)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="participants")
    order = models.PositiveIntegerField()
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=64)
    organization = models.CharField(max_length=64, blank=True)
    language_code = models.CharField(max_length=8, default="ja")
    access_code = models.CharField(max_length=64, blank=True)
    status = models.IntegerField(choices=PStatus.choices, default=PStatus.DRAFT)
    processed_at = models.DateTimeField(null=True)
    access_expires_at = models.DateTimeField(null=True)
    link_token = models.CharField(max_length=64, null=True, unique=True)
    opened_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["document", "order"], name="sandbox_participant_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.name} <{self.email}>"


class File(models.Model):
    id = models.CharField(max_length=36, primary_key=True, default=new_id)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    order = models.PositiveIntegerField()
    total_pages = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField()
    data = models.BinaryField()
    signed_data = models.BinaryField(null=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Widget(models.Model):
    id = models.CharField(max_length=36, primary_key=True, default=new_id)
    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="widgets")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="widgets")
    widget_type = models.PositiveSmallIntegerField()
    page = models.PositiveIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    text = models.CharField(max_length=500, blank=True)
    label = models.CharField(max_length=100, blank=True)
    required = models.BooleanField(default=True)
    font_size = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.widget_type}@{self.page}"


class Reportee(models.Model):
    id = models.CharField(max_length=36, primary_key=True, default=new_id)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reportees")
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=64)
    organization = models.CharField(max_length=64, blank=True)
    created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class WebhookEndpoint(models.Model):
    """A Hook URL, as configured in CloudSign's team settings (up to 20)."""

    url = models.URLField("URL", max_length=500)
    active = models.BooleanField("有効", default=True)
    on_completed = models.BooleanField("締結完了時", default=True)
    on_canceled = models.BooleanField("取り消し・却下時", default=True)
    on_bounced = models.BooleanField("メール不達時", default=True)

    class Meta:
        verbose_name = "Webhook URL"
        verbose_name_plural = "Webhook URL"

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True)
    last_status = models.IntegerField(null=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "Webhook 送信"
        verbose_name_plural = "Webhook 送信"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.endpoint_id}: {self.created_at}"


class FaultKind(models.TextChoices):
    RATE_LIMITED = "429", "429 too_many_requests"
    SERVER_ERROR = "500", "500 internal_server_error"
    DELAY = "delay", "遅延"
    TIMEOUT_AFTER_COMMIT = "504", "処理後に504"


class Fault(models.Model):
    """Misbehaviour on purpose: a share of matching calls answered badly."""

    method = models.CharField("メソッド", max_length=10, default="*")
    path_regex = models.CharField("パス（正規表現）", max_length=200, default=".*")
    kind = models.CharField("種類", max_length=10, choices=FaultKind.choices)
    rate = models.FloatField("割合 (0〜1)", default=1.0)
    delay_seconds = models.FloatField("遅延秒数", default=0)
    remaining = models.IntegerField("残り回数", null=True, blank=True, help_text="空欄は無制限")
    active = models.BooleanField("有効", default=True)

    class Meta:
        verbose_name = "障害注入"
        verbose_name_plural = "障害注入"

    def __str__(self) -> str:
        return f"{self.method} {self.path_regex} → {self.get_kind_display()} ({self.rate:.0%})"
