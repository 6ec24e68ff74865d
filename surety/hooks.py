"""The 認証キーのお知らせ filing's own steps, plugged into the オンライン申請 workflow."""

from __future__ import annotations

from applications.constants import Purpose
from applications.results import AttachResult, HookResults, ManualEntry
from core.sandboxed import BudgetExceeded
from surety import services
from surety.notice import NoticeReadError, notice_warnings, read_notice

# Files that are not a readable PDF at all stay refused even in 手入力 mode.
BROKEN = {"not_pdf", "encrypted", "unreadable"}
MANUAL_HINT = (
    "（読み取れないお知らせは、「PDFを読み取れない場合は、保証契約番号と認証キーを手入力して"
    "提出する」にチェックを入れてPDFを添付し直すと、PDFを添付したまま手入力で提出できます。）"
)


def wants_manual(data: dict) -> bool:
    return str(data.get("manual_entry", "")).lower() in {"on", "true", "1", "yes"}


def _typed_number(application) -> str:
    """The 保証契約番号 the contractor typed before choosing 手入力 (kept for them), but not one
    read from a notice no longer attached: it may belong to another guarantee."""
    number = str(application.data.get("guarantee_number") or "").strip()
    if number and number == application.results.read.get("guarantee_number"):
        return ""
    return number


def _what_to_type(number: str) -> str:
    """What the contractor fills in next in 手入力 mode, field by field."""
    key = (
        "認証キーは安全のため画面に表示していません。「認証キー」と"
        "「認証キー（確認のためもう一度）」の2か所に、もう一度入力してください。"
    )
    if number:
        return (
            f"入力済みの保証契約番号（{number}）はそのまま残しています。お知らせのPDFの記載と"
            "同じか確認し、"
            "「保証契約番号（確認のためもう一度）」にもう一度入力してください。" + key
        )
    return (
        "「保証契約番号」と「保証契約番号（確認のためもう一度）」に保証契約番号を、"
        "「認証キー」と「認証キー（確認のためもう一度）」に認証キーを入力してください。"
    )


class NoticeFiling:
    @staticmethod
    def before_attach(application, purpose: str, data: bytes) -> AttachResult | None:
        """Read the notice before the PDF is stored. A notice that cannot be read is refused,
        unless the contractor chose 手入力: then the PDF is kept and the filing is marked."""
        from applications.services import ApplicationError

        if purpose != Purpose.SURETY_NOTICE:
            return None
        if application.attachments.filter(purpose=Purpose.SURETY_NOTICE).exists():
            raise ApplicationError(
                "認証キーのお知らせは1件の申請につき1つです。別の保証は新しい申請で提出してください。",
                code="one_notice",
            )
        try:
            # an untrusted PDF: read in a child process within the time and memory budget
            notice = read_notice(data)
        except NoticeReadError as exc:
            if exc.code in BROKEN:
                raise ApplicationError(exc.message, code=exc.code) from None
            if not wants_manual(application.data):
                raise ApplicationError(exc.message + MANUAL_HINT, code=exc.code) from None
            number = _typed_number(application)
            return AttachResult(
                values={
                    "construction_name": application.data.get("construction_name")
                    or application.case.title,
                    "contractor_name": application.data.get("contractor_name")
                    or application.company.name,
                    "guarantee_number": number,
                    # never shown back on the page (a password input): typed again, twice
                    "auth_key": "",
                    "auth_key_confirm": "",
                },
                results=HookResults(
                    manual=ManualEntry(code=exc.code, reason=exc.message),
                    note=(
                        "PDFを読み取れなかったため、PDFを添付したまま手入力で提出します"
                        f"（{exc.message}）。{_what_to_type(number)}"
                        "市の担当者には「手入力」と表示されます。"
                    ),
                ),
            )
        except BudgetExceeded:
            raise ApplicationError(
                "PDFファイルの構造が複雑すぎるため読み取れません。保証会社から受け取った"
                "「認証キーのお知らせ」のPDFをそのまま提出してください。",
                code="too_complex",
            ) from None
        read = services.notice_as_dict(notice)
        return AttachResult(
            values={
                "construction_name": notice.construction_name,
                "contractor_name": notice.contractor_name,
                "product": notice.product,
                "guarantee_number": notice.guarantee_number,
                "auth_key": notice.auth_key,
                "manual_entry": False,
            },
            results=HookResults(
                read=read,
                warnings=tuple(
                    notice_warnings(notice, case=application.case, company=application.company)
                ),
            ),
        )

    @staticmethod
    def check_submit(application) -> list[str]:
        data = application.data
        reading = application.results
        if not (reading.read or reading.manual):
            return [
                "認証キーのお知らせのPDFを添付してください（読み取った内容を確認してから提出します）。"
            ]
        return services.mixing_problems(
            guarantee_number=data.get("guarantee_number", ""),
            electronic=True,
            exclude_application=application,
        )

    @staticmethod
    def confirm_warnings(application) -> list[str]:
        return _duplicates(application)

    @staticmethod
    def after_submit(application, user, request) -> None:
        services.surety_notice_register(application=application, user=user, request=request)


def _duplicates(application) -> list[str]:
    return services.duplicate_number_warnings(
        guarantee_number=services.guarantee_number_key(application.data.get("guarantee_number")),
        case=application.case,
        company=application.company,
        exclude_application=application,
    )


class AdvancePaymentFiling:
    """The 前金払申請書 names the 前払金保証's 保証契約番号: warn when it belongs elsewhere."""

    confirm_warnings = staticmethod(_duplicates)
