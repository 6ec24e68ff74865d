from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from accounts.usernames import canonical_username
from core.text import normalize


class LoginNameField(forms.EmailField):
    """An e-mail address in its canonical form (accounts.usernames) before it is validated:
    full-width letters, capitals or a dotless ı are the same login name."""

    def to_python(self, value):
        return canonical_username(super().to_python(value))


class LoginForm(AuthenticationForm):
    username = LoginNameField(
        label="メールアドレス",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "メールアドレスまたはパスワードが正しくありません。",
        "inactive": "このアカウントは利用できません。",
    }

    def clean_username(self) -> str:
        return canonical_username(self.cleaned_data["username"])


class PortalPasswordResetForm(PasswordResetForm):
    """The reset mail goes to the account with the canonical form of what was typed."""

    def clean_email(self) -> str:
        return canonical_username(self.cleaned_data["email"])

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(
            email__iexact=canonical_username(email), is_active=True
        )
        return (u for u in users if u.has_usable_password())

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        """Django's reset mail, with the portal's one subject prefix (MAIL_SUBJECT_PREFIX)."""
        from django.core.mail import EmailMessage
        from django.template.loader import render_to_string

        from core.mail import subject_with_prefix

        subject = subject_with_prefix(render_to_string(subject_template_name, context).strip())
        body = render_to_string(email_template_name, context)
        EmailMessage(subject, body, from_email, [to_email]).send()


class InvitationAcceptForm(forms.Form):
    name = forms.CharField(label="氏名", max_length=100)
    password1 = forms.CharField(
        label="パスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="8文字以上。数字だけ、よく使われるもの、氏名やメールアドレスに似たものは使えません。",
    )
    password2 = forms.CharField(
        label="パスワード（確認）",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_name(self) -> str:
        name = normalize(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("氏名を入力してください。")
        return name

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "確認用のパスワードが一致しません。")
        elif p1:
            from accounts.models import User

            probe = User(email=self.email, name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
