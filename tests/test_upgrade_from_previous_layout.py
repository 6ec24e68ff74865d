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
from django.contrib.auth.models import Group, Permission
tables = sorted(t for t in connection.introspection.table_names() if not t.startswith("sqlite_"))
counts = {}
with connection.cursor() as cur:
    for t in tables:
        cur.execute(f'SELECT COUNT(*) FROM "{t}"')
        counts[t] = cur.fetchone()[0]
groups = {
    g.name: sorted(f"{p.content_type.model}.{p.codename}" for p in g.permissions.all())
    for g in Group.objects.prefetch_related("permissions__content_type")
}
from django.contrib.auth import get_user_model
users = {
    u.email: sorted(f"{p.content_type.model}.{p.codename}" for p in u.user_permissions.all())
    for u in get_user_model().objects.prefetch_related("user_permissions__content_type")
}
print("SNAPSHOT" + json.dumps({"counts": counts, "groups": groups, "users": users}))
"""

GRANT = r"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
user = get_user_model().objects.get(email="doboku@city.ashikaga.example")
user.user_permissions.add(Permission.objects.get(codename="view_all_departments"))
"""


def _previous_tree(dest: Path) -> None:
    try:
        archive = subprocess.run(  # noqa: S603
            ["git", "-C", str(ROOT), "archive", "--format=tar", PREVIOUS_LAYOUT],
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


def _snapshot(tree: Path, db: str, var: Path) -> dict:
    out = _manage(tree, db, var, "shell", "-c", SNAPSHOT)
    return json.loads(out.split("SNAPSHOT", 1)[1])


def test_previous_database_migrates_with_every_row_kept(tmp_path):
    old_tree = tmp_path / "previous"
    old_tree.mkdir()
    _previous_tree(old_tree)
    var = tmp_path / "var"
    db, cleanup = _database(tmp_path)
    try:
        _manage(old_tree, db, var, "migrate", "--noinput")
        _manage(old_tree, db, var, "seed_demo")
        # A permission held by a user directly (not through a group) must survive too.
        _manage(old_tree, db, var, "shell", "-c", GRANT)
        before = _snapshot(old_tree, db, var)
        assert before["counts"]["contracts_case"] >= 5

        _manage(ROOT, db, var, "migrate", "--noinput")
        after = _snapshot(ROOT, db, var)

        lost = {
            table: (n, after["counts"].get(table))
            for table, n in before["counts"].items()
            if table not in ("django_migrations", "django_content_type", "auth_permission")
            and after["counts"].get(table) != n
            and not (table == "core_auditevent" and after["counts"].get(table, 0) >= n)
        }
        assert lost == {}

        # Group permissions: the same (model, codename) pairs; view_all_departments now sits
        # on 担当課 (accounts), the case permissions on cases.Case.
        def moved(perms):
            return sorted(
                p.replace("case.view_all_departments", "department.view_all_departments")
                for p in perms
            )

        assert {g: moved(p) for g, p in before["groups"].items()} == after["groups"]
        assert "department.view_all_departments" in after["users"]["doboku@city.ashikaga.example"]
        assert "case.view_all_departments" not in after["users"]["doboku@city.ashikaga.example"]
        # Today's code reads the upgraded database: the demo data loads again without duplicates.
        _manage(ROOT, db, var, "seed_demo")
        again = _snapshot(ROOT, db, var)
        assert again["counts"]["contracts_case"] == before["counts"]["contracts_case"]
        _manage(ROOT, db, var, "check")
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.cursor() as cur:
                cur.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [name],
                )
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.close()
