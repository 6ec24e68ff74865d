"""The test suite's flush (tests/conftest.py ``_fast_flush``) empties every table as Django's own
does, and gives back the content types, permissions and roles."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from accounts.roles import CONTRACT_SECTION, sync_role_permissions
from tests.factories import ApplicationFactory, SignerFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_foreign_key_is_deferred_so_delete_order_does_not_matter():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                "WHERE contype = 'f' AND NOT (condeferrable AND condeferred)"
            )
            assert cursor.fetchall() == []
        else:
            references = 0
            for table in connection.introspection.table_names(cursor):
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table]
                )
                (sql,) = cursor.fetchone()
                for line in sql.split(" REFERENCES ")[1:]:
                    assert "DEFERRABLE INITIALLY DEFERRED" in line.split(",")[0], (table, line)
                    references += 1
            assert references > 50


def test_flush_leaves_no_row_and_puts_the_roles_back(groups):
    ApplicationFactory()
    SignerFactory()
    StaffFactory(role=CONTRACT_SECTION)
    permissions, content_types = Permission.objects.count(), ContentType.objects.count()

    # the suite's flush (not Django's TRUNCATE on PostgreSQL), which keeps the static tables
    tables = ["accounts_company", "auth_permission", "django_content_type"]
    sql = connection.ops.sql_flush(no_style(), tables, reset_sequences=False)
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


def test_a_test_that_deletes_a_permission_gets_it_back_at_the_flush(groups):
    """The shortcut (the roles only) is taken only while content types and permissions are as
    migrate left them; otherwise post_migrate is sent whole and puts them back."""
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    permissions, content_types = Permission.objects.count(), ContentType.objects.count()
    Permission.objects.filter(codename="view_all_departments").delete()
    ContentType.objects.filter(app_label="surety").delete()  # (and their permissions)
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    assert Permission.objects.count() == permissions
    assert ContentType.objects.count() == content_types
    assert (
        Group.objects.get(name=CONTRACT_SECTION)
        .permissions.filter(codename="view_all_departments")
        .exists()
    )


@pytest.mark.django_db
def test_the_groups_fixture_gives_the_roles_as_the_rules_set_them(groups):
    """The fixture no longer syncs the roles itself: what migrate left must already be exact."""

    def held():
        return {name: set(g.permissions.values_list("pk", flat=True)) for name, g in groups.items()}

    before = held()
    sync_role_permissions()
    assert held() == before and all(before.values()) and len(before) == 3
