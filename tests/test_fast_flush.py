"""The test suite's flush on PostgreSQL (tests/conftest.py ``_fast_postgres_flush``) empties
every table as Django's own does."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from accounts.roles import CONTRACT_SECTION
from tests.factories import ApplicationFactory, SignerFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_foreign_key_is_deferred_so_delete_order_does_not_matter():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's flush is Django's own")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT (condeferrable AND condeferred)"
        )
        assert cursor.fetchall() == []


def test_flush_leaves_no_row_and_puts_the_roles_back(groups):
    ApplicationFactory()
    SignerFactory()
    StaffFactory(role=CONTRACT_SECTION)
    permissions, content_types = Permission.objects.count(), ContentType.objects.count()

    if connection.vendor == "postgresql":  # the suite's flush, not Django's TRUNCATE
        sql = connection.ops.sql_flush(no_style(), ["accounts_company"], reset_sequences=False)
        assert sql == ['DELETE FROM "accounts_company";']
    # As TransactionTestCase's teardown calls it (the command's own default resets sequences).
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)

    left = {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model not in (Permission, ContentType, Group, Group.permissions.through)
        and model._meta.managed
        and not model._meta.proxy
    }
    assert {table: n for table, n in left.items() if n} == {}
    assert Permission.objects.count() == permissions
    assert ContentType.objects.count() == content_types
    # post_migrate gave the roles back, with their permissions.
    assert Group.objects.get(name=CONTRACT_SECTION).permissions.exists()
