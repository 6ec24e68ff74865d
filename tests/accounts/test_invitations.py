from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, User
from core.models import AuditEvent


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    def _invite(staff, company, email="new@ashikaga-test.example") -> str:
        """Invite through the admin form, as staff do; return the link's path from the e-mail."""
        client.force_login(staff)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:accounts_invitation_add"),
                {"email": email, "name": "新規 利用者", "company": company.pk},
            )
        assert response.status_code == 302
        message = mail.outbox[-1]
        assert message.to == [email]
        assert "利用者登録のご案内" in message.subject
        link = next(line for line in message.body.splitlines() if "/accounts/invite/" in line)
        client.logout()
        return urlsplit(link.strip()).path

    return _invite


@pytest.fixture
def accept_data():
    return {
        "name": "新規 利用者",
        "password1": "ashikaga-Pass-2025",
        "password2": "ashikaga-Pass-2025",
    }


@pytest.mark.django_db
def test_invitation_creates_a_company_user_once(
    client, invite, section_staff, company, accept_data
):
    path = invite(section_staff, company)
    invitation = Invitation.objects.get()
    assert invitation.token_hash not in path  # only the hash is stored, never the token
    page = client.get(path)
    assert page.status_code == 200
    assert "利用者登録" in page.content.decode()

    response = client.post(path, accept_data)
    assert response.status_code == 302
    user = User.objects.get(email="new@ashikaga-test.example")
    assert user.company == company and not user.is_staff
    assert user.check_password("ashikaga-Pass-2025")
    assert AuditEvent.objects.filter(action="invitation.accepted").count() == 1

    client.logout()
    again = client.post(path, accept_data)
    assert again.status_code == 410
    assert "既に使用されています" in again.content.decode()
    assert User.objects.filter(email="new@ashikaga-test.example").count() == 1


@pytest.mark.django_db
def test_expired_invitation_is_refused(client, invite, section_staff, company, accept_data):
    path = invite(section_staff, company)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(path, accept_data)
    assert response.status_code == 410
    assert "有効期限が切れています" in response.content.decode()
    assert not User.objects.filter(email="new@ashikaga-test.example").exists()


@pytest.mark.django_db
def test_invitation_is_valid_seven_days(client, invite, section_staff, company):
    invite(section_staff, company)
    invitation = Invitation.objects.get()
    delta = invitation.expires_at - invitation.created_at
    assert timedelta(days=7) - timedelta(seconds=5) < delta <= timedelta(days=7)


@pytest.mark.django_db
def test_unknown_token_is_404(client):
    response = client.get(reverse("accounts:invitation_accept", args=["no-such-token"]))
    assert response.status_code == 404
    assert "無効です" in response.content.decode()


@pytest.mark.django_db
def test_bad_passwords_keep_the_invitation_usable(client, invite, section_staff, company):
    path = invite(section_staff, company)
    response = client.post(path, {"name": "x", "password1": "abcdefgh1", "password2": "zzz"})
    assert response.status_code == 200
    assert "確認用のパスワードが一致しません。" in response.content.decode()
    response = client.post(path, {"name": "x", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert not User.objects.filter(email="new@ashikaga-test.example").exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_service_refuses_existing_email(contractor, section_staff):
    invitation = Invitation(email=contractor.email, company=contractor.company)
    token = services.invitation_issue(invitation=invitation, invited_by=section_staff)
    with pytest.raises(services.InvitationError) as exc_info:
        services.invitation_accept(token=token, name="x", password="ashikaga-Pass-2025")
    assert exc_info.value.code == "exists"
    assert Invitation.objects.get().accepted_at is None  # rolled back


@pytest.mark.django_db
def test_an_existing_user_is_found_however_the_invitation_spells_the_address(
    company, section_staff
):
    """The invitation's address is stored in the login's canonical form (IDNA domain, case
    folded): an existing user with a Japanese-domain address gets the clear message, not a 500."""
    from accounts.models import User as PortalUser

    PortalUser.objects.create_user(
        email="Taro@足利建設.jp", password="ashikaga-Pass-2025", name="x", company=company
    )
    invitation = Invitation(email="ＴＡＲＯ@足利建設.JP", company=company)
    token = services.invitation_issue(invitation=invitation, invited_by=section_staff)
    assert invitation.email == PortalUser.objects.get(company=company).email
    with pytest.raises(services.InvitationError) as exc_info:
        services.invitation_accept(token=token, name="x", password="ashikaga-Pass-2025")
    assert exc_info.value.code == "exists"
    assert PortalUser.objects.filter(company=company).count() == 1


@pytest.mark.django_db
def test_department_staff_cannot_invite(client, department_staff, company):
    client.force_login(department_staff)
    response = client.post(
        reverse("admin:accounts_invitation_add"), {"email": "x@example.jp", "company": company.pk}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
