"""No changelist is a yes/no oracle on a secret: every registered ModelAdmin (ours and those of
auth, axes and django-otp) refuses lookups that are not declared filters, and never filters,
searches or sorts on the 認証キー, the 閲覧用パスワード, password hashes or OTP keys."""

import logging

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from applications.models import Application
from core.admin import SECRET_FIELD_NAMES, StrictLookupsMixin, check_admin_lookups
from surety.models import SuretyCertificate
from tests.factories import StaffFactory

KEY = "Q7ABCDEFGHJK"
PASSWORD = "Mx9-kR2v-Tq"
LOOKUPS = ("", "__exact", "__regex", "__iregex", "__startswith", "__istartswith", "__contains")


def secret_fields(model) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False) and f.name in SECRET_FIELD_NAMES
    ]


def hostile_lookups(model) -> set[str]:
    """Every way the attacker tried: the secret fields, through relations, inside JSON fields."""
    paths = set(secret_fields(model))
    for field in model._meta.get_fields():
        if isinstance(field, models.JSONField):
            paths |= {f"{field.name}__auth_key", f"{field.name}__view_password"}
        if field.is_relation and field.related_model is not None:
            name = field.name  # the query name, for reverse relations too
            for secret in secret_fields(field.related_model):
                paths.add(f"{name}__{secret}")
            for rel_field in field.related_model._meta.get_fields():
                if isinstance(rel_field, models.JSONField):
                    paths.add(f"{name}__{rel_field.name}__auth_key")
    # the published attacks, on every admin whether or not the field exists there
    paths |= {"auth_key", "view_password", "data__auth_key", "password"}
    return {p + suffix for p in paths for suffix in LOOKUPS}


@pytest.fixture
def secrets_stored(case, contractor, db):
    SuretyCertificate.objects.create(
        case=case, product="advance", form="electronic", guarantee_number="G-1", auth_key=KEY
    )
    SuretyCertificate.objects.create(
        case=case,
        product="performance",
        form="url",
        guarantee_number="G-2",
        view_url="https://example.jp/v",
        view_password=PASSWORD,
    )
    Application.objects.create(
        case=case, company=contractor.company, kind="surety_notice", data={"auth_key": KEY}
    )


def test_every_registered_admin_is_strict():
    registry = admin.site._registry
    assert len(registry) > 15
    loose = [
        type(ma).__name__ for ma in registry.values() if not isinstance(ma, StrictLookupsMixin)
    ]
    assert loose == []
    labels = {m._meta.label for m in registry}
    # the third-party admins are covered too
    assert {"axes.AccessAttempt", "otp_totp.TOTPDevice", "auth.Group"} <= labels
    assert check_admin_lookups() == []


@pytest.mark.django_db
@pytest.mark.slow
def test_no_secret_lookup_is_an_oracle_on_any_changelist(client, secrets_stored, groups):
    superuser = StaffFactory(email="root@city.example", is_superuser=True)
    client.force_login(superuser)
    tried = 0
    # Django logs each refused lookup with its traceback (django.security, django.request):
    # ~1,300 of them cost a sixth of this test. The responses are what is judged here.
    logging.disable(logging.ERROR)
    try:
        tried = _try_every_lookup(client)
    finally:
        logging.disable(logging.NOTSET)
    assert tried > 500


def _try_every_lookup(client) -> int:
    tried = 0
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for lookup in sorted(hostile_lookups(model)):
            right = client.get(url, {lookup: "Q7" if "regex" not in lookup else "^Q7"})
            wrong = client.get(url, {lookup: "ZZ" if "regex" not in lookup else "^ZZ"})
            for response in (right, wrong):
                refused = response.status_code == 400 or (
                    response.status_code == 302 and response["Location"].endswith("?e=1")
                )
                assert refused, (model._meta.label, lookup, response.status_code)
            tried += 1
    return tried


@pytest.mark.django_db
def test_the_published_attacks_are_refused(
    client, secrets_stored, department_staff, readonly_staff
):
    for user in (department_staff, readonly_staff):
        client.force_login(user)
        surety = reverse("admin:surety_suretycertificate_changelist")
        apps = reverse("admin:applications_application_changelist")
        assert client.get(surety, {"auth_key__regex": "^Q7[A-M]"}).status_code == 400
        assert client.get(surety, {"view_password__startswith": "Mx"}).status_code == 400
        assert client.get(apps, {"data__auth_key__startswith": "Q7"}).status_code == 400
        assert (
            client.get(apps, {"data__contains": '{"auth_key": "Q7ABCDEFGHJK"}'}).status_code == 400
        )
        # search never looks at the key: the right key finds nothing, like a wrong one
        page = client.get(surety, {"q": KEY})
        assert page.status_code == 200 and page.context["cl"].result_count == 0


@pytest.mark.django_db
def test_declared_filters_still_work(client, secrets_stored, section_staff, department):
    client.force_login(section_staff)
    surety = reverse("admin:surety_suretycertificate_changelist")
    assert client.get(surety, {"status__exact": "received"}).context["cl"].result_count == 2
    # the dashboard links to the department's certificates (an explicit allow-list entry)
    dept = client.get(
        surety, {"status__exact": "received", "case__department__id__exact": department.pk}
    )
    assert dept.status_code == 200 and dept.context["cl"].result_count == 2
    cases = reverse("admin:cases_case_changelist")
    assert client.get(cases, {"opened_on__year": "2025"}).status_code == 200
    assert client.get(cases, {"department__id__exact": department.pk}).status_code == 200
    apps = reverse("admin:applications_application_changelist")
    assert client.get(apps, {"kind": "surety_notice"}).status_code == 200
    # a declared field with an undeclared lookup is refused as well
    assert client.get(surety, {"status__regex": "^rec"}).status_code == 400
    assert client.get(cases, {"title__startswith": "市道"}).status_code == 400
