import pytest

from applications import services as application_services
from contracts import services
from tests.applications.helpers import filed
from tests.pdfs import pdf_upload


@pytest.fixture
def signer_department(department):
    department.signer_name = "足利市長 早川 尚秀"
    department.signer_email = "shicho@city.ashikaga.example"
    department.save()
    return department


@pytest.fixture
def accepted_econtract(case, contractor, section_staff, signer_department):
    application = filed(case, contractor)
    return application_services.application_accept(application=application, reviewer=section_staff)


@pytest.fixture
def ready_contract(case, section_staff, accepted_econtract):
    contract = services.contract_create(case=case, user=section_staff)
    services.contract_add_file(contract=contract, user=section_staff, upload=pdf_upload())
    services.contract_add_file(
        contract=contract, user=section_staff, upload=pdf_upload("契約約款.pdf", pages=2)
    )
    return contract


@pytest.fixture
def use_sandbox(settings, sandbox_url):
    settings.CLOUDSIGN_API_BASE = sandbox_url
    return sandbox_url


@pytest.fixture(autouse=True)
def _performance_surety(request):
    """Contract tests start with the 契約保証 in place (a paper original received); the
    surety tests check that gate themselves."""
    if "case" not in request.fixturenames:
        return
    import datetime as dt

    from surety.services import surety_record_other

    case = request.getfixturevalue("case")
    surety_record_other(
        case=case,
        user=None,
        product="performance",
        form="paper",
        issuer_type="bank",
        issuer="足利銀行",
        guarantee_number=f"BANK-{case.pk}",
        received_on=dt.date(2025, 11, 1),
        amount=case.amount // 10,
    )
