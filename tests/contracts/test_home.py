import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CaseFactory


@pytest.mark.django_db
def test_contractor_sees_only_their_company_cases(client, contractor, case, other_case):
    client.force_login(contractor)
    page = client.get(reverse("home")).content.decode()
    assert case.title in page
    assert other_case.title not in page
    assert "令和7年10月20日" in page  # 開札日 in 和暦
    assert "50,000,000円" in page


@pytest.mark.django_db
def test_other_company_case_is_404(client, contractor, case, other_case):
    client.force_login(contractor)
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("case_detail", args=[other_case.pk])).status_code == 404


@pytest.mark.django_db
def test_empty_state_is_friendly(client, contractor):
    client.force_login(contractor)
    page = client.get(reverse("home")).content.decode()
    assert "現在、表示できる案件はありません。" in page


@pytest.mark.django_db
def test_anonymous_goes_to_login_and_staff_to_admin(client, section_staff):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(section_staff)
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_cases(client, contractor, department):
    client.force_login(contractor)
    CaseFactory.create_batch(2, awarded_company=contractor.company, department=department)
    client.get(reverse("home"))  # warm the session cache
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    CaseFactory.create_batch(30, awarded_company=contractor.company, department=department)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few) <= 6


@pytest.mark.django_db
def test_shell_is_accessible(client, contractor):
    client.force_login(contractor)
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="ja">' in page
    assert 'href="#main"' in page and 'id="main"' in page
    assert 'name="viewport"' in page
    login_page = client.get(reverse("accounts:login"))
    assert login_page.status_code == 302  # already logged in


@pytest.mark.django_db
def test_login_page_labels_every_input(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<label for="id_username">メールアドレス' in page
    assert '<label for="id_password">パスワード' in page
