import contextlib
import fcntl
import os
import socketserver
import weakref

import pytest
from django.contrib.auth.models import Group

from accounts.roles import CONTRACT_SECTION, DEPARTMENT, READ_ONLY, sync_role_permissions
from tests.factories import (
    CaseFactory,
    CompanyFactory,
    DepartmentFactory,
    StaffFactory,
    UserFactory,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# The live test server answers in several writes; with Nagle's algorithm on, each request to it
# waits ~40 ms for a delayed ACK. Real servers set TCP_NODELAY; so does the test server here.
socketserver.StreamRequestHandler.disable_nagle_algorithm = True


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Every test writes its files to its own folder, never to var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STAFF_REQUIRE_2FA = False  # the two-factor tests switch it on themselves
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def groups(db):
    """The three roles with their permissions, as migrate (and the flush after a transactional
    test, ``_fast_flush``) leaves them; synced here only when one is missing."""
    names = (CONTRACT_SECTION, DEPARTMENT, READ_ONLY)
    found = {group.name: group for group in Group.objects.filter(name__in=names)}
    if len(found) < len(names):
        sync_role_permissions()
        found = {group.name: group for group in Group.objects.filter(name__in=names)}
    return found


@pytest.fixture
def department(db):
    return DepartmentFactory(code="doboku", name="土木課")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="kyoiku", name="教育総務課")


@pytest.fixture
def company(db):
    return CompanyFactory(name="足利テスト建設 株式会社")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="他社工業 株式会社")


@pytest.fixture
def contractor(company):
    return UserFactory(company=company, email="taro@ashikaga-test.example")


@pytest.fixture
def other_contractor(other_company):
    return UserFactory(company=other_company, email="jiro@other.example")


@pytest.fixture
def section_staff(groups, department):
    contract_section = DepartmentFactory(
        code="keiyaku", name="契約管財課", is_contract_section=True
    )
    return StaffFactory(
        email="keiyaku@city.example", department=contract_section, role=CONTRACT_SECTION
    )


@pytest.fixture
def department_staff(groups, department):
    return StaffFactory(email="doboku@city.example", department=department, role=DEPARTMENT)


@pytest.fixture
def readonly_staff(groups, department):
    return StaffFactory(email="etsuran@city.example", department=department, role=READ_ONLY)


@pytest.fixture
def staff_client(client, section_staff):
    """The test client logged in as a 契約管財課 clerk."""
    client.force_login(section_staff)
    return client


@pytest.fixture
def case(company, department):
    return CaseFactory(awarded_company=company, department=department)


@pytest.fixture
def other_case(other_company, other_department):
    return CaseFactory(awarded_company=other_company, department=other_department)


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_url():
    """Django's live test server mounts MEDIA_URL and cannot start with None (the portal's
    setting: private files have no URL). Tests give it a path nothing else uses."""
    from django.conf import settings

    original = settings.MEDIA_URL
    settings.MEDIA_URL = "/__live-test-media-unused__/"
    yield
    settings.MEDIA_URL = original


@pytest.fixture(scope="session", autouse=True)
def _empty_static_root(tmp_path_factory):
    """A folder ``collectstatic`` left in the checkout (docs/deploy.md, .ci/deploy) is not read
    by the tests: WhiteNoise would index its ~540 files again for every test client (a tenth of
    the quick tests' time), and the tests would depend on what was collected."""
    from django.conf import settings

    original = settings.STATIC_ROOT
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static-root")
    yield
    settings.STATIC_ROOT = original


@pytest.fixture(scope="session", autouse=True)
def _celery_queue(tmp_path_factory):
    """With the filesystem broker, the tests' messages go to a folder of their own."""
    from ashikaga_portal.celery import app, ensure_filesystem_broker_folders

    if str(app.conf.broker_url).startswith("filesystem"):
        queue = tmp_path_factory.mktemp("celery-queue")
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(queue / "processed"),
            "control_folder": str(queue / "control"),
        }
        ensure_filesystem_broker_folders(app)


@pytest.fixture(scope="session")
def _pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sandbox-pki")


