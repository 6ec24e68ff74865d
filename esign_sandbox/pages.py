"""The recipients' side: the signing page behind the link in the 確認依頼 e-mail."""

from __future__ import annotations

from urllib.parse import unquote

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from esign_sandbox import engine
from esign_sandbox.engine import SandboxError
from esign_sandbox.models import DocStatus, Participant, PStatus


class RejectForm(forms.Form):
    reason = forms.CharField(label="却下の理由", max_length=1000, widget=forms.Textarea)


class TransferForm(forms.Form):
    name = forms.CharField(label="転送先の氏名", max_length=64)
    email = forms.EmailField(label="転送先のメールアドレス")


def _participant(token: str) -> Participant | None:
    return (
        Participant.objects.select_related("document", "document__account")
        .filter(link_token=token)
        .first()
    )


def sign(request: HttpRequest, token: str) -> HttpResponse:
    participant = _participant(token)
    if participant is None or participant.status != PStatus.WAITING:
        return render(
            request,
            "esign_sandbox/sign_invalid.html",
            {"message": "このURLは無効です。送信者に再送を依頼してください。"},
            status=404,
        )
    doc = participant.document
    if participant.access_expires_at and participant.access_expires_at <= timezone.now():
        return render(
            request,
            "esign_sandbox/sign_invalid.html",
            {"message": "URLの有効期限が切れています。送信者に再配信を依頼してください。"},
            status=410,
        )
    if participant.opened_at is None:
        Participant.objects.filter(pk=participant.pk).update(opened_at=timezone.now())
    reject_form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
    transfer_form = TransferForm(request.POST if request.POST.get("action") == "transfer" else None)
    done = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "agree":
                engine.agree(doc.id, participant.id)
                done = "書類の内容に同意しました。"
            elif action == "reject" and reject_form.is_valid():
                engine.reject(doc.id, reject_form.cleaned_data["reason"], participant.id)
                done = "書類を却下しました。送信者に通知されます。"
            elif action == "transfer" and transfer_form.is_valid():
                engine.transfer(doc.id, participant.id, **transfer_form.cleaned_data)
                done = "書類を転送しました。"
        except SandboxError as exc:
            return render(
                request, "esign_sandbox/sign_invalid.html", {"message": exc.message}, status=400
            )
        if done:
            return render(request, "esign_sandbox/sign_done.html", {"doc": doc, "message": done})
    return render(
        request,
        "esign_sandbox/sign.html",
        {
            "doc": doc,
            "participant": participant,
            "sender": engine.sender_of(doc),
            "files": doc.files.all(),
            "reject_form": reject_form,
            "transfer_form": transfer_form,
            "token": token,
            "is_waiting": doc.status == DocStatus.WAITING,
        },
    )


@xframe_options_sameorigin
def sign_file(request: HttpRequest, token: str, file_id: str) -> HttpResponse:
    participant = _participant(token)
    if participant is None or participant.status != PStatus.WAITING:
        raise Http404("このURLは無効です。")
    f = participant.document.files.filter(pk=file_id).first()
    if f is None:
        raise Http404("ファイルが見つかりません。")
    response = HttpResponse(bytes(f.data), content_type="application/pdf")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def ca_certificate(request: HttpRequest) -> HttpResponse:
    """The sandbox CA certificate (PEM): what a verifier installs as its trust root."""
    from esign_sandbox import pki

    return HttpResponse(pki.ca_pem_path().read_bytes(), content_type="application/x-pem-file")


def ca_crl(request: HttpRequest) -> HttpResponse:
    """The CA's CRL (DER), the URL in every certificate's CRL distribution point."""
    from esign_sandbox import pki

    return HttpResponse(pki.crl_der(), content_type="application/pkix-crl")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ocsp(request: HttpRequest, encoded: str = "") -> HttpResponse:
    """The CA's OCSP responder (the URL in every certificate's AIA): POST a DER request, or GET
    it base64-encoded in the path (RFC 6960 A.1)."""
    import base64
    import binascii

    from esign_sandbox import pki

    if request.method == "POST":
        der = request.body
    else:
        try:
            der = base64.b64decode(unquote(encoded), validate=False)
        except (binascii.Error, ValueError):
            der = b""
    return HttpResponse(pki.ocsp_response(der), content_type="application/ocsp-response")


@csrf_exempt
@require_http_methods(["POST"])
def tsa(request: HttpRequest) -> HttpResponse:
    """The city's archive TSA (RFC 3161 over HTTP), provided by the sandbox."""
    from esign_sandbox import pki

    if request.content_type != "application/timestamp-query":
        return HttpResponse(status=415)
    try:
        answer = pki.timestamp_response(request.body)
    except Exception:  # not a TimeStampReq
        return HttpResponse("bad request", status=400, content_type="text/plain")
    return HttpResponse(answer, content_type="application/timestamp-reply")
