"""Contractor pages of オンライン申請. Thin: parse, check who may, call one service."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from applications import selectors, services
from applications.constants import EDITABLE, WITHDRAWABLE, Status
from applications.forms import AttachmentForm, MessageForm
from applications.kinds import BY_CODE, labelled_values
from applications.kinds import ECONTRACT as ECONTRACT_CODE
from applications.models import Application, Attachment
from cases.selectors import cases_for_company
from core.files import private_file_response
from core.pages import page_url
from core.ratelimit import limited, too_many


def _own(request: HttpRequest, pk: int) -> Application:
    """The user's company's application, or 404."""
    return get_object_or_404(
        selectors.applications_for_company(request.user).select_related("case", "company"),
        pk=pk,
    )


def _visible(request: HttpRequest, pk: int) -> Application:
    """As _own for contractors; staff who may see the case's department get it too."""
    user = request.user
    if user.is_staff:
        application = get_object_or_404(
            Application.objects.select_related("case", "company"), pk=pk
        )
        if not selectors.staff_can_see(user, application):
            raise Http404
        return application
    return _own(request, pk)


def _raw_data(form) -> dict:
    """The normalised values of the kind's fields as typed."""
    return {name: form.data[name] for name in form.fields if name in form.data}


# A field without its own max_length still keeps at most this much in a draft.
DRAFT_FIELD_MAX = 4000


def _draft_problems(form, raw: dict) -> dict[str, str]:
    """What a draft may not keep even though it need not be complete: over-long values, NULs."""
    problems = {}
    for name, value in raw.items():
        if not isinstance(value, str):
            continue
        limit = getattr(form.fields[name], "max_length", None) or DRAFT_FIELD_MAX
        if "\x00" in value:
            problems[name] = "使用できない文字（NUL文字）が含まれています。"
        elif len(value) > limit:
            problems[name] = f"{limit}文字以内で入力してください（現在{len(value)}文字）。"
    return problems


def _keep_hidden_secrets(data, form_class, application: Application | None):
    """After a submission the 認証キー is never sent back to the browser (a password input that
    shows nothing); left blank, the stored value stays."""
    if application is None or application.revision == 0 or not form_class.secret_fields:
        return data
    data = data.copy()
    for name in form_class.secret_fields:
        if not (data.get(name) or "").strip() and application.data.get(name):
            data[name] = application.data[name]
    return data


def _mask_secret_inputs(form, application: Application | None) -> None:
    if application is None or application.revision == 0:
        return
    for name in form.secret_fields:
        if name in form.fields:
            form.fields[name].widget = forms.PasswordInput(
                render_value=False,
                attrs={"autocomplete": "off", "placeholder": "登録済み（表示しません）"},
            )
            form.fields[name].help_text = (
                "登録済みの値は表示しません。訂正する場合だけ入力してください"
                "（空欄のままなら変更しません）。"
            )


def _handle_upload(request, application, attachment_form) -> bool:
    """Attach the uploaded PDF if any; False (and a message on the form) when refused."""
    if not request.FILES.get("upload"):
        return True
    if not attachment_form.is_valid():
        return False
    try:
        services.attachment_add(
            application=application,
            user=request.user,
            upload=request.FILES["upload"],
            purpose=attachment_form.cleaned_data["purpose"],
            request=request,
        )
    except services.ApplicationError as exc:
        attachment_form.add_error("upload", exc.message)
        return False
    return True


def _save_draft(request, *, case, kind, application, data) -> Application:
    """Create or save the 下書き with what was typed (once it exists, the page posts to it)."""
    if application is None:
        return services.application_create(
            case=case,
            company=request.user.company,
            kind=kind.code,
            user=request.user,
            data=data,
            request=request,
        )
    return services.application_save(
        application=application, user=request.user, data=data, request=request
    )


def _changed_filing_initial(request, case, kind) -> dict | None:
    """「変更を届け出る」: the accepted filing's values, to change what differs (dated today)."""
    accepted = _accepted_filing(request, case, kind)
    if accepted is None:
        return None
    initial = {k: v for k, v in accepted.data.items() if not str(k).startswith("_")}
    if kind.form.date_field:
        initial[kind.form.date_field] = dt.date.today()
    return initial


def _accepted_filing(request, case, kind) -> Application | None:
    """The accepted filing a new one of ``kind`` would change (only the 申出書 is changed so)."""
    if kind.code != ECONTRACT_CODE:
        return None
    return (
        selectors.applications_for_company(request.user)
        .filter(case=case, kind=kind.code, status=Status.ACCEPTED)
        .order_by("-accepted_at", "-id")
        .first()
    )


