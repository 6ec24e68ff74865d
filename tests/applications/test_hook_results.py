"""The kinds' readings live in ``Application.hook_results`` (typed), never as ``_`` keys in the
applicant's data; the migration moves existing rows' keys out and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from applications.models import Application
from applications.results import HookResults, HookResultsError, ManualEntry
from tests.factories import ApplicationFactory

BEFORE = [("applications", "0009_midterm_certification")]
OLD_KEYS = {
    "_read": {"auth_key": "ABCD", "issuer": "東日本建設業保証"},
    "_manual": None,
    "_attach_note": "",
    "_warnings": ["保証契約番号が別の案件で登録されています。"],
}


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_results_round_trip_and_the_schema_is_enforced():
    results = HookResults(
        read={"auth_key": "K"},
        manual=ManualEntry("scan", "文字がありません"),
        note="注",
        warnings=("w",),
    )
    assert HookResults.from_json(results.to_json()) == results
    assert HookResults().to_json() == {} and HookResults.from_json({}).empty
    with pytest.raises(HookResultsError):
        HookResults.from_json({"read": {}, "_secret": 1})
    with pytest.raises(HookResultsError):
        HookResults.from_json({"warnings": "one string"})


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_rows_keys_out_of_data_and_back():
    reading = ApplicationFactory(kind="surety_notice", data={"auth_key": "ABCD"})
    reading.results = HookResults(read={"auth_key": "ABCD"}, warnings=("w1",))
    reading.save()
    manual = ApplicationFactory(kind="surety_notice", data={"auth_key": ""})
    manual.results = HookResults(manual=ManualEntry("scan", "読めません"), note="手入力です")
    manual.save()
    plain = ApplicationFactory(kind="recycle", data={"note": "x"})
    try:
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM applications_application")
            assert cursor.fetchone()[0] == 3
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        OldApplication = old.get_model("applications", "Application")
        assert OldApplication.objects.get(pk=reading.pk).data == {
            "auth_key": "ABCD",
            "_read": {"auth_key": "ABCD"},
            "_manual": None,
            "_attach_note": "",
            "_warnings": ["w1"],
        }
        assert OldApplication.objects.get(pk=manual.pk).data["_manual"] == {
            "code": "scan",
            "reason": "読めません",
        }
        assert OldApplication.objects.get(pk=plain.pk).data == {"note": "x"}
        # a row written by the previous release, with its keys inside the data
        OldApplication.objects.filter(pk=plain.pk).update(data={"note": "x", **OLD_KEYS})
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    rows = {a.pk: a for a in Application.objects.all()}
    assert len(rows) == 3
    for application in rows.values():
        assert not any(key.startswith("_") for key in application.data)
    assert rows[reading.pk].results == HookResults(read={"auth_key": "ABCD"}, warnings=("w1",))
    assert rows[manual.pk].results.manual == ManualEntry("scan", "読めません")
    assert rows[manual.pk].data == {"auth_key": ""}
    assert rows[plain.pk].data == {"note": "x"}
    assert rows[plain.pk].results == HookResults(
        read=OLD_KEYS["_read"], warnings=tuple(OLD_KEYS["_warnings"])
    )
