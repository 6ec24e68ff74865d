"""A 認証キーのお知らせ filing reads the notice once: the upload reads it, the 確認画面 and the
提出 reuse the stored reading (``Application.hook_results``)."""

import pytest

from applications.models import Application
from surety import notice
from surety.models import SuretyCertificate
from tests.surety.notices import KEY, notice_pdf, standard
from tests.surety.test_filing import file_notice


@pytest.fixture
def reads(monkeypatch):
    """Each read of a notice PDF (the call that parses it, in a child process)."""
    calls = []
    real = notice.read_untrusted_pdf

    def counting(fn, data, **kwargs):
        calls.append(fn.__name__)
        return real(fn, data, **kwargs)

    monkeypatch.setattr(notice, "read_untrusted_pdf", counting)
    return calls


@pytest.mark.django_db
def test_a_filing_parses_the_notice_once(logged_in, build_case, reads):
    _, application = file_notice(logged_in, build_case, data=notice_pdf(standard()))
    assert application.status == "submitted"
    assert reads == ["read_notice_unbounded"]
    certificate = SuretyCertificate.objects.get(application=application)
    assert certificate.read_values["auth_key"] == KEY  # the reading stored at the upload
    stored = Application.objects.get(pk=application.pk)
    assert stored.results.read["auth_key"] == KEY
    assert not any(key.startswith("_") for key in stored.data)
