from urllib.parse import quote

import pytest
from django.urls import reverse

from core.uploads import store_pdf, validate_pdf_bytes
from tests.pdfs import make_pdf


@pytest.fixture
def stored(company):
    pdf = validate_pdf_bytes(make_pdf(), name="建設工事請負契約書.pdf")
    return store_pdf(pdf, kind="contract", company=company)


@pytest.mark.django_db
def test_owner_downloads_with_japanese_name(client, contractor, stored):
    client.force_login(contractor)
    response = client.get(reverse("core:download", args=[stored.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("建設工事請負契約書.pdf")
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_other_company_gets_404(client, other_contractor, stored):
    client.force_login(other_contractor)
    assert client.get(reverse("core:download", args=[stored.pk])).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, stored):
    response = client.get(reverse("core:download", args=[stored.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_staff_with_permission_downloads_department_staff_do_not(
    client, section_staff, department_staff, stored
):
    client.force_login(section_staff)
    assert client.get(reverse("core:download", args=[stored.pk])).status_code == 200
    client.force_login(department_staff)
    assert client.get(reverse("core:download", args=[stored.pk])).status_code == 404
