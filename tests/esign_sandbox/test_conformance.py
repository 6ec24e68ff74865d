"""Every response the sandbox gives, validated against the official OpenAPI file (v0.31.0)."""

from pathlib import Path

import pytest
import requests
import yaml
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from esign.client import CloudSignClient
from esign_sandbox import testing
from tests.esign.helpers import prepared
from tests.pdfs import make_pdf

SPEC = Path(__file__).resolve().parents[2] / "esign_sandbox" / "spec" / "openapi-0.31.0.yaml"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def recorded(sandbox_url):
    calls: list[requests.Response] = []
    session = requests.Session()
    session.hooks["response"].append(lambda response, *a, **k: calls.append(response))
    client = CloudSignClient(sandbox_url, "00000000-0000-4000-8000-000000000000", session=session)
    return client, calls


def spec_for(base_url: str) -> OpenAPI:
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    data["servers"] = [{"url": base_url}]
    return OpenAPI.from_dict(data)


def test_every_endpoint_conforms_to_the_specification(recorded, sandbox_url):
    cs, calls = recorded
    # The happy path through every endpoint the portal uses...
    doc, f, people, reportee = prepared(cs)
    cs.add_widget(doc.id, f.id, participant_id=people[0].id, widget_type=0, page=0, x=1, y=1)
    cs.update_document(doc.id, message="更新")
    cs.update_participant(doc.id, people[1].id, organization="別組織")
    doc2 = cs.create_document(title="削除用")
    doc2, f2 = cs.add_file(doc2.id, name="x.pdf", data=make_pdf())
    doc2, p2 = cs.add_participant(doc2.id, name="x", email="x@example.jp")
    doc2, r2 = cs.add_reportee(doc2.id, name="r", email="r@example.jp")
    cs.remove_participant(doc2.id, p2.id)
    cs.delete_file(doc2.id, f2.id)
    cs.delete_document(doc2.id)
    cs.send_document(doc.id)
    cs.remind(doc.id)
    cs.list_documents(with_reportees=True)
    testing.agree_all(doc.id)
    cs.get_document(doc.id)
    cs.download_file(doc.id, f.id)
    cs.download_certificate(doc.id)
    cs.me()
    doc3, _, _, _ = prepared(cs, recipients=1)
    cs.send_document(doc3.id)
    cs.decline_document(doc3.id, "取消")
    # ...and the errors.
    for call in (
        lambda: cs.get_document("0" * 32),
        lambda: cs.download_certificate(doc3.id),
        lambda: cs.add_participant(doc3.id, name="x", email="y@example.jp"),
        lambda: cs.decline_document(doc3.id, "x"),
    ):
        with pytest.raises(Exception):  # noqa: B017 - the response is what is checked below
            call()
    calls.append(requests.post(f"{sandbox_url}/token", data={"client_id": "nope"}, timeout=10))
    calls.append(requests.get(f"{sandbox_url}/documents", timeout=10))

    openapi = spec_for(sandbox_url)
    checked = set()
    for response in calls:
        request = response.request
        openapi.validate_response(
            RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response)
        )
        checked.add((request.method, response.status_code))
    assert len(calls) > 30
    assert {("GET", 404), ("POST", 403), ("PUT", 400), ("POST", 400), ("DELETE", 204)} <= checked
