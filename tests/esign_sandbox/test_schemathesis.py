"""An external conformance suite: schemathesis (property-based API testing) generates requests for
every operation the sandbox implements from the official OpenAPI file (v0.31.0) and checks each
live response — no server error, a documented status code and content type, a body matching the
schema. Bounded: ``EXAMPLES`` generated requests per operation, derandomised (reproducible)."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.esign.helpers import prepared

pytestmark = pytest.mark.django_db(transaction=True)

SPEC = Path(__file__).resolve().parents[2] / "esign_sandbox" / "spec" / "openapi-0.31.0.yaml"
SCHEMA = schemathesis.openapi.from_path(SPEC)
EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
D = "/documents/{documentID}"
IMPLEMENTED = [
    ("GET", "/token"),
    ("POST", "/token"),
    ("GET", "/me"),
    ("GET", "/documents"),
    ("POST", "/documents"),
    ("GET", D),
    ("PUT", D),
    ("POST", D),
    ("DELETE", D),
    ("PUT", f"{D}/decline"),
    ("GET", f"{D}/certificate"),
    ("POST", f"{D}/files"),
    ("GET", f"{D}/files/{{fileID}}"),
    ("DELETE", f"{D}/files/{{fileID}}"),
    ("POST", f"{D}/files/{{fileID}}/widgets"),
    ("POST", f"{D}/participants"),
    ("PUT", f"{D}/participants/{{participantID}}"),
    ("DELETE", f"{D}/participants/{{participantID}}"),
    ("POST", f"{D}/reportees"),
    ("PUT", f"{D}/reportees/{{reporteeID}}"),
    ("DELETE", f"{D}/reportees/{{reporteeID}}"),
]


def test_every_implemented_operation_is_in_the_official_file():
    assert len(IMPLEMENTED) == 21
    for method, path in IMPLEMENTED:
        assert SCHEMA[path][method] is not None


@pytest.mark.parametrize(("method", "path"), IMPLEMENTED, ids=[f"{m} {p}" for m, p in IMPLEMENTED])
def test_operation_conforms_under_generated_requests(cs, sandbox_url, method, path):
    operation = SCHEMA[path][method]
    token = cs.token()
    doc, f, people, reportee = prepared(cs)
    real = {
        "documentID": doc.id,
        "fileID": f.id,
        "participantID": people[0].id,
        "reporteeID": reportee.id,
    }
    seen = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), use_real_ids=st.booleans())
    def run(case, use_real_ids):
        # Half the time the path points at a real draft, so that the handlers behind the
        # 404 are exercised with generated bodies too.
        if use_real_ids and case.path_parameters:
            for name in case.path_parameters:
                case.path_parameters[name] = real[name]
        headers = {} if path == "/token" else {"Authorization": f"Bearer {token}"}
        response = case.call_and_validate(base_url=sandbox_url, headers=headers, checks=CHECKS)
        seen.append(response.status_code)

    run()
    assert len(seen) >= 1
    assert all(status < 500 for status in seen)


def test_the_checks_do_fail_on_a_nonconforming_answer(cs, sandbox_url):
    """The suite can fail: an injected 500 is reported as a server error."""
    from esign_sandbox import testing

    token = cs.token()
    testing.inject("500", method="GET", path_regex="^/me$")
    case = SCHEMA["/me"]["GET"].Case()
    with pytest.raises(FailureGroup) as exc_info:
        case.call_and_validate(
            base_url=sandbox_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )
    assert [type(e).__name__ for e in exc_info.value.exceptions] == ["ServerError"]
