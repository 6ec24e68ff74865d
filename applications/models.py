from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.constants import OPEN, RECEIVED, RECEIVED_AGAIN, Purpose, Status
from applications.results import HookResults
from core.crypto import SECRET_DATA_KEYS, SecretKeysJSONField


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
    data = SecretKeysJSONField("申請内容", default=dict, blank=True, secret_keys=SECRET_DATA_KEYS)
    # What the kind's own steps read from an attachment (applications.results.HookResults),
    # kept beside the applicant's data, never inside it; the read 認証キー stays encrypted.
    hook_results = SecretKeysJSONField(
        "読み取り結果", default=dict, blank=True, editable=False, secret_keys=SECRET_DATA_KEYS
    )
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
            # The staff list filtered by 状態 or 様式, in its default order.
            models.Index(fields=["status", "-submitted_at", "-id"], name="application_status_idx"),
            models.Index(fields=["kind", "-submitted_at", "-id"], name="application_kind_idx"),
            # 業務ホーム: the oldest few of each box, read from an index of that box's rows only.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status=Status.SUBMITTED),
                name="application_review_idx",
            ),
            # (ascending is NULLS LAST on PostgreSQL: the queue's "deadlines first" order)
            models.Index(
                fields=["return_deadline", "returned_at", "id"],
                condition=Q(status=Status.RETURNED),
                name="application_returned_idx",
            ),
            # 業務ホーム's two counts (審査待ち, 差戻し中) in one index-only scan.
            models.Index(
                fields=["status"],
                condition=Q(status__in=[Status.SUBMITTED, Status.RETURNED]),
                name="application_open_idx",
            ),
        ]

    def __str__(self) -> str:
        number = self.receipt_number or "未提出"
        return f"{self.kind_title}（{number}）"

    @property
    def results(self) -> HookResults:
        """The typed reading (see ``applications.results``)."""
        return HookResults.from_json(self.hook_results)

    @results.setter
    def results(self, value: HookResults) -> None:
        self.hook_results = value.to_json()

    @property
    def kind_obj(self):
        from applications.kinds.registry import get_kind  # the kinds read models, not back

        return get_kind(self.kind)

    @property
    def kind_title(self) -> str:
        return self.kind_obj.title

    @property
    def received_wording(self) -> str:
        """「提出を受け付けました」 or, for a 差戻し answered (revision 2 and later),
        「再提出を受け付けました」: the same words on the page and in the mail."""
        return RECEIVED_AGAIN if self.revision > 1 else RECEIVED


class ApplicationRevision(models.Model):
    """What was submitted each time (提出・再提出), so that 差戻し keeps the history."""

    application = models.ForeignKey(
        Application, verbose_name="申請", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField("回")
    data = SecretKeysJSONField("提出内容", secret_keys=SECRET_DATA_KEYS)
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


class MidtermCertification(models.Model):
    """中間前金払の認定 (or 不認定, with its reason): staff's decision on a 中間前金払認定請求書.

    Append-only: a later decision (a new 認定請求 after a 不認定) is a new row; the case is
    certified when its latest decision is 認定 (applications.selectors.midterm_certified)."""

    class Decision(models.TextChoices):
        CERTIFIED = "certified", "認定"
        REFUSED = "refused", "不認定"

    application = models.ForeignKey(
        Application,
        verbose_name="中間前金払認定請求書",
        on_delete=models.PROTECT,
        related_name="midterm_certifications",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="案件",
        on_delete=models.PROTECT,
        related_name="midterm_certifications",
    )
    decision = models.CharField("認定結果", max_length=10, choices=Decision.choices)
    reason = models.TextField("理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="認定者", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("認定日時")

    class Meta:
        verbose_name = verbose_name_plural = "中間前金払の認定"
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="certified") | ~Q(reason=""),
                name="midterm_refusal_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}（{self.application}）"
