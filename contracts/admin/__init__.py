"""The contracts admin, split by concern: ``contract`` (the 契約 list and change form, with its
pages in ``contract_views`` and its actions in ``contract_actions``), ``signing`` (署名依頼),
``records`` (締結済み文書, sync state, webhook receipts), ``inlines`` and ``forms``.

Importing the package registers every model admin.
"""

from contracts.admin.contract import ContractAdmin
from contracts.admin.filters import ProblemFilter, ReadyFilter
from contracts.admin.forms import default_tax
from contracts.admin.permissions import SEND_PERM
from contracts.admin.records import SignedDocumentAdmin, SyncStateAdmin, WebhookReceiptAdmin
from contracts.admin.signing import SigningRequestAdmin

__all__ = [
    "SEND_PERM",
    "ContractAdmin",
    "ProblemFilter",
    "ReadyFilter",
    "SignedDocumentAdmin",
    "SigningRequestAdmin",
    "SyncStateAdmin",
    "WebhookReceiptAdmin",
    "default_tax",
]
