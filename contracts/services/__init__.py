"""Contracts and their signing, one function per transition (atomic, audited), by concern:

- ``preparing``: create a contract (当初/変更) and add its PDFs;
- ``sending``: send for e-signature (resumable, idempotent push to CloudSign), fail/retry, remind,
  cancel;
- ``remote_state``: apply what CloudSign says about a document;
- ``storing``: keep the signed PDF and 合意締結証明書 exactly once, then 締結済.

Reads (the send gate, the latest 申出書) are in ``contracts.selectors``.
"""

from contracts.services.common import (
    CITY_ORGANIZATION,
    ClaimHeld,
    ContractError,
)
from contracts.services.preparing import (
    contract_add_file,
    contract_create,
    contract_create_change,
    contract_record_resend_as_is,
    contract_remove_file,
    contract_update,
    differences_from_case,
)
from contracts.services.remote_state import (
    signing_request_apply_remote_state,
    signing_requests_apply_remote_states,
)
from contracts.services.sending import (
    _claim,
    contract_cancel,
    contract_send_for_signature,
    signing_request_defer,
    signing_request_fail,
    signing_request_push,
    signing_request_remind,
    signing_request_retry,
    signing_requests_redrive,
)
from contracts.services.storing import (
    contract_record_correction,
    signed_documents_store,
    signing_request_refetch,
    signing_request_store_fail,
)
from contracts.wakeups import wake

__all__ = [
    "wake",
    "signing_request_defer",
    "signing_requests_redrive",
    "contract_record_correction",
    "contract_remove_file",
    "contract_update",
    "signing_request_refetch",
    "signing_request_store_fail",
    "CITY_ORGANIZATION",
    "ClaimHeld",
    "ContractError",
    "_claim",
    "contract_add_file",
    "contract_cancel",
    "contract_create",
    "contract_create_change",
    "contract_record_resend_as_is",
    "contract_send_for_signature",
    "differences_from_case",
    "signed_documents_store",
    "signing_request_apply_remote_state",
    "signing_request_fail",
    "signing_request_push",
    "signing_request_remind",
    "signing_request_retry",
    "signing_requests_apply_remote_states",
]
