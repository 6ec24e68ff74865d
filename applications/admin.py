"""Staff review of オンライン申請 in the admin: read the filing, 受理 or 差戻し, reply, export."""

from __future__ import annotations

import copy
import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.admin import DepartmentScopedAdmin
from applications import services
from applications.forms import ReturnForm
from applications.kinds import KINDS, get_kind, labelled_values
from applications.models import Application, ApplicationRevision, Attachment, Message
from core import audit
from core.admin import ReadOnlyInlineMixin
from core.csv_export import csv_response
from core.ratelimit import limited, too_many
from core.wareki import format_wareki

REVIEW_PERM = "applications.review_application"

# The 差戻し service's refusals that belong to one field of the change page's 差戻し form.
RETURN_FORM_FIELDS = {"reason_required": "reason", "deadline": "deadline"}


def return_form(data=None) -> ReturnForm:
    """The 差戻し form of the change page: its inputs sit inside the admin's own form, so each
    names the separate ``return-form`` it belongs to (the date's calendar too)."""
    form = ReturnForm(data, label_suffix="")
    form.fields["reason"].widget.attrs.update({"form": "return-form", "rows": 4, "cols": 60})
    form.fields["deadline"].widget.attrs.update({"form": "return-form"})
    return form


class KindFilter(admin.SimpleListFilter):
    title = "様式"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(k.code, k.title) for k in KINDS]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


def new_message_posted(data) -> bool:
    """Whether the change form's やり取り inline carries a new, non-blank message."""
    return any(
        re.fullmatch(r"messages-\d+-body", name)
        and str(value).strip()
        and not data.get(name[: -len("body")] + "id")
        for name, value in data.items()
    )


class AttachmentInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Attachment
    fields = ("purpose", "download", "pages", "sha256", "created_at")
    readonly_fields = fields

    @admin.display(description="ファイル")
    def download(self, obj: Attachment) -> str:
        if obj.pk is None:  # a posted row id that names no attachment of this application
            return "—"
        url = reverse("applications:attachment", args=[obj.application_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.file.original_name)

    @admin.display(description="ページ数")
    def pages(self, obj: Attachment) -> int:
        return obj.file.page_count

    @admin.display(description="SHA-256")
    def sha256(self, obj: Attachment) -> str:
        return obj.file.sha256[:16] + "…"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("file")


class MessageInlineForm(forms.ModelForm):
    class Meta:
        model = Message
        fields = ("body",)
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "cols": 80})}


