"""Constants of the accounts app."""

# Audit action codes this app records, with the label a person reads.
AUDIT_ACTIONS = {
    "account.otp_enrolled": "二要素認証の登録",
    "account.otp_verified": "二要素認証の確認",
    "company.imported": "事業者の取込み",
    "invitation.accepted": "招待の利用",
    "invitation.issued": "招待の送信",
    "invitation.purged": "期限切れ招待の削除",
}
