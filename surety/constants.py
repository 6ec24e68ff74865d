from django.db import models


class Product(models.TextChoices):
    ADVANCE = "advance", "前払金保証"
    PERFORMANCE = "performance", "契約保証"
    MIDTERM = "midterm", "中間前払金保証"


PRODUCT_BY_LABEL = {p.label: p.value for p in Product}


class Form(models.TextChoices):
    ELECTRONIC = "electronic", "電子（D・Sure）"
    PAPER = "paper", "紙"
    URL = "url", "閲覧用URL（損保）"


# 電子 and the rest cannot be mixed within one 保証契約番号 and its changes.
ELECTRONIC_FORMS = {Form.ELECTRONIC}


class Entry(models.TextChoices):
    """How an electronic certificate's number and key came in."""

    READ = "read", "PDF読取"
    MANUAL = "manual", "手入力"  # the contractor typed them; the notice PDF is attached
    STAFF = "staff", "手入力（職員）"


class IssuerType(models.TextChoices):
    SURETY_COMPANY = "surety_company", "保証事業会社"
    BANK = "bank", "金融機関"
    INSURER = "insurer", "損害保険会社"
    CASH = "cash", "現金・有価証券"


class Status(models.TextChoices):
    RECEIVED = "received", "受付"
    VERIFIED = "verified", "確認済"
    DEFECTIVE = "defective", "不備"


CITY_BENEFICIARY = "足利市長"


# Audit action codes this app records, with the label a person reads.
AUDIT_ACTIONS = {
    "surety.recorded_by_hand": "保証証書の手入力登録",
    "surety.credential_revealed": "認証キーの表示",
    "surety.defective": "保証証書の不備",
    "surety.notice_registered": "認証キーのお知らせの登録",
    "surety.notice_resubmitted": "認証キーのお知らせの再提出",
    "surety.recorded": "保証証書の登録",
    "surety.values_recorded": "保証証書の内容の記録",
    "surety.verified": "保証証書の確認",
}
