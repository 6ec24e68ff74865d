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


# How the case's fields are named on the city's forms, per category.
TITLE_LABELS = {
    Category.CONSTRUCTION: ("工事名", "工事場所"),
    Category.CONSTRUCTION_SERVICE: ("委託名", "履行場所"),
    Category.GOODS: ("物件名", "納入場所"),
    Category.PRINTING: ("物件名", "納入場所"),
    Category.SMALL_WORKS: ("工事名", "工事場所"),
    Category.SERVICE: ("委託名", "履行場所"),
}


class ContractKind(models.TextChoices):
    INITIAL = "initial", "当初契約"
    CHANGE = "change", "変更契約"


class ContractStatus(models.TextChoices):
    PREPARING = "preparing", "準備中"
    SIGNING = "signing", "署名依頼中"
    CONCLUDED = "concluded", "締結済"
    REJECTED = "rejected", "却下"
    CANCELED = "canceled", "取消"


# A contract in one of these may be (re)sent for signature.
SENDABLE = {ContractStatus.PREPARING, ContractStatus.REJECTED, ContractStatus.CANCELED}


class RequestStatus(models.TextChoices):
    QUEUED = "queued", "送信待ち"
    SENDING = "sending", "送信中"
    WAITING = "waiting", "署名待ち"
    CONCLUDED = "concluded", "締結済"
    REJECTED = "rejected", "却下"
    CANCELED = "canceled", "取消"
    FAILED = "failed", "送信失敗"


# At most one of these per contract at a time.
REQUEST_ACTIVE = {RequestStatus.QUEUED, RequestStatus.SENDING, RequestStatus.WAITING}


class SignerRole(models.TextChoices):
    CONTRACTOR = "contractor", "受注者（契約締結権限者）"
    CITY = "city", "足利市（署名者）"


class SignerState(models.TextChoices):
    PENDING = "pending", "順番待ち"
    WAITING = "waiting", "確認待ち"
    AGREED = "agreed", "同意済"
    REJECTED = "rejected", "却下"
    CANCELED = "canceled", "キャンセル"


class DocumentKind(models.TextChoices):
    SIGNED = "signed", "締結済み契約書"
    CERTIFICATE = "certificate", "合意締結証明書"


class SignatureStatus(models.TextChoices):
    VALID = "valid", "有効"
    INVALID = "invalid", "無効"
    UNVERIFIED = "unverified", "未検証"
