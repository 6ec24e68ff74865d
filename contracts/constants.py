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
    VALID_NO_ROOT = "valid_no_root", "有効（信頼の起点が未設定）"  # older rows only
    UNCONFIRMED = "unconfirmed", "未確認（失効・信頼の起点を確認できず）"
    INVALID = "invalid", "無効"
    UNVERIFIED = "unverified", "未検証"  # recorded before the PAdES verifier; re-verified nightly


class Provider(models.TextChoices):
    CLOUDSIGN = "cloudsign", "クラウドサイン"


# CloudSign's numeric states, as the service names them (shown instead of the number).
DOCUMENT_STATUS_CHOICES = [
    (0, "下書き"),
    (1, "先方確認中"),
    (2, "締結済"),
    (3, "取消、または却下"),
    (4, "テンプレート"),
    (13, "インポート書類"),
]
PARTICIPANT_STATUS_CHOICES = [
    (0, "アクセス権なし"),
    (2, "下書き"),
    (3, "配信待ち"),
    (4, "確認待ち"),
    (6, "送信済み"),
    (7, "確認済み"),
    (8, "押印または入力済み"),
    (9, "却下"),
    (10, "キャンセル"),
    (12, "署名中"),
]


# Audit action codes this app records, with the label a person reads.
AUDIT_ACTIONS = {
    "case.terms_changed": "案件の契約内容の変更（変更契約の締結）",
    "signing_request.refetch": "締結済み書類の再取得",
    "signing_request.concluded": "署名依頼の締結",
    "signing_request.rejected": "署名依頼の却下",
    "signing_request.canceled": "署名依頼の取消（サービス上）",
    "contract.canceled": "署名依頼の取消",
    "contract.change_created": "変更契約の作成",
    "contract.check_confirmed": "契約書の照合結果を確認して送信",
    "contract.concluded": "契約の締結",
    "contract.corrected": "契約記録の訂正",
    "contract.created": "契約の作成",
    "contract.file_added": "契約書ファイルの登録",
    "contract.file_removed": "契約書ファイルの削除",
    "contract.saved": "契約の保存",
    "contract.resend_as_is": "却下後にそのまま再送信する判断",
    "contract.sent": "電子署名への送信",
    "contract.values_differ": "案件と異なる契約内容",
    "signing_request.auto_reminded": "署名の自動リマインド",
    "signing_request.failed": "送信失敗",
    "signing_request.link_expired": "署名URLの期限切れ",
    "signing_request.reminded": "署名のリマインド",
    "signing_request.retried": "送信の再試行",
    "signing_request.sent": "署名依頼の送信完了",
    "signing_request.store_failed": "締結済み書類の取得失敗",
    "signed_document.reverified": "電子署名の再検証",
    "signed_document.refetched": "締結済み書類の再取得（新しい版を保存）",
    "signed_document.refetch_same": "締結済み書類の再取得（変更なし）",
    "signed_document.refetch_refused": "締結済み書類の再取得（受け入れ拒否）",
    "signed_document.refetch_failed": "締結済み書類の再取得失敗",
    "signed_document.renewed": "アーカイブタイムスタンプの追加",
    "signed_document.renew_refused": "アーカイブタイムスタンプの追加見送り",
    "signed_document.uploaded": "締結済み書類のアップロード",
}

# Kinds of stored file this app writes.
STORED_FILE_KINDS = {
    "contract": "契約書（署名前）",
    "signed-signed": "締結済み契約書",
    "signed-certificate": "合意締結証明書",
}
