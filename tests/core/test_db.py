import datetime as dt

import pytest

from cases.models import Case
from core.db import update_rows


@pytest.mark.django_db
def test_bulk_update_moves_updated_at(case):
    old = case.updated_at - dt.timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(updated_at=old)  # as if edited three days ago
    assert update_rows(Case.objects.filter(pk=case.pk), title="件名を訂正") == 1
    case.refresh_from_db()
    assert case.title == "件名を訂正"
    assert case.updated_at > old + dt.timedelta(days=2)


@pytest.mark.django_db
def test_an_explicit_time_is_kept(case):
    when = case.updated_at - dt.timedelta(days=1)
    update_rows(Case.objects.filter(pk=case.pk), updated_at=when)
    case.refresh_from_db()
    assert case.updated_at == when
