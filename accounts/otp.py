"""Two-factor authentication pages: enrolment (QR code, recovery codes) and verification."""

from __future__ import annotations

import base64
import secrets

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit
from core.middleware import SESSION_HAS_DEVICE
from core.ratelimit import client_address, exhausted, limited, too_many


class TokenForm(forms.Form):
    token = forms.CharField(
        label="確認コード",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="認証アプリに表示される6桁の数字、または復旧コード",
        error_messages={"required": "確認コードを入力してください。"},
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].replace(" ", "").strip()


def _otp_key(request: HttpRequest) -> str:
    """The 2FA-step limit counts per account *and* client address: someone who knows the password
    and guesses codes from elsewhere uses up only their own budget, never the staff member's."""
    return f"user{request.user.pk}:{client_address(request)}"


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return (
        reverse("admin:index")
        if request.user.is_staff
        else resolve_url(settings.LOGIN_REDIRECT_URL)
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="認証アプリ登録用のQRコード" ', 1)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code + secret, then a first token confirms it."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect(f"{reverse('accounts:otp_verify')}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if limited(request, "otp", key=_otp_key(request)):
            return too_many(request)
        if form.is_valid() and device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                codes = _new_recovery_codes(user)
                audit.record("account.otp_enrolled", actor=user, target=user, request=request)
            otp_login(request, device)
            request.session[SESSION_HAS_DEVICE] = True
            return render(
                request,
                "accounts/otp_recovery_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error(
            "token", "確認コードが正しくありません。認証アプリの表示を確認してください。"
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - SVG made by qrcode
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": user.is_staff and settings.STAFF_REQUIRE_2FA,
            "next": _next(request),
        },
    )


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="復旧コード")
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [
        f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}"
        for _ in range(settings.RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=c.replace("-", "")) for c in codes
    )
    return codes


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the login: a token from the app, or one recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not user_has_device(user, confirmed=True):
        return redirect(f"{reverse('accounts:otp_setup')}?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        # Only wrong codes count toward the limit (a clerk logging in often is not throttled).
        if exhausted(request, "otp", key=_otp_key(request)):
            return too_many(request)
        if form.is_valid():
            token = form.cleaned_data["token"].replace("-", "")
            for device in devices_for_user(user, confirmed=True):
                if device.verify_token(token):
                    otp_login(request, device)
                    used_recovery = isinstance(device, StaticDevice)
                    audit.record(
                        "account.otp_verified",
                        actor=user,
                        target=user,
                        request=request,
                        payload={"recovery_code": used_recovery},
                    )
                    if used_recovery:
                        messages.warning(
                            request,
                            f"復旧コードを使用しました。残りは{device.token_set.count()}個です。",
                        )
                    return redirect(_next(request))
        if limited(request, "otp", key=_otp_key(request)):
            return too_many(request)
        form.add_error("token", "確認コードが正しくありません。")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})
