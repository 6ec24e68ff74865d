from django.db import models


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
# Staff may 再試行 these: a failed send, or one stuck before reaching the service.
RETRYABLE = {RequestStatus.QUEUED, RequestStatus.SENDING, RequestStatus.FAILED}


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
