"""IDOR matrix: every contractor-facing URL pattern, generated from the URL conf. A user of
company A asking for each object of company B gets 404. A new URL fails this test until it is
classified below."""

import datetime as dt

import pytest
from django.urls import URLResolver, get_resolver, reverse

from tests.factories import CaseFactory, archived

# Patterns without a company's object in them, and why.
NOT_OBJECT_SCOPED = {
    "healthz": "load-balancer check, no data",
    "livez": "liveness check, touches nothing",
    "metrics": "staff (2FA) or the METRICS_TOKEN only; aggregate counts, no object",
    "robots": "static text",
    "favicon": "a static file",
    "accounts:login": "public",
    "accounts:logout": "session only",
    "accounts:password_reset": "public, reveals nothing",
    "accounts:password_reset_done": "public",
    "accounts:password_reset_confirm": "signed token, not an object id",
    "accounts:password_reset_complete": "public",
    "accounts:invitation_accept": "single-use secret token (hash lookup)",
    "accounts:otp_verify": "the user's own devices",
    "accounts:otp_setup": "the user's own devices",
    "home": "lists the user's own company only",
    "contract_list": "lists the user's own company only",
    "signed_contracts": "lists the user's own company only (POSTed ids are re-scoped; tested)",
    "cloudsign_webhook": "authenticated by the secret in the URL",
}
# Outside the contractor-facing surface.
OTHER_SURFACES = ("admin/", "sandbox/cloudsign/")

# pattern name -> (method, builder of the kwargs pointing at company B's object)
OBJECT_SCOPED = {
    "core:download": ("get", lambda b: {"pk": b["stored"].pk}),
    "applications:new": ("get", lambda b: {"case_pk": b["case"].pk, "kind": "econtract"}),
    "applications:detail": ("get", lambda b: {"pk": b["application"].pk}),
    "applications:edit": ("get", lambda b: {"pk": b["application"].pk}),
    "applications:submit": ("post", lambda b: {"pk": b["application"].pk}),
    "applications:confirm": ("get", lambda b: {"pk": b["application"].pk}),
    "applications:done": ("get", lambda b: {"pk": b["submitted"].pk}),
    "applications:receipt": ("get", lambda b: {"pk": b["submitted"].pk}),
    "applications:withdraw": ("post", lambda b: {"pk": b["application"].pk}),
    "applications:message": ("post", lambda b: {"pk": b["application"].pk}),
    "applications:pdf": ("get", lambda b: {"pk": b["application"].pk}),
    "applications:attachment": (
        "get",
        lambda b: {"pk": b["application"].pk, "attachment_pk": b["attachment"].pk},
    ),
    "applications:attachment_delete": (
        "post",
        lambda b: {"pk": b["application"].pk, "attachment_pk": b["attachment"].pk},
    ),
    "case_detail": ("get", lambda b: {"pk": b["case"].pk}),
    "contract_detail": ("get", lambda b: {"pk": b["contract"].pk}),
    "contract_file": ("get", lambda b: {"pk": b["contract"].pk, "file_pk": b["contract_file"].pk}),
    "signed_document": (
        "get",
        lambda b: {"pk": b["signed"].pk, "document_pk": b["document"].pk},
    ),
}


def url_names():
    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace
                full = f"{namespace}:{ns}" if namespace and ns else ns or namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), full)
            else:
                yield prefix + str(p.pattern), f"{namespace}:{p.name}" if namespace else p.name

    for route, name in walk(get_resolver().url_patterns):
        if not route.startswith(OTHER_SURFACES):
            yield route, name


def test_every_contractor_url_is_classified():
    unclassified = [
        (route, name)
        for route, name in url_names()
        if name not in NOT_OBJECT_SCOPED and name not in OBJECT_SCOPED
    ]
    assert unclassified == [], "classify these URLs in tests/test_idor.py"
    for route, name in url_names():
        if "<" in route:
            assert name in OBJECT_SCOPED or name in NOT_OBJECT_SCOPED


@pytest.fixture
def company_b_objects(other_company, other_department, other_contractor, section_staff):
    """One of each object that company B owns."""
    from contracts import services as contract_services
    from tests.applications.helpers import filed
    from tests.pdfs import pdf_upload

    case = CaseFactory(awarded_company=other_company, department=other_department)
    application = filed(case, other_contractor, "schedule", submit=False, with_pdf="schedule")
    attachment = application.attachments.get()
    submitted = filed(case, other_contractor, "econtract")
    contract = contract_services.contract_create(case=case, user=section_staff)
    contract_file = contract_services.contract_add_file(
        contract=contract, user=section_staff, upload=pdf_upload()
    )
    contract.status = "signing"
    contract.save()
    signed = archived(case, contract_date=dt.date(2025, 6, 1), amount=1_100_000, tax=100_000)
    document = signed.signing_requests.get().documents.first()
    return {
        "case": case,
        "application": application,
        "submitted": submitted,
        "attachment": attachment,
        "stored": attachment.file,
        "contract": contract,
        "contract_file": contract_file,
        "signed": signed,
        "document": document,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OBJECT_SCOPED))
def test_company_a_gets_404_for_company_b_objects(client, contractor, company_b_objects, name):
    method, build = OBJECT_SCOPED[name]
    client.force_login(contractor)
    url = reverse(name, kwargs=build(company_b_objects))
    response = getattr(client, method)(url)
    assert response.status_code == 404, (name, url, response.status_code)
    company_b_objects["application"].refresh_from_db()
    assert company_b_objects["application"].status == "draft"
    assert company_b_objects["application"].attachments.count() == 1


@pytest.mark.django_db
def test_company_b_reaches_its_own_objects(client, other_contractor, company_b_objects):
    """The matrix is not trivially 404: the owner gets each GET page."""
    client.force_login(other_contractor)
    for name, (method, build) in OBJECT_SCOPED.items():
        if method == "get":
            response = client.get(reverse(name, kwargs=build(company_b_objects)))
            assert response.status_code == 200, (name, response.status_code)


@pytest.mark.django_db
def test_zip_export_ignores_other_companies_ids(client, contractor, company_b_objects):
    client.force_login(contractor)
    response = client.post(
        reverse("signed_contracts"), {"contract": [company_b_objects["signed"].pk]}, follow=True
    )
    assert "ダウンロードする契約を選んでください。" in response.content.decode()
