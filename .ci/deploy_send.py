# Run by `keiyaku-manage shell -c` in the CI deploy job: the demo contract is sent for signature;
# the Celery worker (a separate process) pushes it to the sandbox over HTTP.
import time

from accounts.models import User
from contracts import services
from contracts.models import Contract

contract = Contract.objects.get(case__number="R7-KE-0001")
staff = User.objects.get(email="ci-keiyaku@city.ashikaga.example")
signing_request = services.contract_send_for_signature(contract=contract, user=staff)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    signing_request.refresh_from_db()
    if signing_request.status not in ("queued", "sending"):
        break
    time.sleep(0.3)
assert signing_request.status == "waiting", (
    signing_request.status,
    signing_request.last_error_message,
)
print(f"sent: document {signing_request.document_id} is waiting for its signers")
