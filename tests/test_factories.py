"""The factories' traits make rows the models accept (full_clean), in the state they name."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("trait", [None, "submitted", "returned", "accepted", "withdrawn"])
def test_application_states(trait):
    application = f.ApplicationFactory(**({trait: True} if trait else {}))
    application.full_clean()
    assert application.status == (trait or "draft")
    assert application.company == application.case.awarded_company
    assert (application.receipt_number is None) == (trait is None)


@pytest.mark.parametrize(
    "trait, status", [(None, "preparing"), ("signing", "signing"), ("concluded", "concluded")]
)
def test_contract_states(trait, status):
    contract = f.ContractFactory(**({trait: True} if trait else {}))
    contract.full_clean()
    assert contract.status == status and contract.amount == contract.case.amount


def test_change_contract_points_at_a_concluded_original_of_the_same_case():
    change = f.ContractFactory(change=True)
    change.full_clean()
    assert change.original.status == "concluded" and change.original.case == change.case


@pytest.mark.parametrize("trait", ["waiting", "concluded", "rejected", "canceled", "failed"])
def test_signing_request_states(trait):
    signing_request = f.SigningRequestFactory(**{trait: True})
    signing_request.full_clean()
    assert signing_request.status == trait
    assert (signing_request.document_id is not None) == (trait != "failed")


def test_signers_and_signed_documents():
    city = f.SignerFactory(city=True, agreed=True)
    city.full_clean()
    assert (city.role, city.order, city.state) == ("city", 2, "agreed")
    document = f.SignedDocumentFactory()
    document.full_clean()
    assert document.stored_file.kind == "signed-signed"
    assert document.sha256 == document.stored_file.sha256 and document.page_count == 1
    owner = document.signing_request.contract.case.awarded_company
    assert document.stored_file.company == owner


@pytest.mark.parametrize("trait", [None, "electronic", "verified", "defective"])
def test_surety_states(trait):
    certificate = f.SuretyCertificateFactory(**({trait: True} if trait else {}))
    certificate.full_clean()
    assert certificate.amount == certificate.case.amount // 10


def test_stored_file_is_a_real_pdf():
    from pypdf import PdfReader

    stored = f.StoredFileFactory(pages=3, certificate=True)
    with stored.file.open("rb") as fh:
        assert len(PdfReader(fh).pages) == 3
    assert stored.kind == "signed-certificate" and stored.page_count == 3