def _edit(request: HttpRequest, *, case, kind, application: Application | None) -> HttpResponse:
    """入力: every POST saves the 下書き first (valid or not); 「確認画面へ進む」 then checks it."""
    company = request.user.company
    form_class = kind.form
    problems: list[str] = []
    if request.method == "POST":
        if request.FILES and limited(request, "upload", key=f"user{request.user.pk}"):
            return too_many(request)
        data = _keep_hidden_secrets(request.POST, form_class, application)
        form = form_class(data=data, case=case, company=company)
        _mask_secret_inputs(form, application)
        attachment_form = AttachmentForm(request.POST, request.FILES, purposes=kind.purposes)
        action = request.POST.get("action", "save")
        too_long = _draft_problems(form, _raw_data(form))
        if too_long:
            for name, problem in too_long.items():
                form.add_error(name, problem)
            messages.error(
                request, "保存できない入力があります。各項目のメッセージをご確認ください。"
            )
            return _render_edit(request, case, kind, form, attachment_form, application)
        try:
            application = _save_draft(
                request, case=case, kind=kind, application=application, data=form.draft_data()
            )
        except services.ApplicationError as exc:
            messages.error(request, exc.message)
            existing = application or (
                selectors.applications_for_company(request.user)
                .filter(case=case, kind=kind.code)
                .order_by("-created_at")
                .first()
            )
            return (
                redirect("applications:detail", existing.pk)
                if existing
                else redirect(page_url("case", case.pk))
            )
        uploaded = _handle_upload(request, application, attachment_form)
        if uploaded and request.FILES.get("upload") and kind.hook("before_attach"):
            # The kind read the PDF: show what was read before anything is submitted (or the
            # kind's own note, e.g. that the contractor types the values by hand).
            application.refresh_from_db(fields=["data", "hook_results"])
            note = application.results.note
            if note:
                messages.warning(request, note)
            else:
                messages.success(
                    request,
                    "PDFを読み取りました。読み取った内容を確認し、必要なら訂正して確認画面へ進んでください。",
                )
            return redirect("applications:edit", application.pk)
        if uploaded and action in ("confirm", "submit"):
            if form.is_valid():
                application.refresh_from_db()
                problems = services.submission_problems(application, form_checked=True)
                if not problems:
                    return redirect("applications:confirm", application.pk)
        elif uploaded:
            messages.success(request, "下書きを保存しました。")
            return redirect("applications:edit", application.pk)
        application.refresh_from_db()
    else:
        initial = (
            (application.data if application else None)
            or (_changed_filing_initial(request, case, kind) if application is None else None)
            or form_class.initial_for(case, company)
        )
        form = form_class(initial=initial, case=case, company=company)
        _mask_secret_inputs(form, application)
        attachment_form = AttachmentForm(purposes=kind.purposes)
    return _render_edit(request, case, kind, form, attachment_form, application, problems)


def _render_edit(
    request,
    case,
    kind,
    form,
    attachment_form,
    application,
    problems=(),
    status: int = 200,
):
    changing = (application is None or application.status == Status.DRAFT) and (
        _accepted_filing(request, case, kind) is not None
    )
    return render(
        request,
        "applications/edit.html",
        {
            "case": case,
            "kind": kind,
            "changing": changing,
            "form": form,
            "attachment_form": attachment_form,
            "application": application,
            "problems": problems,
            # The page always posts to the 下書き it holds once there is one.
            "action_url": (
                reverse("applications:edit", args=[application.pk])
                if application
                else reverse("applications:new", args=[case.pk, kind.code])
            ),
            "attachments": application.attachments.select_related("file") if application else [],
        },
        status=status,
    )


