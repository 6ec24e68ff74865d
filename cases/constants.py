from django.db import models


class Category(models.TextChoices):
    CONSTRUCTION = "construction", "建設工事"
    CONSTRUCTION_SERVICE = "construction_service", "建設工事関連業務"
    GOODS = "goods", "物品購入"
    PRINTING = "printing", "外注印刷"
    SMALL_WORKS = "small_works", "小額工事"
    SERVICE = "service", "業務委託"


class ProcurementMethod(models.TextChoices):
    GENERAL = "general", "一般競争入札"
    DESIGNATED = "designated", "指名競争入札"
    NEGOTIATED = "negotiated", "随意契約"
    OTHER = "other", "その他"


# What the city's forms and pages call a case's name, place, amount and period, per category:
# a 物品購入 is 契約金額 and 納入期間, not 請負金額 and 工期.
TITLE_LABELS = {
    Category.CONSTRUCTION: ("工事名", "工事場所", "請負金額", "工期"),
    Category.CONSTRUCTION_SERVICE: ("委託名", "履行場所", "委託料", "履行期間"),
    Category.GOODS: ("物件名", "納入場所", "契約金額", "納入期間"),
    Category.PRINTING: ("物件名", "納入場所", "契約金額", "納入期間"),
    Category.SMALL_WORKS: ("工事名", "工事場所", "請負金額", "工期"),
    Category.SERVICE: ("委託名", "履行場所", "委託料", "履行期間"),
}


# 前払金: the largest share of the 請負金額 that may be paid in advance, per category (percent).
ADVANCE_RATIO = {Category.CONSTRUCTION: 40, Category.CONSTRUCTION_SERVICE: 30}


# Audit action codes this app records, with the label a person reads.
AUDIT_ACTIONS = {
    "case.imported": "案件の取込み",
}
