"""変更契約 carry through: once a 変更契約 is concluded, the case's current 請負金額 and 工期 are
the changed ones, so that everything that reads the case — the surety checks (契約保証 ≥ 1/10 of
the current amount, 保証期限 ≥ the current end of the 工期, 請負金額 on the certificate), the 前払金
and 中間前払金 limits, the 専任 threshold — uses the contract as it now stands.

The history is kept: every 当初/変更 contract keeps its own amount and period (append-only once
concluded), and each carry-through is an AuditEvent with the figures before and after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from cases.models import Case
from contracts.constants import ContractKind, ContractStatus
from contracts.models import Contract
from core import audit


def _terms(amount, start, end) -> dict:
    return {
        "amount": amount,
        "period_start": start.isoformat() if start else None,
        "period_end": end.isoformat() if end else None,
    }


@transaction.atomic
def case_follow_change(contract: Contract) -> bool:
    """Called when ``contract`` is concluded: a 変更契約 becomes the case's current terms.

    Returns whether the case changed (False for a 当初契約 or a change with the same terms)."""
    if contract.kind != ContractKind.CHANGE or contract.status != ContractStatus.CONCLUDED:
        return False
    case = Case.objects.select_for_update().get(pk=contract.case_id)
    start = contract.period_start or case.period_start
    end = contract.period_end or case.period_end
    before = _terms(case.amount, case.period_start, case.period_end)
    after = _terms(contract.amount, start, end)
    if before == after:
        return False
    case.amount, case.period_start, case.period_end = contract.amount, start, end
    case.save(update_fields=["amount", "period_start", "period_end", "updated_at"])
    audit.record(
        "case.terms_changed",
        target=case,
        payload={"contract": contract.pk, "before": before, "after": after},
        actor_label="変更契約の締結",
    )
    return True


@dataclass(frozen=True)
class Terms:
    kind: str
    contract_date: dt.date | None
    amount: int
    period_start: dt.date | None
    period_end: dt.date | None


def terms_history(case) -> list[Terms]:
    """当初契約 and each concluded 変更契約, oldest first: what the case's terms were, when."""
    contracts = Contract.objects.filter(case=case, status=ContractStatus.CONCLUDED).order_by(
        "contract_date", "created_at"
    )
    return [
        Terms(c.get_kind_display(), c.contract_date, c.amount, c.period_start, c.period_end)
        for c in contracts
    ]