@login_required
def new(request: HttpRequest, case_pk: int, kind: str) -> HttpResponse:
    case = get_object_or_404(cases_for_company(request.user), pk=case_pk)
    k = BY_CODE.get(kind)
    if k is None or not k.applies_to(case.category):
        raise Http404("この様式はこの案件では提出できません。")
    if request.method == "GET":
        draft = selectors.open_draft(request.user, case=case, kind=k.code)
        if draft is not None:  # 「提出する」 on a kind with a 下書き: continue that 下書き
            return redirect("applications:edit", draft.pk)
    return _edit(request, case=case, kind=k, application=None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    if application.status not in EDITABLE:
        messages.error(request, "提出済みの申請は編集できません。")
        return redirect("applications:detail", application.pk)
    return _edit(request, case=application.case, kind=application.kind_obj, application=application)


def _filing_context(application: Application) -> dict:
    return {
        "application": application,
        "case": application.case,
        "sections": labelled_values(
            application.kind_obj, application.data, application.case, application.company
        ),
        "attachments": application.attachments.select_related("file"),
    }


@login_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """確認: everything as it will be filed, with the attachments; 「修正する」 or 「提出する」."""
    application = _own(request, pk)
    if application.status not in EDITABLE:
        return redirect("applications:detail", application.pk)
    problems = services.submission_problems(application)
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return redirect("applications:edit", application.pk)
    return render(
        request,
        "applications/confirm.html",
        {
            **_filing_context(application),
            "kind": application.kind_obj,
            "warnings": services.submission_warnings(application),
            "digest": services.application_digest(application),
            "resubmission": application.status == Status.RETURNED,
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    return render(
        request,
        "applications/detail.html",
        {
            **_filing_context(application),
            "thread": application.messages.select_related("author"),
            "message_form": MessageForm(),
            "editable": application.status in EDITABLE,
            "withdrawable": application.status in WITHDRAWABLE,
            "discardable": application.status == Status.DRAFT and not application.revision,
        },
    )


@login_required
def done(request: HttpRequest, pk: int) -> HttpResponse:
    """受付完了: the 到達番号, when it arrived (和暦), what happens next, the receipt PDF."""
    application = _own(request, pk)
    if not application.receipt_number or application.status == Status.DRAFT:
        return redirect("applications:detail", application.pk)
    return render(
        request,
        "applications/done.html",
        {**_filing_context(application), "kind": application.kind_obj},
    )


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """提出 from the 確認画面 (with the fingerprint of what it showed)."""
    application = _own(request, pk)
    try:
        services.application_submit(
            application=application,
            user=request.user,
            digest=request.POST.get("digest", ""),
            request=request,
        )
    except services.ApplicationError as exc:
        messages.error(request, exc.message)
        if exc.code == "changed":
            return redirect("applications:confirm", application.pk)
        if exc.code in ("form_invalid", "attachment_missing", "kind_check"):
            return redirect("applications:edit", application.pk)
        return redirect("applications:detail", application.pk)
    application.refresh_from_db()
    # The same words as the mail (application_received.txt).
    messages.success(
        request, f"{application.received_wording}。到達番号は{application.receipt_number}です。"
    )
    return redirect("applications:done", application.pk)


@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """取下げ (or 削除 of a 下書き never filed): a page that asks, then the POST that does it."""
    application = _own(request, pk)
    discard = application.status == Status.DRAFT and not application.revision
    try:
        services.check_withdrawable(application)
    except services.ApplicationError as exc:  # e.g. 取下げ pressed again in a second tab
        messages.error(request, exc.message)
        return redirect("applications:detail", application.pk)
    if request.method != "POST" or request.POST.get("confirmed") != "yes":
        return render(
            request,
            "applications/withdraw.html",
            {**_filing_context(application), "discard": discard},
        )
    case_pk = application.case_id
    try:
        if discard:
            services.application_discard(
                application=application, user=request.user, request=request
            )
        else:
            services.application_withdraw(
                application=application, user=request.user, request=request
            )
    except services.ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("applications:detail", application.pk)
    if discard:
        messages.success(request, "下書きを削除しました。")
        return redirect(page_url("case", case_pk) + "#applications")
    messages.success(request, "申請を取り下げました。")
    return redirect("applications:detail", application.pk)


@require_POST
@login_required
def post_message(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own(request, pk)
    # every message mails the other side: a flood of posts must not become a flood of mail
    if limited(request, "message", key=f"user{request.user.pk}"):
        return too_many(request)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_post(
                application=application,
                author=request.user,
                body=form.cleaned_data["body"],
                request=request,
            )
        except services.ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "メッセージを送信しました。")
    else:
        messages.error(request, form.errors["body"][0])
    return redirect("applications:detail", application.pk)


@require_POST
@login_required
def remove_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    application = _own(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, application=application)
    try:
        services.attachment_remove(attachment=attachment, user=request.user, request=request)
    except services.ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "添付ファイルを外しました。")
    return redirect("applications:edit", application.pk)


@require_GET
@login_required
def download_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    application = _visible(request, pk)
    attachment = get_object_or_404(
        Attachment.objects.select_related("file"), pk=attachment_pk, application=application
    )
    return private_file_response(attachment.file, request=request, target=attachment.application)


@require_GET
@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from applications.pdf import application_pdf  # reportlab (~0.15 s) on the first PDF only

    application = _visible(request, pk)
    data = application_pdf(application)
    number = application.receipt_number or f"draft-{application.pk}"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{application.kind_title}_{number}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """受付票 (the printable receipt): 到達番号, 提出日時 in 和暦, what was filed."""
    from applications.pdf import receipt_pdf  # reportlab on the first PDF only

    application = _visible(request, pk)
    if not application.receipt_number:
        raise Http404("まだ提出されていません。")
    response = HttpResponse(receipt_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"受付票_{application.receipt_number}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