class MessageInline(admin.TabularInline):
    """The やり取り: existing messages read-only; a new one is sent to the contractor."""

    model = Message
    form = MessageInlineForm
    extra = 1
    can_delete = False
    verbose_name = "やり取り（新しいメッセージを書くと事業者に通知されます）"
    verbose_name_plural = "やり取り（新しいメッセージを書くと事業者に通知されます）"

    def get_readonly_fields(self, request, obj=None):
        return ()

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class RevisionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ApplicationRevision
    fields = ("number", "submitted_at", "submitted_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(DepartmentScopedAdmin):
    department_path = "case__department"
    change_list_template = "admin/applications/application/change_list.html"
    change_form_template = "admin/applications/application/change_form.html"
    list_display = (
        "receipt_number_display",
        "kind_display",
        "case_number",
        "company",
        "status",
        "submitted_at",
    )
    list_filter = (
        "status",
        KindFilter,
        "case__category",
        "case__department",
        ("submitted_at", admin.DateFieldListFilter),
    )
    # Parts of a 工事名 or a 到達番号 find the filing; full-width 「０００００８」 and names written
    # with full-width brackets or digits match too (NFKC on both sides; indexes in migration 0011).
    search_fields = ("company__name", "case__number", "case__title", "receipt_number")
    list_select_related = ("case", "company")
    ordering = ("-submitted_at", "-id")
    actions = ["accept_selected", "return_selected"]
    inlines = [AttachmentInline, MessageInline, RevisionInline]
    fields = (
        "receipt_number",
        "kind_display",
        "case",
        "company",
        "status",
        "submitted_at",
        "accepted_at",
        "reviewer",
        "return_reason",
        "return_deadline",
        "form_data",
    )
    readonly_fields = fields

    # --- display --------------------------------------------------------------------------

    @admin.display(description="到達番号", ordering="receipt_number")
    def receipt_number_display(self, obj: Application) -> str:
        return obj.receipt_number or "（未提出）"

    @admin.display(description="様式", ordering="kind")
    def kind_display(self, obj: Application) -> str:
        return get_kind(obj.kind).title

    @admin.display(description="案件番号", ordering="case__number")
    def case_number(self, obj: Application) -> str:
        return obj.case.number

    @admin.display(description="申請内容")
    def form_data(self, obj: Application) -> str:
        parts = []
        for heading, rows in labelled_values(obj.kind_obj, obj.data, obj.case, obj.company):
            table = format_html_join(
                "", "<tr><th scope='row'>{}</th><td>{}</td></tr>", ((k, v or "—") for k, v in rows)
            )
            parts.append(
                format_html("<h4>{}</h4><table>{}</table>", heading, table)
                if heading
                else format_html("<table>{}</table>", table)
            )
        return format_html_join("", "{}", ((p,) for p in parts))

    # --- permissions ----------------------------------------------------------------------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(REVIEW_PERM):
            actions.pop("accept_selected", None)
            actions.pop("return_selected", None)
        return actions

    def save_formset(self, request, form, formset, change):
        """New messages go through the service, which notifies the contractor; nothing else in
        the inlines is written here."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not Message:
            return
        for inline_form in formset.forms:
            body = inline_form.cleaned_data.get("body") if inline_form.has_changed() else None
            if body and inline_form.instance.pk is None:
                formset.new_objects.append(
                    services.message_post(
                        application=form.instance, author=request.user, body=body, request=request
                    )
                )

    def save_model(self, request, obj, form, change):
        """Nothing on the application itself is edited here (transitions are actions)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A new staff message mails the contractor: per staff member, RATE_LIMITS["staff_message"]
        (a 429 and nothing stored beyond it)."""
        if (
            request.method == "POST"
            and new_message_posted(request.POST)
            and limited(request, "staff_message", key=f"user{request.user.pk}")
        ):
            return too_many(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    # --- actions --------------------------------------------------------------------------

    @admin.action(description="選択した申請を受理する（確認画面へ）")
    def accept_selected(self, request: HttpRequest, queryset):
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/applications/application/accept.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "申請の受理（確認）",
                    "applications": queryset.select_related("case", "company"),
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        done = 0
        for application in queryset:
            try:
                services.application_accept(
                    application=application, reviewer=request.user, request=request
                )
                done += 1
            except services.ApplicationError as exc:
                self.message_user(request, f"{application}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done}件の申請を受理しました。", messages.SUCCESS)

    @admin.action(description="選択した申請を差し戻す（理由を入力）")
    def return_selected(self, request: HttpRequest, queryset):
        if "apply" in request.POST:
            form = ReturnForm(request.POST)
            if form.is_valid():
                done = 0
                for application in queryset:
                    try:
                        services.application_return(
                            application=application,
                            reviewer=request.user,
                            reason=form.cleaned_data["reason"],
                            deadline=form.cleaned_data["deadline"],
                            request=request,
                        )
                        done += 1
                    except services.ApplicationError as exc:
                        field = RETURN_FORM_FIELDS.get(exc.code)
                        if field is not None:  # the same for every application: ask again
                            form.add_error(field, exc.message)
                            break
                        self.message_user(request, f"{application}: {exc.message}", messages.ERROR)
                if done:
                    self.message_user(
                        request, f"{done}件の申請を差し戻しました。", messages.SUCCESS
                    )
                if not form.errors:
                    return None
        else:
            form = ReturnForm()
        return TemplateResponse(
            request,
            "admin/applications/application/return.html",
            {
                **self.admin_site.each_context(request),
                "title": "申請の差戻し",
                "form": form,
                "applications": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    # --- review on the change page, CSV export --------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_csv), name="applications_application_export"),
            path(
                "<int:pk>/accept/", wrap(self.accept_view), name="applications_application_accept"
            ),
            path(
                "<int:pk>/return/", wrap(self.return_view), name="applications_application_return"
            ),
            path(
                "<int:pk>/certify/",
                wrap(self.certify_view),
                name="applications_application_certify",
            ),
            *super().get_urls(),
        ]

    def _reviewable(self, request: HttpRequest, pk: int) -> Application:
        if request.method != "POST" or not request.user.has_perm(REVIEW_PERM):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def accept_view(self, request: HttpRequest, pk: int):
        application = self._reviewable(request, pk)
        try:
            services.application_accept(
                application=application, reviewer=request.user, request=request
            )
            self.message_user(request, "申請を受理しました。", messages.SUCCESS)
        except services.ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:applications_application_change", args=[application.pk])
        )

    def return_view(self, request: HttpRequest, pk: int):
        """差戻し from the change page. A refused reason or deadline shows the change page again
        with what was typed kept in the two fields and the error beside the one at fault."""
        application = self._reviewable(request, pk)
        form = return_form(request.POST)
        if form.is_valid():
            try:
                services.application_return(
                    application=application,
                    reviewer=request.user,
                    reason=form.cleaned_data["reason"],
                    deadline=form.cleaned_data["deadline"],
                    request=request,
                )
            except services.ApplicationError as exc:
                field = RETURN_FORM_FIELDS.get(exc.code)
                if field is None:  # e.g. no longer 提出済: there is no form to show again
                    self.message_user(request, exc.message, messages.ERROR)
                    return self._change_page_redirect(application)
                form.add_error(field, exc.message)
            else:
                self.message_user(request, "申請を差し戻しました。", messages.SUCCESS)
                return self._change_page_redirect(application)
        self.message_user(
            request,
            "差戻しは完了していません。「審査」欄のエラーを確認し、入力を直してから、"
            "もう一度「差し戻す」を押してください。",
            messages.ERROR,
        )
        return self._change_page(request, application, return_form=form)

    def _change_page_redirect(self, application: Application) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:applications_application_change", args=[application.pk])
        )

    def _change_page(self, request: HttpRequest, application: Application, **context):
        """The change page as a GET shows it, with ``context`` (a bound form, as typed): a
        refused review action is answered here, not by a redirect that would drop the input."""
        page_request = copy.copy(request)
        page_request.method = "GET"
        page_request.POST = QueryDict()
        # the admin's own form (やり取り, 保存) still posts to the change page, not to this URL
        change_url = reverse("admin:applications_application_change", args=[application.pk])
        return self.change_view(
            page_request, str(application.pk), form_url=change_url, extra_context=context
        )

    def certify_view(self, request: HttpRequest, pk: int):
        """中間前金払の認定 (「認定する」) or 不認定 (「不認定とする」, with its reason)."""
        application = self._reviewable(request, pk)
        certified = request.POST.get("decision") == "certified"
        try:
            services.midterm_certify(
                application=application,
                reviewer=request.user,
                certified=certified,
                reason=request.POST.get("reason", ""),
                request=request,
            )
            done = "中間前金払を認定しました。" if certified else "不認定としました。"
            self.message_user(request, f"{done}事業者にメールで通知しました。", messages.SUCCESS)
        except services.ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:applications_application_change", args=[application.pk])
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "can_review": request.user.has_perm(REVIEW_PERM),
            "return_form": return_form(),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The filtered list as CSV (UTF-8 with BOM for Excel, Japanese headers)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).select_related(
            "case", "company", "case__department"
        )
        headers = [
            "到達番号",
            "様式",
            "案件番号",
            "件名",
            "契約区分",
            "担当課",
            "事業者",
            "業者番号",
            "状態",
            "提出日時",
            "提出日（和暦）",
            "受理日時",
            "提出回数",
        ]

        def rows():
            for a in queryset.iterator(chunk_size=500):
                submitted = timezone.localtime(a.submitted_at) if a.submitted_at else None
                accepted = timezone.localtime(a.accepted_at) if a.accepted_at else None
                yield [
                    a.receipt_number or "",
                    get_kind(a.kind).title,
                    a.case.number,
                    a.case.title,
                    a.case.get_category_display(),
                    a.case.department.name,
                    a.company.name,
                    a.company.vendor_number,
                    a.get_status_display(),
                    submitted.strftime("%Y-%m-%d %H:%M") if submitted else "",
                    format_wareki(submitted.date()) if submitted else "",
                    accepted.strftime("%Y-%m-%d %H:%M") if accepted else "",
                    a.revision,
                ]

        audit.record(
            "applications.exported",
            actor=request.user,
            request=request,
            payload={"filters": request.GET.dict()},
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(headers, rows(), filename=f"applications-{stamp}.csv")
