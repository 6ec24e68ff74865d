"""Junk posted to every form never answers 5xx.

Every registered ModelAdmin's add and change form (read from ``admin.site._registry``) and every
portal page that holds a POST form (read from the URL resolver) receive junk in every field:
non-integer ids, unknown ids, huge strings, NUL, lists where one value is expected, empty
values. The answer may be a form error, a 400, 403, 404 or 429 — never a 5xx. The counts
(forms × payloads) are printed so the note can quote them (``pytest -s``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from applications.kinds import KINDS
from tests.factories import (
    ApplicationFactory,
    SignedDocumentFactory,
    StaffFactory,
    StoredFileFactory,
    SuretyCertificateFactory,
)

#: name → a function of the field name giving the junk for that field
PAYLOADS: dict[str, object] = {
    "non-integer id": lambda name: "abc",
    "unknown id": lambda name: "987654321",
    "negative and float": lambda name: "-1.5e308",
    "huge string": lambda name: "工" * 20_000,
    "nul": lambda name: "x\x00y",
    "wrong type (list)": lambda name: ["1", "abc", "\x00"],
    "empty": lambda name: "",
}

#: fields that would only log the client out or switch the language; left at their value
KEEP = {"csrfmiddlewaretoken"}


class FormParser(HTMLParser):
    """The POST forms of a page: their action and the names and current values of their fields
    (the first value of each name; a select's selected or first option)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.forms.append({"action": a.get("action") or "", "fields": {}})
            else:
                self.forms.append({"action": None, "fields": {}})
            return
        if not self.forms or self.forms[-1]["action"] is None:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                fields.setdefault(name, a.get("value") or "")
            elif kind in ("checkbox", "radio"):
                if "checked" in a or name not in fields:
                    fields[name] = a.get("value") or "on"
            else:
                fields.setdefault(name, a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not fields.get(self._select):
                fields[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            fields.setdefault(name, "")
        elif tag == "button" and name:
            fields.setdefault(name, a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms and self.forms[-1]["action"] is not None:
            self.forms[-1]["fields"][self._textarea] += data


def post_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return [f for f in parser.forms if f["action"] is not None and f["fields"]]


def admin_form(html: str) -> dict:
    """The fields of the admin's add or change form (not the logout form above it)."""
    return next(f["fields"] for f in post_forms(html) if "_save" in f["fields"])


def junk(fields: dict, payload) -> dict:
    """Every field of the form set to the payload, the CSRF token and management-form counts
    kept (a broken management form is its own tested case: the 'wrong type' payload)."""
    data = {}
    for name, value in fields.items():
        if name in KEEP or name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            data[name] = value
        else:
            data[name] = payload(name)
    return data


def one_field_junk(fields: dict, target: str, payload) -> dict:
    """The page's own values with one field replaced: reaches the code behind a valid form."""
    return {**fields, target: payload(target)}


def assert_no_5xx(client: Client, url: str, data: dict, label: str) -> int:
    response = client.post(url, data)
    assert response.status_code < 500, f"{label}: {url} → {response.status_code}"
    return response.status_code


@pytest.fixture
def world(db, groups, case, contractor, section_staff):
    """One object of every kind the admin shows, so that every change form can be opened."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Invitation
    from applications.models import Attachment
    from contracts.models import SyncState

    application = ApplicationFactory(case=case, company=contractor.company, created_by=contractor)
    ApplicationFactory(
        case=case,
        company=contractor.company,
        created_by=contractor,
        kind="schedule",
        submitted=True,
    )
    stored = StoredFileFactory(kind="application-other", company=contractor.company)
    attachment = Attachment.objects.create(
        application=application, purpose="other", file=stored, uploaded_by=contractor
    )
    SuretyCertificateFactory(case=case)
    SuretyCertificateFactory(case=case, electronic=True, product="advance")
    SignedDocumentFactory(signing_request__contract__case=case)
    Invitation.objects.create(
        email="invitee@example.jp",
        company=contractor.company,
        token_hash="0" * 64,
        invited_by=section_staff,
        expires_at=timezone.now() + timedelta(days=7),
    )
    SyncState.objects.get_or_create(name="fuzz")
    return {"application": application, "attachment": attachment, "stored": stored}


def admin_forms(client: Client) -> list[tuple[str, dict]]:
    """(url, fields) of every add and change form of every registered ModelAdmin."""
    found = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        urls = []
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        obj = model_admin.get_queryset(_request(client)).order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code != 200:
                continue
            for form in post_forms(response.content.decode()):
                if any(n.startswith("_save") or n == "_continue" for n in form["fields"]) or (
                    len(form["fields"]) > 2
                ):
                    found.append((url, form["fields"]))
                    break
    return found


def _request(client: Client):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    from django.contrib.auth import get_user_model

    request.user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    return request


@pytest.mark.django_db
@pytest.mark.slow
def test_junk_in_every_admin_form_is_never_a_5xx(client, world, capsys):
    superuser = StaffFactory(email="fuzz-root@city.example", is_superuser=True)
    client.force_login(superuser)
    forms = admin_forms(client)
    models = {url.split("/")[2] + "." + url.split("/")[3] for url, _ in forms}
    assert len(models) >= 12, models  # every app's admin is reached
    posts = 0
    for url, fields in forms:
        for label, payload in PAYLOADS.items():
            assert_no_5xx(client, url, junk(fields, payload), label)
            posts += 1
        # one id field at a time, the page's own values elsewhere: the code behind a form
        # that is otherwise valid (the inlines' row ids, the choices)
        for name, value in fields.items():
            if name in KEEP or name.startswith("_") or not str(value).isdigit():
                continue
            assert_no_5xx(
                client, url, one_field_junk(fields, name, PAYLOADS["non-integer id"]), name
            )
            posts += 1
    with capsys.disabled():
        print(f"\nadmin fuzz: {len(forms)} forms, {len(PAYLOADS)} payloads, {posts} posts")


def portal_urls(ids: dict[str, int]) -> list[str]:
    """Every non-admin route, its integer arguments filled with the contractor's own objects
    (and every application kind for the ``new`` page)."""
    urls: list[str] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                route = str(p.pattern)
                if route.startswith(("admin/", "sandbox/")):
                    continue
                walk(p.url_patterns, prefix + route, p.namespace or namespace)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                for url in _fill(route, ids):
                    urls.append("/" + url)

    walk(get_resolver().url_patterns, "", None)
    return urls


def _fill(route: str, ids: dict[str, int]) -> list[str]:
    if route.startswith("^") or "(?P" in route:
        return []
    if "<slug:kind>" in route:
        return [
            u for kind in KINDS for u in _fill(route.replace("<slug:kind>", kind.code), ids)
        ]  # every kind's form
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    url = route
    for name in names:
        key = name
        if name == "pk":
            key = route.split("/")[0] + ".pk"  # applications.pk, contracts.pk, cases.pk
        value = ids.get(key, ids.get(name))
        if value is None:
            return []
        url = re.sub(r"<(?:\w+:)?" + name + ">", str(value), url, count=1)
    return [url]


@pytest.mark.django_db
def test_junk_in_every_portal_form_is_never_a_5xx(client, world, contractor, case, capsys):
    from contracts.models import Contract

    contract = Contract.objects.filter(case=case).first()
    ids = {
        "applications.pk": world["application"].pk,
        "contracts.pk": contract.pk,
        "cases.pk": case.pk,
        "case_pk": case.pk,
        "attachment_pk": world["attachment"].pk,
        "file_pk": world["stored"].pk,
        "document_pk": 1,
        "token": "not-a-token",
        "secret": "not-the-secret",
        "uidb64": "MQ",
    }
    forms: list[tuple[str, dict]] = []
    for who in ("anonymous", "contractor"):
        c = Client()
        if who == "contractor":
            c.force_login(contractor)
        for url in portal_urls(ids):
            if "logout" in url:
                continue
            response = c.get(url)
            assert response.status_code < 500, url
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in post_forms(response.content.decode()):
                action = urljoin(url, form["action"]) if form["action"] else url
                if "logout" in action or "/admin/" in action:
                    continue
                forms.append((who, action, form["fields"]))
    assert len({a for _, a, _ in forms}) >= 8, forms
    posts = 0
    for who, action, fields in forms:
        c = Client()
        if who == "contractor":
            c.force_login(contractor)
        for label, payload in PAYLOADS.items():
            assert_no_5xx(c, action, junk(fields, payload), f"{who} {label}")
            posts += 1
    with capsys.disabled():
        print(f"\nportal fuzz: {len(forms)} forms, {len(PAYLOADS)} payloads, {posts} posts")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, field",
    [
        ("surety.suretycertificate", "case"),
        ("accounts.invitation", "company"),
        ("accounts.user", "company"),
    ],
)
def test_a_non_integer_id_is_a_japanese_form_error_and_nothing_is_stored(
    client, world, model, field
):
    from django.apps import apps

    client.force_login(StaffFactory(email="fuzz-root2@city.example", is_superuser=True))
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_add")
    fields = admin_form(client.get(url).content.decode())
    before = apps.get_model(app_label, model_name).objects.count()
    response = client.post(url, {**fields, field: "abc"})
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()
    assert apps.get_model(app_label, model_name).objects.count() == before


@pytest.mark.django_db
def test_a_bogus_attachment_row_on_the_application_page_is_not_a_5xx(client, world):
    client.force_login(StaffFactory(email="fuzz-root3@city.example", is_superuser=True))
    application = world["application"]
    url = reverse("admin:applications_application_change", args=[application.pk])
    fields = admin_form(client.get(url).content.decode())
    row = next(n for n in fields if n.startswith("attachments-") and n.endswith("-id"))
    response = client.post(url, {**fields, row: "987654321"})
    assert response.status_code < 500
    assert application.attachments.count() == 1
