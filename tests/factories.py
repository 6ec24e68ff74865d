"""Factories for the tests, with a trait per state (e.g. ``ContractFactory(concluded=True)``,
``SigningRequestFactory(waiting=True)``, ``ApplicationFactory(returned=True)``)."""

import datetime as dt
from datetime import date

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Company, Department, User
from applications.constants import Status as ApplicationStatus
from applications.models import Application
from cases.constants import Category, ProcurementMethod
from cases.models import Case
from contracts.constants import (
    ContractKind,
    ContractStatus,
    DocumentKind,
    RequestStatus,
    SignatureStatus,
    SignerRole,
    SignerState,
)
from contracts.models import Contract, SignedDocument, Signer, SigningRequest
from core.models import StoredFile
from surety.constants import Form, IssuerType, Product
from surety.constants import Status as SuretyStatus
from surety.models import SuretyCertificate
from tests.applications.helpers import VALID
from tests.pdfs import make_pdf

PASSWORD = "correct-horse-battery-9"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"第{n}課")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"テスト建設{n} 株式会社")
    address = "栃木県足利市本城3丁目2145番地"
    representative = "山田 太郎"
    vendor_number = factory.Sequence(lambda n: f"V-{n:04d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    name = "利用者"
    company = factory.SubFactory(CompanyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    company = None
    is_staff = True
    department = factory.SubFactory(DepartmentFactory)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"R7-T-{n:04d}")
    title = factory.Sequence(lambda n: f"市道{n}号線道路改良工事")
    place = "足利市本城3丁目地内"
    category = Category.CONSTRUCTION
    department = factory.SubFactory(DepartmentFactory)
    procurement_method = ProcurementMethod.GENERAL
    opened_on = date(2025, 10, 20)
    awarded_company = factory.SubFactory(CompanyFactory)
    amount = 50_000_000
    period_start = date(2025, 11, 10)
    period_end = date(2026, 3, 19)
    advance_payment = True


# --- files ----------------------------------------------------------------------------------


class StoredFileFactory(factory.django.DjangoModelFactory):
    """A real PDF (reportlab), validated and stored as the portal stores uploads."""

    class Meta:
        model = StoredFile

    kind = "contract"
    company = None
    name = "建設工事請負契約書.pdf"
    pages = 1
    text = "建設工事請負契約書"

    class Params:
        signed = factory.Trait(kind="signed-signed", name="契約書（締結済み）.pdf")
        certificate = factory.Trait(kind="signed-certificate", name="合意締結証明書.pdf")

    @classmethod
    def _create(cls, model_class, *, kind, company, name, pages, text, **kwargs):
        from core.uploads import store_pdf, validate_pdf_bytes

        pdf = validate_pdf_bytes(make_pdf(pages=pages, text=text), name=name)
        return store_pdf(pdf, kind=kind, company=company, **kwargs)


# --- applications ---------------------------------------------------------------------------


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application in a given state (traits: submitted, returned, accepted, withdrawn)."""

    class Meta:
        model = Application

    case = factory.SubFactory(CaseFactory)
    company = factory.SelfAttribute("case.awarded_company")
    kind = "econtract"
    status = ApplicationStatus.DRAFT
    data = factory.LazyAttribute(lambda o: dict(VALID[o.kind]))
    created_by = factory.SubFactory(UserFactory, company=factory.SelfAttribute("..company"))

    class Params:
        submitted = factory.Trait(
            status=ApplicationStatus.SUBMITTED,
            revision=1,
            receipt_number=factory.Sequence(lambda n: f"20251125-{n + 1:06d}"),
            submitted_at=factory.LazyFunction(timezone.now),
        )
        returned = factory.Trait(
            submitted=True,
            status=ApplicationStatus.RETURNED,
            returned_at=factory.LazyFunction(timezone.now),
            return_reason="工程表の工期が契約と一致していません。",
        )
        accepted = factory.Trait(
            submitted=True,
            status=ApplicationStatus.ACCEPTED,
            accepted_at=factory.LazyFunction(timezone.now),
        )
        withdrawn = factory.Trait(
            submitted=True,
            status=ApplicationStatus.WITHDRAWN,
            withdrawn_at=factory.LazyFunction(timezone.now),
        )


# --- contracts ------------------------------------------------------------------------------


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract (traits: signing, concluded, rejected, canceled, change)."""

    class Meta:
        model = Contract

    case = factory.SubFactory(CaseFactory)
    kind = ContractKind.INITIAL
    title = factory.SelfAttribute("case.title")
    amount = factory.SelfAttribute("case.amount")
    period_start = factory.SelfAttribute("case.period_start")
    period_end = factory.SelfAttribute("case.period_end")
    status = ContractStatus.PREPARING
    created_by = factory.SubFactory(StaffFactory)

    class Params:
        signing = factory.Trait(status=ContractStatus.SIGNING)
        concluded = factory.Trait(status=ContractStatus.CONCLUDED, contract_date=date(2025, 11, 25))
        rejected = factory.Trait(status=ContractStatus.REJECTED)
        canceled = factory.Trait(status=ContractStatus.CANCELED)
        change = factory.Trait(
            kind=ContractKind.CHANGE,
            original=factory.SubFactory(
                "tests.factories.ContractFactory",
                case=factory.SelfAttribute("..case"),
                concluded=True,
            ),
        )


class SigningRequestFactory(factory.django.DjangoModelFactory):
    """A signing request (traits: waiting, concluded, rejected, canceled, failed)."""

    class Meta:
        model = SigningRequest

    contract = factory.SubFactory(ContractFactory, signing=True)
    status = RequestStatus.QUEUED
    created_by = factory.SelfAttribute("contract.created_by")

    class Params:
        sent_on = factory.LazyFunction(timezone.now)
        waiting = factory.Trait(
            status=RequestStatus.WAITING,
            document_id=factory.Sequence(lambda n: f"doc{n:029d}"),
            sent_at=factory.SelfAttribute("sent_on"),
        )
        concluded = factory.Trait(
            waiting=True,
            status=RequestStatus.CONCLUDED,
            concluded_at=factory.LazyAttribute(lambda o: o.sent_on + dt.timedelta(days=3)),
            stored_at=factory.SelfAttribute("concluded_at"),
        )
        rejected = factory.Trait(
            waiting=True,
            status=RequestStatus.REJECTED,
            closed_at=factory.LazyAttribute(lambda o: o.sent_on + dt.timedelta(days=3)),
        )
        canceled = factory.Trait(
            waiting=True,
            status=RequestStatus.CANCELED,
            closed_at=factory.LazyAttribute(lambda o: o.sent_on + dt.timedelta(days=3)),
        )
        failed = factory.Trait(
            status=RequestStatus.FAILED,
            last_error_code="400 bad_request",
            last_error_message="email domain does not exist",
        )


class SignerFactory(factory.django.DjangoModelFactory):
    """One signer (traits: city for the city's signer; waiting, agreed for the state)."""

    class Meta:
        model = Signer

    signing_request = factory.SubFactory(SigningRequestFactory)
    order = 1
    role = SignerRole.CONTRACTOR
    name = "山田 太郎"
    email = factory.Sequence(lambda n: f"signer{n}@ashikaga-test.example")
    state = SignerState.PENDING

    class Params:
        city = factory.Trait(
            order=2,
            role=SignerRole.CITY,
            name="足利市長 早川 尚秀",
            email=factory.Sequence(lambda n: f"shicho{n}@city.ashikaga.example"),
        )
        waiting = factory.Trait(state=SignerState.WAITING)
        agreed = factory.Trait(state=SignerState.AGREED)


class SignedDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignedDocument

    signing_request = factory.SubFactory(SigningRequestFactory, concluded=True)
    kind = DocumentKind.SIGNED
    stored_file = factory.SubFactory(
        StoredFileFactory,
        signed=True,
        company=factory.SelfAttribute("..signing_request.contract.case.awarded_company"),
    )
    remote_file_id = "f1"
    sha256 = factory.SelfAttribute("stored_file.sha256")
    size = factory.SelfAttribute("stored_file.size")
    page_count = factory.SelfAttribute("stored_file.page_count")
    signature_status = SignatureStatus.VALID


# --- surety ---------------------------------------------------------------------------------


class SuretyCertificateFactory(factory.django.DjangoModelFactory):
    """A guarantee on a case (traits: electronic, verified, defective; default a paper 契約保証
    whose original has not arrived yet)."""

    class Meta:
        model = SuretyCertificate

    case = factory.SubFactory(CaseFactory)
    product = Product.PERFORMANCE
    form = Form.PAPER
    issuer_type = IssuerType.BANK
    issuer = "足利銀行"
    guarantee_number = factory.Sequence(lambda n: f"BANK-{n:05d}")
    amount = factory.LazyAttribute(lambda o: o.case.amount // 10 if o.case.amount else None)
    expires_on = factory.SelfAttribute("case.period_end")
    status = SuretyStatus.RECEIVED

    class Params:
        electronic = factory.Trait(
            form=Form.ELECTRONIC,
            issuer_type=IssuerType.SURETY_COMPANY,
            issuer="東日本建設業保証株式会社",
            guarantee_number=factory.Sequence(lambda n: f"31072-{n:04d}M"),
            auth_key="Q7XK9M2PLA4T",
        )
        verified = factory.Trait(
            status=SuretyStatus.VERIFIED, verified_at=factory.LazyFunction(timezone.now)
        )
        defective = factory.Trait(
            status=SuretyStatus.DEFECTIVE, defect_reason="保証金額が契約金額の10分の1未満です。"
        )


def archived(
    case,
    *,
    contract_date,
    amount,
    tax=None,
    kind="initial",
    original=None,
    status="concluded",
    title=None,
    sent_days_before=3,
) -> Contract:
    """A contract as the archive holds it: its signing request, both signers and, once
    concluded, the signed PDF and the 合意締結証明書 (real PDFs) — built from the factories."""
    contract = ContractFactory(
        case=case,
        kind=kind,
        original=original,
        title=title or case.title,
        amount=amount,
        tax_amount=tax,
        contract_date=contract_date,
        status=status,
    )
    concluded_at = dt.datetime.combine(
        contract_date, dt.time(10), tzinfo=timezone.get_current_timezone()
    )
    state = {"concluded": "concluded", "rejected": "rejected", "canceled": "canceled"}
    request_state = state.get(status, "waiting")
    signing_request = SigningRequestFactory(
        contract=contract,
        sent_on=concluded_at - dt.timedelta(days=sent_days_before),
        **{request_state: True},
    )
    if request_state in ("concluded", "rejected", "canceled"):
        SigningRequest.objects.filter(pk=signing_request.pk).update(
            concluded_at=concluded_at if request_state == "concluded" else None,
            stored_at=concluded_at if request_state == "concluded" else None,
            closed_at=concluded_at if request_state != "concluded" else None,
        )
    agreed = request_state == "concluded"
    SignerFactory(signing_request=signing_request, agreed=agreed, waiting=not agreed)
    SignerFactory(signing_request=signing_request, city=True, agreed=agreed)
    if agreed:
        for doc_kind, trait in (("signed", "signed"), ("certificate", "certificate")):
            SignedDocumentFactory(
                signing_request=signing_request,
                kind=doc_kind,
                remote_file_id="f1" if doc_kind == "signed" else "",
                stored_file__text=f"{contract.pk}-{doc_kind}",
                stored_file__company=case.awarded_company,
                **{f"stored_file__{trait}": True},
            )
    return contract
