"""The 認証キーのお知らせ filing's own steps, plugged into the オンライン申請 workflow."""

from __future__ import annotations

from applications.constants import Purpose
from core.sandboxed import BudgetExceeded
from core.uploads import read_untrusted_pdf
from surety import services
from surety.notice import NoticeReadError, notice_warnings, read_notice


class NoticeFiling:
    @staticmethod
    def before_attach(application, purpose: str, data: bytes) -> dict:
        """Read the notice before the PDF is stored: a notice that cannot be read is refused."""
        from applications.services import ApplicationError

        if purpose != Purpose.SURETY_NOTICE:
            return {}
        if application.attachments.filter(purpose=Purpose.SURETY_NOTICE).exists():
            raise ApplicationError(
                "認証キーのお知らせは1件の申請につき1つです。別の保証は新しい申請で提出してください。",
                code="one_notice",
            )
        try:
            # an untrusted PDF: read in a child process within the time and memory budget
            notice = read_untrusted_pdf(read_notice, data)
        except NoticeReadError as exc:
            raise ApplicationError(exc.message, code=exc.code) from None
        except BudgetExceeded:
            raise ApplicationError(
                "PDFファイルの構造が複雑すぎるため読み取れません。保証会社から受け取った"
                "「認証キーのお知らせ」のPDFをそのまま提出してください。",
                code="too_complex",
            ) from None
        read = services.notice_as_dict(notice)
        return {
            "construction_name": notice.construction_name,
            "contractor_name": notice.contractor_name,
            "product": notice.product,
            "guarantee_number": notice.guarantee_number,
            "auth_key": notice.auth_key,
            "_read": read,
            "_warnings": notice_warnings(
                notice, case=application.case, company=application.company
            ),
        }

    @staticmethod
    def check_submit(application) -> list[str]:
        if "_read" not in application.data:
            return [
                "認証キーのお知らせのPDFを添付してください（読み取った内容を確認してから提出します）。"
            ]
        return services.mixing_problems(
            guarantee_number=application.data.get("guarantee_number", ""),
            electronic=True,
            exclude_application=application,
        )

    @staticmethod
    def after_submit(application, user, request) -> None:
        services.surety_notice_register(application=application, user=user, request=request)
