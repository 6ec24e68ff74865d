import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from cases.constants import TITLE_LABELS, Category, ProcurementMethod


class Case(models.Model):
    """案件: one procurement, awarded to one company."""

    number = models.CharField(
        "案件番号",
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(r"^[0-9A-Za-z-]+$", "案件番号は半角英数字とハイフンで入力してください。")
        ],
    )
    title = models.CharField("件名", max_length=200, help_text="工事名／物件名／委託名")
    place = models.CharField("場所", max_length=200, help_text="工事場所／納入場所／履行場所")
    category = models.CharField("契約区分", max_length=30, choices=Category.choices)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="担当課",
        on_delete=models.PROTECT,
        related_name="cases",
    )
    procurement_method = models.CharField(
        "契約方法", max_length=20, choices=ProcurementMethod.choices
    )
    opened_on = models.DateField("開札日", null=True, blank=True)
    awarded_company = models.ForeignKey(
        "accounts.Company",
        verbose_name="落札者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awarded_cases",
    )
    amount = models.PositiveBigIntegerField(
        "請負金額（税込）", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    planned_price = models.PositiveBigIntegerField(
        "予定価格（税込）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="議決案件の判定に使います（地方自治法施行令 別表第3・第4）",
    )
    period_start = models.DateField("工期（始期）", null=True, blank=True)
    period_end = models.DateField("工期（終期）", null=True, blank=True)
    advance_payment = models.BooleanField("前払金あり", default=False)
    surety_exempt = models.BooleanField(
        "契約保証免除", default=False, help_text="契約保証を免除する案件（理由を記入）"
    )
    surety_exempt_reason = models.CharField("契約保証免除の理由", max_length=300, blank=True)
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        # The table keeps the name it had when cases lived in ``contracts`` (moved without a copy).
        db_table = "contracts_case"
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-opened_on", "-number"]
        indexes = [
            models.Index(fields=["awarded_company", "-opened_on"]),
            models.Index(fields=["department", "-opened_on"]),
            models.Index(fields=["-opened_on", "-number"], name="case_newest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="case_period_ordered",
                violation_error_message="工期の終期は始期以降の日付にしてください。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "工期の終期は始期以降の日付にしてください。"})
        if self.surety_exempt and not self.surety_exempt_reason.strip():
            raise ValidationError(
                {"surety_exempt_reason": "契約保証を免除する理由を入力してください。"}
            )

    @property
    def title_label(self) -> str:
        return TITLE_LABELS[Category(self.category)][0]

    @property
    def place_label(self) -> str:
        return TITLE_LABELS[Category(self.category)][1]

    @property
    def amount_label(self) -> str:
        return TITLE_LABELS[Category(self.category)][2]

    @property
    def period_label(self) -> str:
        return TITLE_LABELS[Category(self.category)][3]


class CaseImport(models.Model):
    """案件の取込み run by a background job (cases.tasks): a large file is checked row by row
    (確認), then, once staff confirm, imported in one transaction (取込み). The page reads the
    progress from here, so it survives a reload."""

    class Status(models.TextChoices):
        CHECKING = "checking", "確認中"
        CHECKED = "checked", "確認済み（取り込めます）"
        REFUSED = "refused", "誤りあり（何も登録していません）"
        IMPORTING = "importing", "取込み中"
        DONE = "done", "取込み完了"
        FAILED = "failed", "取込み失敗（何も登録していません）"

    RUNNING = (Status.CHECKING, Status.IMPORTING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="取り込んだ人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField("ファイル名", max_length=255, blank=True)
    text = models.TextField("ファイルの内容")
    client_ip = models.GenericIPAddressField("IPアドレス", null=True, blank=True)
    status = models.CharField(
        "状態", max_length=20, choices=Status.choices, default=Status.CHECKING
    )
    total_rows = models.PositiveIntegerField("行数", default=0)
    rows_done = models.PositiveIntegerField("処理済みの行数", default=0)
    new_rows = models.PositiveIntegerField("新規", default=0)
    updated_rows = models.PositiveIntegerField("更新", default=0)
    ignored_columns = models.JSONField("取り込まない列", default=list, blank=True)
    errors = models.JSONField("誤り", default=list, blank=True)
    error_count = models.PositiveIntegerField("誤りの数", default=0)
    created_at = models.DateTimeField("受付日時", auto_now_add=True)
    finished_at = models.DateTimeField("完了日時", null=True, blank=True)

    class Meta:
        verbose_name = "案件の取込み"
        verbose_name_plural = "案件の取込み"
        ordering = ["-created_at"]
        # Reached through the 案件 import (its add right) by the person who started it only.
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING


class CaseNextAction(models.Model):
    """The contractor's most urgent next action on a case, kept as state so that the home page is
    one indexed ``ORDER BY rank, due`` slice whatever the company's history.

    Written by ``portal.todo.refresh`` in the transaction of every change that can move it (the
    services, through ``cases.signals.cases_changed`` and model saves); never edited by hand.
    ``due`` and ``opened_on`` are sort keys: no date sorts as the latest due date and as the
    earliest 開札日."""

    NO_DUE = dt.date.max
    NOT_OPENED = dt.date.min

    case = models.OneToOneField(
        Case,
        verbose_name="案件",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="next_action",
    )
    company = models.ForeignKey(
        "accounts.Company", verbose_name="落札者", on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveSmallIntegerField("緊急度")
    due = models.DateField("期限")
    opened_on = models.DateField("開札日")
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "次の対応"
        verbose_name_plural = "次の対応"
        # Written by code only: nobody holds permissions on it.
        default_permissions = ()
        indexes = [
            models.Index(
                fields=["company", "rank", "due", "-opened_on", "-case"],
                name="case_next_action_order_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.rank}"
