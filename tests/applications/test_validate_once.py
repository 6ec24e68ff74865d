"""Each request of a filing validates the kind's form once (a form's clean() reads the
database: the 契約日, the filed amounts)."""

import re

import pytest
from django.urls import reverse

from applications.kinds.base import KindForm
from applications.models import Application
from tests.applications.helpers import VALID
from tests.applications.test_flow import attach_required, case_for


@pytest.fixture
def validations(monkeypatch):
    calls = []
    real = KindForm.full_clean

    def counting(self):
        calls.append(type(self).__name__)
        return real(self)

    monkeypatch.setattr(KindForm, "full_clean", counting)
    return calls


@pytest.mark.django_db
def test_each_step_of_a_filing_validates_the_form_once(
    client, contractor, company, department, validations
):
    client.force_login(contractor)
    case = case_for("site_agent", company, department)
    new = reverse("applications:new", args=[case.pk, "site_agent"])
    client.post(new, {**VALID["site_agent"], "action": "save"})
    draft = Application.objects.get()
    attach_required(draft, contractor)
    validations.clear()
    edit = reverse("applications:edit", args=[draft.pk])
    confirm = client.post(edit, {**VALID["site_agent"], "action": "confirm"})
    assert confirm["Location"] == reverse("applications:confirm", args=[draft.pk])
    assert validations == ["SiteAgentForm"]  # the 確認画面へ post
    validations.clear()
    shown = client.get(confirm["Location"]).content.decode()
    assert validations == ["SiteAgentForm"]  # the 確認画面
    validations.clear()
    digest = re.search(r'name="digest" value="(\w+)"', shown).group(1)
    done = client.post(reverse("applications:submit", args=[draft.pk]), {"digest": digest})
    assert done["Location"] == reverse("applications:done", args=[draft.pk])
    assert validations == ["SiteAgentForm"]  # the 提出
    assert Application.objects.get().status == "submitted"