@pytest.fixture(autouse=True)
def _sandbox_pki(settings, _pki_dir):
    """One sandbox CA for the whole run (created on first use), outside var/. Revocation data
    is fetched from nowhere unless a test serves it (``sandbox_url``)."""
    settings.ESIGN_SANDBOX_PKI_DIR = str(_pki_dir)
    settings.ESIGN_REVOCATION_HOSTS = []
    settings.ESIGN_CRL_CACHE_SECONDS = 0  # tests revoke and expect to see it at once


@pytest.fixture(scope="session")
def _live_pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sandbox-pki-live")


@pytest.fixture
def sandbox_url(live_server, settings, _live_pki_dir):
    """The live sandbox; its CA (one for the run) names the live server in its certificates'
    CRL and OCSP addresses, and the verifier may fetch from it."""
    import esign.factory

    esign.factory._client = None  # no token cached from an earlier test's database
    settings.ESIGN_SANDBOX_PKI_DIR = str(_live_pki_dir)
    settings.ESIGN_SANDBOX_PUBLIC_URL = live_server.url
    settings.ESIGN_REVOCATION_HOSTS = ["localhost", "127.0.0.1"]
    settings.ESIGN_ARCHIVE_TSA_URL = live_server.url + "/sandbox/cloudsign/pki/tsa"
    return live_server.url + "/sandbox/cloudsign"


@pytest.fixture
def cs(sandbox_url):
    """A CloudSign client talking to the live sandbox over real HTTP."""
    from esign.client import CloudSignClient

    return CloudSignClient(sandbox_url, "00000000-0000-4000-8000-000000000000", read_timeout=30)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
    django_db_use_migrations,
    tmp_path_factory,
):
    """Under pytest-xdist, the first worker migrates one template database and every worker
    works on a copy of it (PostgreSQL ``CREATE DATABASE … TEMPLATE``, a file copy on SQLite; the
    controller drops the template at the end, ``pytest_sessionfinish``): the migrations run once
    per run instead of once per worker (~7 s of CPU each). Serially, or with ``--reuse-db`` or
    ``--nomigrations``, pytest-django's own set-up."""
    from django.test.utils import setup_databases, teardown_databases

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    verbosity = request.config.option.verbose
    if not worker or (django_db_keepdb and not django_db_createdb) or not django_db_use_migrations:
        if not django_db_use_migrations:
            from pytest_django.fixtures import _disable_migrations

            _disable_migrations()
        with django_db_blocker.unblock():
            config = setup_databases(
                verbosity=verbosity,
                interactive=False,
                keepdb=django_db_keepdb and not django_db_createdb,
                serialized_aliases=[],
            )
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(config, verbosity=verbosity)
        return
    with django_db_blocker.unblock():
        clone = _clone_template_database(tmp_path_factory, worker, verbosity)
    yield
    with django_db_blocker.unblock():
        _drop_clone(clone, verbosity)


def _shared(tmp_path_factory, name: str):
    """A file every worker of this run sees (xdist gives each worker a folder in the run's)."""
    return tmp_path_factory.getbasetemp().parent / name


