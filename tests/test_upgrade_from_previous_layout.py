"""A database made and filled by the portal before the layers change (Case in ``contracts``)
migrates to today's layout with every row kept, the case permissions carried over to the groups
and users that held them, and today's code still reading it.

The previous code is taken from git (the commit before the change), run with this venv against a
scratch database (SQLite file, or a new PostgreSQL database when DATABASE_URL points at one), filled
with its own ``seed_demo``; then today's ``migrate`` runs on the same database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import uuid
from io import BytesIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS_LAYOUT = "e22e7327ab91b22938fa66a396a643130bf50974"

pytestmark = pytest.mark.slow

SNAPSHOT = r"""
import json
from django.db import connection
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command


def snapshot(label):
    tables = sorted(
        t for t in connection.introspection.table_names() if not t.startswith("sqlite_")
    )
    counts = {}
    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f'SELECT COUNT(*) FROM "{t}"')
            counts[t] = cur.fetchone()[0]
    groups = {
        g.name: sorted(f"{p.content_type.model}.{p.codename}" for p in g.permissions.all())
        for g in Group.objects.prefetch_related("permissions__content_type")
    }
    users = {
        u.email: sorted(f"{p.content_type.model}.{p.codename}" for p in u.user_permissions.all())
        for u in get_user_model().objects.prefetch_related("user_permissions__content_type")
    }
    print(label + json.dumps({"counts": counts, "groups": groups, "users": users}))
"""

GRANT = r"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
user = get_user_model().objects.get(email="doboku@city.ashikaga.example")
user.user_permissions.add(Permission.objects.get(codename="view_all_departments"))
"""


def _previous_tree(dest: Path, commit: str = PREVIOUS_LAYOUT) -> None:
    try:
        archive = subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the previous commit is not in this checkout's history ({exc})")
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")


def _database(tmp_path: Path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'upgrade.sqlite3'}", None
    import psycopg2

    name = f"upgrade_{uuid.uuid4().hex[:12]}"
    base, _, _ = url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", (admin, name)


def _manage(tree: Path, db: str, var: Path, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "VAR_DIR": str(var),
        "DJANGO_ENV": "development",
        "ESIGN_SANDBOX_PKI_DIR": str(var / "pki"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _shell(tree: Path, db: str, var: Path, script: str) -> dict[str, dict]:
    """Runs the snapshot helpers and `script` in one `manage.py shell` (one process start, not
    one per step); returns the snapshots it printed by label."""
    out = _manage(tree, db, var, "shell", "-c", SNAPSHOT + script)
    return {
        line.split("{", 1)[0]: json.loads("{" + line.split("{", 1)[1])
        for line in out.splitlines()
        if line.startswith(("BEFORE{", "AFTER{", "AGAIN{"))
    }


def test_previous_database_migrates_with_every_row_kept(tmp_path):
    old_tree = tmp_path / "previous"
    old_tree.mkdir()
    _previous_tree(old_tree)
    var = tmp_path / "var"
    db, cleanup = _database(tmp_path)
    try:
        # The previous code makes and fills its database; a permission held by a user directly
        # (not through a group) must survive too.
        before = _shell(
            old_tree,
            db,
            var,
            'call_command("migrate", "--noinput", verbosity=0)\n'
            'call_command("seed_demo")\n' + GRANT + 'snapshot("BEFORE")\n',
        )["BEFORE"]
        assert before["counts"]["contracts_case"] >= 5

        # Today's code migrates it, reads it, loads the demo data again (no duplicates), checks.
        today = _shell(
            ROOT,
            db,
            var,
            'call_command("migrate", "--noinput", verbosity=0)\n'
            'snapshot("AFTER")\n'
            'call_command("seed_demo")\n'
            'snapshot("AGAIN")\n'
            'call_command("check")\n',
        )
        after = today["AFTER"]

        lost = {
            table: (n, after["counts"].get(table))
            for table, n in before["counts"].items()
            if table not in ("django_migrations", "django_content_type", "auth_permission")
            and after["counts"].get(table) != n
            # more, never fewer: audit events, and the roles' permissions on models added since
            and not (
                table in ("core_auditevent", "auth_group_permissions")
                and after["counts"].get(table, 0) >= n
            )
        }
        assert lost == {}

        # Group permissions: the same (model, codename) pairs; view_all_departments now sits
        # on 担当課 (accounts), the case permissions on cases.Case.
        def moved(perms):
            return sorted(
                p.replace("case.view_all_departments", "department.view_all_departments")
                for p in perms
            )

        # models added since the previous release (their permissions granted to the roles)
        added = ("signeddocumentversion.", "midtermcertification.")
        kept = {
            g: [p for p in perms if not p.startswith(added)] for g, perms in after["groups"].items()
        }
        assert {g: moved(p) for g, p in before["groups"].items()} == kept
        assert "department.view_all_departments" in after["users"]["doboku@city.ashikaga.example"]
        assert "case.view_all_departments" not in after["users"]["doboku@city.ashikaga.example"]
        # Today's code reads the upgraded database: the demo data loads again without duplicates.
        assert today["AGAIN"]["counts"]["contracts_case"] == before["counts"]["contracts_case"]
    finally:
        _drop(cleanup)


def _drop(cleanup) -> None:
    if cleanup:
        admin, name = cleanup
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


PREVIOUS_RELEASE = "4bb985f8a3d19018d53a11e2b24ce0c1731273b2"  # v0.2.0


def test_previous_release_database_migrates_with_every_row_kept(tmp_path):
    """A database made and filled by the previous release (v0.2.0) migrates with every row
    kept, and today's code reads it (the demo data loads again without duplicates)."""
    old_tree = tmp_path / "previous"
    old_tree.mkdir()
    _previous_tree(old_tree, PREVIOUS_RELEASE)
    var = tmp_path / "var"
    db, cleanup = _database(tmp_path)
    try:
        before = _shell(
            old_tree,
            db,
            var,
            'call_command("migrate", "--noinput", verbosity=0)\n'
            'call_command("seed_demo")\n'
            'snapshot("BEFORE")\n',
        )["BEFORE"]
        assert before["counts"]["contracts_case"] >= 5
        today = _shell(
            ROOT,
            db,
            var,
            'call_command("migrate", "--noinput", verbosity=0)\n'
            # the kinds' readings left the applicant's data (applications 0009)
            "from applications.models import Application\n"
            "assert not [a.pk for a in Application.objects.all() if any("
            "k.startswith('_') for k in a.data)]\n"
            'snapshot("AFTER")\n'
            'call_command("seed_demo")\n'
            'snapshot("AGAIN")\n'
            'call_command("check")\n',
        )
        lost = {
            table: (n, today["AFTER"]["counts"].get(table))
            for table, n in before["counts"].items()
            if table not in ("django_migrations", "django_content_type", "auth_permission")
            and today["AFTER"]["counts"].get(table, 0) < n
        }
        assert lost == {}
        assert today["AGAIN"]["counts"]["contracts_case"] == before["counts"]["contracts_case"]
        # Every role keeps every permission it had (a release may add new ones).
        for group, perms in before["groups"].items():
            assert set(perms) <= set(today["AFTER"]["groups"][group]), group
    finally:
        _drop(cleanup)
