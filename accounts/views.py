from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode

from accounts import services
from accounts.forms import InvitationAcceptForm, LoginForm, PortalPasswordResetForm
from core.ratelimit import exhausted, limited, too_many


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Too many failed logins from this address, over all accounts: refused before the
        # password is even checked (the failures are counted in accounts.signals).
        if exhausted(request, "login_address"):
            return too_many(request)
        return super().post(request, *args, **kwargs)

    def get_success_url(self) -> str:
        next_url = self.get_redirect_url()
        if next_url:
            return next_url
        if self.request.user.is_staff:
            return reverse("admin:index")
        return resolve_url(settings.LOGIN_REDIRECT_URL)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"

    def post(self, request, *args, **kwargs):
        if limited(request, "password_reset"):
            return too_many(request)
        return super().post(request, *args, **kwargs)

    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


_INVALID_STATUS = {"unknown": 404, "used": 410, "expired": 410, "exists": 409}


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ is the portal's login page (one form, one lockout, one throttle).

    A signed-in contractor who opens /admin/ is told that it is the staff screen (sending them
    to the login page would redirect straight back to /admin/, a loop)."""
    if request.user.is_authenticated and not request.user.is_staff:
        return render(request, "accounts/staff_only.html", status=403)
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and limited(request, "invitation"):
        return too_many(request)
    try:
        invitation = services.invitation_lookup(token)
    except services.InvitationError as exc:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"message": exc.message},
            status=_INVALID_STATUS[exc.code],
        )
    form = InvitationAcceptForm(
        request.POST or None, email=invitation.email, initial={"name": invitation.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except services.InvitationError as exc:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"message": exc.message},
                status=_INVALID_STATUS[exc.code],
            )
        auth_login(request, user, backend="accounts.backends.PortalModelBackend")
        messages.success(request, "利用者登録が完了しました。")
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}
    )