@contextlib.contextmanager
def _run_lock(tmp_path_factory):
    with open(_shared(tmp_path_factory, "django-template.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _template_name(connection, worker: str = "") -> str:
    """The run's template database: the test database's name (pytest-django adds the worker's
    suffix in a worker) with ``_template`` instead."""
    root, ext = connection.creation._get_test_db_name(), ""
    if worker:
        root = root.removesuffix(f"_{worker}")
    if connection.vendor == "sqlite":
        root, ext = os.path.splitext(root)
    return f"{root}_template{ext}"


def _create_template(ready, verbosity: int) -> None:
    """Migrates the run's template database (under the run's lock) and says so in ``ready``."""
    from django.db import connection

    template = _template_name(connection, os.environ.get("PYTEST_XDIST_WORKER", ""))
    connection.settings_dict["TEST"]["NAME"] = template
    connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
    connection.close()  # PostgreSQL copies a template nobody is connected to
    ready.write_text(template)


def _clone_template_database(tmp_path_factory, worker: str, verbosity: int) -> str:
    from django.conf import settings
    from django.db import connection

    ready = _shared(tmp_path_factory, "django-template.ready")
    with _run_lock(tmp_path_factory):
        if not ready.exists():  # (the controller made it unless it could not)
            _create_template(ready, verbosity)
        connection.settings_dict["NAME"] = ready.read_text()
        connection.close()
        connection.creation.clone_test_db(suffix=worker, verbosity=verbosity, autoclobber=True)
        clone = connection.creation.get_test_db_clone_settings(worker)["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = clone
    settings.DATABASES[connection.alias]["NAME"] = clone
    connection.ensure_connection()
    return clone


@pytest.hookimpl(tryfirst=True)  # before xdist starts the workers
def pytest_sessionstart(session):
    """Under pytest-xdist the controller migrates the template database in a thread while the
    workers start and collect (~4 s of CPU each): the first worker to need a database no longer
    migrates alone while the others wait (~5 s of the run's wall time). The workers wait for it
    on the run's lock and make it themselves if the controller could not."""
    config = session.config
    if (
        hasattr(config, "workerinput")
        or not getattr(config.option, "numprocesses", None)
        or config.getvalue("reuse_db")
        or config.getvalue("nomigrations")
    ):
        return
    import threading

    from django.conf import settings
    from pytest_django.plugin import blocking_manager_key

    ready = config._tmp_path_factory.getbasetemp() / "django-template.ready"
    handle = open(ready.with_name("django-template.lock"), "a")  # noqa: SIM115 (closed by the thread)
    fcntl.flock(handle, fcntl.LOCK_EX)  # held from here, before any worker exists

    def create() -> None:
        try:
            settings.DEBUG = False  # as in the workers (pytest-django's test environment)
            with config.stash[blocking_manager_key].unblock():
                _create_template(ready, verbosity=0)
        except Exception as exc:  # the workers try again and fail where it shows
            print(f"\nthe controller could not make the template database: {exc!r}")
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    threading.Thread(target=create, name="django-template", daemon=True).start()


def _drop_clone(clone: str, verbosity: int) -> None:
    from django.db import connection

    connection.close()
    connection.creation._destroy_test_db(clone, verbosity)


def pytest_sessionfinish(session):
    """The controller drops the run's template database once every worker is done (a worker
    cannot know it is the last: another may not have needed a database at all)."""
    if hasattr(session.config, "workerinput") or not getattr(
        session.config.option, "numprocesses", None
    ):
        return
    ready = session.config._tmp_path_factory.getbasetemp() / "django-template.ready"
    if ready.exists():
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with session.config.stash[blocking_manager_key].unblock():
            connection.creation._destroy_test_db(ready.read_text(), 0)
        ready.unlink()


# Tables whose rows are the same after every flush: post_migrate puts back exactly these.
_STATIC_TABLES = frozenset({"django_content_type", "auth_permission"})


def _static_rows(using: str) -> tuple[int, int]:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.using(using).count(), Permission.objects.using(using).count()


@pytest.fixture(scope="session", autouse=True)
def _fast_flush():
    """After each transactional test Django empties every table (on PostgreSQL with one
    ``TRUNCATE`` of ~55 tables, ~0.4 s: a new file per table) and then sends post_migrate, which
    writes the content types, the permissions and the roles back (~0.05 s of CPU and ~80
    queries) — over ~175 such tests, a minute of the run. Here the flush is a ``DELETE`` of the
    few rows a test leaves (~15 ms), content types and permissions stay, and only the roles are
    put back. Every foreign key Django makes is ``DEFERRABLE INITIALLY DEFERRED`` and the flush
    runs in one transaction, so the order of the deletes does not matter
    (``tests/test_fast_flush.py`` checks it all). Flushes that reset sequences or cascade keep
    Django's own SQL; post_migrate is sent whole when a test changed the content types or the
    permissions, or when a receiver other than these three has been connected."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.core.management.commands import flush
    from django.db.backends.postgresql.operations import DatabaseOperations as Postgres
    from django.db.backends.sqlite3.base import DatabaseOperations as SQLite
    from django.db.models.signals import post_migrate

    from accounts import roles

    originals = {Postgres: Postgres.sql_flush, SQLite: SQLite.sql_flush}

    def patched(original):
        def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
            if reset_sequences or allow_cascade:
                return original(
                    self,
                    style,
                    tables,
                    reset_sequences=reset_sequences,
                    allow_cascade=allow_cascade,
                )
            return [
                f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
                for table in tables
                if table not in _STATIC_TABLES
            ]

        return sql_flush

    for ops, original in originals.items():
        ops.sql_flush = patched(original)

    emit = flush.emit_post_migrate_signal
    known = {create_permissions, create_contenttypes, roles.sync_on_post_migrate}
    after_migrate: dict[str, tuple[int, int]] = {}

    def emit_post_migrate_signal(verbosity, interactive, db, **kwargs):
        receivers = {
            ref() if isinstance(ref, weakref.ReferenceType) else ref
            for _, ref, *_ in post_migrate.receivers
        }
        if receivers == known and db in after_migrate and _static_rows(db) == after_migrate[db]:
            roles.sync_role_permissions()
            return
        emit(verbosity, interactive, db, **kwargs)
        after_migrate[db] = _static_rows(db)

    flush.emit_post_migrate_signal = emit_post_migrate_signal
    yield
    flush.emit_post_migrate_signal = emit
    for ops, original in originals.items():
        ops.sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """Threads of the live server and of in-process workers keep PostgreSQL connections open;
    end them so that the test database can be dropped cleanly."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.hookimpl(trylast=True)  # after -k/-m deselection, so the shares are of what runs
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, start the ``slow`` tests first and spread them over the workers.

    xdist's work-stealing scheduler hands each worker a contiguous share of the collection and
    lets an idle worker steal the tail of another's. With the slow tests (real workers, browsers,
    outages) at the head of every share, they overlap each other and the quick tests instead of
    leaving one worker alone with a long test at the end. The ``waits`` tests (leases, outages,
    delays: mostly idle) all go, one after another, at the head of the first worker's share,
    while the others keep both cores busy; with three workers on two cores that costs no core
    time. Every worker computes the same order.
    (This also undoes pytest-django's plain-tests-first order: transactional tests flush the
    database, and the roles and permissions come back through ``post_migrate`` and the ``groups``
    fixture, so the order does not matter to them.)"""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 0)
    if workers < 2 or len(items) < workers:
        return
    waits = [item for item in items if item.get_closest_marker("waits")]
    busy = [
        item
        for item in items
        if item.get_closest_marker("slow") and not item.get_closest_marker("waits")
    ]
    quick = [item for item in items if not item.get_closest_marker("slow")]
    heads: list[list] = [[] for _ in range(workers)]
    heads[0] = waits
    # the CPU-bound slow tests go to the other workers (to all of them with only two)
    spread = range(1, workers) if workers > 2 else range(workers)
    for i, item in enumerate(busy):
        heads[spread[i % len(spread)]].append(item)
    ordered: list = []
    for n in range(workers):
        # xdist's first split: each worker in turn gets what is left // the workers left.
        share = (len(items) - len(ordered)) // (workers - n)
        take = len(quick) if n == workers - 1 else max(share - len(heads[n]), 0)
        ordered += heads[n] + quick[:take]
        quick = quick[take:]
    items[:] = ordered


def pytest_terminal_summary(terminalreporter):
    """Says at the very end, where a person sees it, which browser tests did not run and why."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "Chromium is not installed" in str(report.longrepr)
    ]
    if skipped:
        terminalreporter.write_sep(
            "!",
            f"{len(skipped)} browser tests (Playwright, axe-core, 360 px) were SKIPPED: Chromium "
            "is not installed — apt-get install -y chromium chromium-headless-shell fonts-noto-cjk",
            red=True,
            bold=True,
        )


@pytest.fixture(autouse=True)
def _no_readiness_cache(settings):
    """Each /healthz in a test checks again (tests/deploy/test_health.py tests the cache)."""
    settings.HEALTHZ_CACHE_SECONDS = 0
