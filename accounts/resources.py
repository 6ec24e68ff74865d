"""入札参加資格者名簿 → 事業者: one row per company, idempotent on 業者番号."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from import_export import fields, resources

from accounts.models import Company, Invitation
from core import audit
from core.imports import CodeWidget, TextWidget, duplicate_error, prepare_headers
from core.text import normalize_compact

HEADERS = ["業者番号", "法人番号", "商号", "住所", "代表者", "連絡先メール"]


class CompanyResource(resources.ModelResource):
    vendor_number = fields.Field("vendor_number", "業者番号", CodeWidget())
    corporate_number = fields.Field("corporate_number", "法人番号", CodeWidget())
    name = fields.Field("name", "商号", TextWidget())
    address = fields.Field("address", "住所", TextWidget())
    representative = fields.Field("representative", "代表者", TextWidget())
    email = fields.Field(attribute=None, column_name="連絡先メール")

    csv_headers = HEADERS

    class Meta:
        model = Company
        import_id_fields = ("vendor_number",)
        fields = ("vendor_number", "corporate_number", "name", "address", "representative", "email")
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def __init__(self, *, send_invitations: bool = False, request=None, **kwargs):
        super().__init__(**kwargs)
        self.send_invitations = send_invitations
        self.request = request
        self._seen: dict[str, int] = {}
        self._invite: list[tuple[str, str]] = []  # (vendor_number, email) of new companies
        self.ignored_columns: list[str] = []

    @classmethod
    def get_display_name(cls):
        return "事業者（入札参加資格者名簿）"

    def before_import(self, dataset, **kwargs):
        self._seen, self._invite = {}, []
        self.ignored_columns = prepare_headers(dataset, HEADERS)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # Company.clean_fields normalises; the corporate number may be written 1234-5678-…
        instance.corporate_number = instance.corporate_number.replace("-", "")
        email = normalize_compact(row.get("連絡先メール", "")).lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.setdefault("name", []).append(
                    ValidationError(f"連絡先メール「{email}」の形式が正しくありません。")
                )
        number = instance.vendor_number
        if number in self._seen:
            errors.setdefault("vendor_number", []).append(
                duplicate_error("業者番号", number, self._seen[number])
            )
        elif number:
            self._seen[number] = (kwargs.get("row_number") or 0) + 1
        if errors:
            raise ValidationError(errors)
        if email and instance.pk is None:
            self._invite.append((number, email))

    def dehydrate_email(self, company: Company) -> str:
        return ""

    def after_import(self, dataset, result, **kwargs):
        result.ignored_columns = self.ignored_columns
        if kwargs.get("dry_run"):
            return
        user = kwargs.get("user")
        invited = 0
        if self.send_invitations:
            from accounts.services import invitation_issue

            for number, email in self._invite:
                company = Company.objects.get(vendor_number=number)
                invitation_issue(
                    invitation=Invitation(email=email, company=company),
                    invited_by=user,
                    request=self.request,
                )
                invited += 1
        audit.record(
            "company.imported",
            actor=user,
            request=self.request,
            payload={
                "file": kwargs.get("file_name") or "",
                "rows": result.total_rows,
                "created": result.totals.get("new", 0),
                "updated": result.totals.get("update", 0),
                "invited": invited,
            },
        )
