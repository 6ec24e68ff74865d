"""The send gate exists as Python (``gate_problems``, the last word before sending) and as one
query (``ready_to_send``, the work queue and the admin filter). Hypothesis generates cases over
every input the query looks at and checks that both agree on each one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.constants import OPEN
from applications.constants import Status as AppStatus
from contracts.constants import ContractStatus, RequestStatus
from contracts.models import Contract, ContractFile
from contracts.selectors import gate_problems, ready_to_send
from core.models import StoredFile
from surety.constants import Form, Product
from surety.constants import Status as SuretyStatus
from surety.models import SuretyCertificate
from tests.factories import (
    ApplicationFactory,
    CaseFactory,
    ContractFactory,
    SigningRequestFactory,
    StoredFileFactory,
)

CLOSED = {s.value for s in AppStatus} - {s.value for s in OPEN}
THRESHOLD = django_settings.CONTRACT_COUNCIL_THRESHOLDS["construction"]

certificates = st.lists(
    st.fixed_dictionaries(
        {
            "form": st.sampled_from([f.value for f in Form]),
            "status": st.sampled_from([s.value for s in SuretyStatus]),
            "received": st.booleans(),
            "product": st.sampled_from([Product.PERFORMANCE, Product.ADVANCE]),
        }
    ),
    max_size=2,
)

# Every input the query looks at: its choices, and the value that lets a contract be sent.
CHOICES = {
    "status": st.sampled_from([s.value for s in ContractStatus]),
    "awarded": st.booleans(),
    # the case's 申出書 in the order filed (the latest counts, withdrawn ones do not); one
    # open filing of a kind at a time, so an earlier one is closed
    "econtracts": st.tuples(
        st.lists(st.sampled_from(sorted(CLOSED)), max_size=1),
        st.none() | st.sampled_from([s.value for s in AppStatus]),
    ).map(lambda t: [*t[0], *([t[1]] if t[1] else [])]),
    "other_company_econtract": st.booleans(),
    "files": st.booleans(),
    "request": st.none() | st.sampled_from([s.value for s in RequestStatus]),
    "planned_price": st.sampled_from([None, THRESHOLD - 1, THRESHOLD]),
    "amount": st.sampled_from([THRESHOLD - 1, THRESHOLD]),
    "signer_name": st.sampled_from(["", "足利市長 早川 尚秀"]),
    "signer_email": st.sampled_from(["", "shicho@city.ashikaga.example"]),
    "exempt": st.booleans(),
    "exempt_reason": st.sampled_from(["", "  ", "少額のため"]),
    "certificates": certificates,
}
SENDABLE_INPUTS = {
    "status": ContractStatus.PREPARING,
    "awarded": True,
    "econtracts": [AppStatus.ACCEPTED],
    "other_company_econtract": False,
    "files": True,
    "request": None,
    "planned_price": None,
    "amount": THRESHOLD - 1,
    "signer_name": "足利市長 早川 尚秀",
    "signer_email": "shicho@city.ashikaga.example",
    "exempt": True,
    "exempt_reason": "少額のため",
    "certificates": [],
}


@st.composite
def gate_inputs(draw) -> dict:
    """A sendable contract with a few of its inputs drawn from all their choices: the cases
    where one rule alone decides are the ones where the two forms could disagree."""
    varied = draw(st.sets(st.sampled_from(sorted(CHOICES)), max_size=4))
    return {k: draw(CHOICES[k]) if k in varied else SENDABLE_INPUTS[k] for k in CHOICES}


def build(inputs: dict, pdf) -> Contract:
    case = CaseFactory(
        planned_price=inputs["planned_price"],
        amount=inputs["amount"],
        surety_exempt=inputs["exempt"],
        surety_exempt_reason=inputs["exempt_reason"],
        department__signer_name=inputs["signer_name"],
        department__signer_email=inputs["signer_email"],
    )
    for status in inputs["econtracts"]:
        ApplicationFactory(case=case, kind="econtract", status=status)
    if inputs["other_company_econtract"]:
        ApplicationFactory(kind="econtract", status=AppStatus.ACCEPTED, case__number="X-1")
    contract = ContractFactory(case=case, status=inputs["status"], amount=inputs["amount"])
    if inputs["files"]:
        ContractFile.objects.create(contract=contract, file=pdf)
    if inputs["request"]:
        SigningRequestFactory(contract=contract, status=inputs["request"])
    for number, certificate in enumerate(inputs["certificates"]):
        SuretyCertificate.objects.create(
            case=case,
            product=certificate["product"],
            form=certificate["form"],
            status=certificate["status"],
            guarantee_number=f"G-{case.pk}-{number}",
            received_on=dt.date(2025, 11, 1) if certificate["received"] else None,
            amount=case.amount // 10,
            expires_on=case.period_end,
        )
    if not inputs["awarded"]:
        type(case).objects.filter(pk=case.pk).update(awarded_company=None)
        contract.refresh_from_db()
    return contract


def only_certificate_checks(contract: Contract, problems: list[str]) -> bool:
    """The one rule the query leaves to Python: a verified electronic certificate's own checks
    (amount, period, beneficiary …) read per row."""
    verified = SuretyCertificate.objects.filter(
        case=contract.case,
        product=Product.PERFORMANCE,
        form=Form.ELECTRONIC,
        status=SuretyStatus.VERIFIED,
    ).exists()
    return verified and all(p.startswith("契約保証の保証証書が確認済") for p in problems)


@pytest.mark.django_db
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(inputs=gate_inputs())
def test_the_query_and_the_python_gate_agree(inputs):
    pdf = StoredFile.objects.filter(kind="contract").first() or StoredFileFactory()
    with transaction.atomic():
        contract = build(inputs, pdf)
        problems = gate_problems(contract)
        ready = ready_to_send(Contract.objects.filter(pk=contract.pk)).exists()
        if not problems:
            assert ready, inputs
        elif ready:
            assert only_certificate_checks(contract, problems), (inputs, problems)
        transaction.set_rollback(True)
