"""The notice reader is bounded inside itself: whoever calls ``read_notice`` gets an answer
within the uploads' parse budget, and the caller's memory does not grow with the file."""

import resource
import time

import pytest

from core.sandboxed import BudgetExceeded
from surety.notice import read_notice
from tests.pdfs import make_shared_stream_pdf
from tests.surety.notices import notice_pdf, standard


def test_a_pathological_notice_is_cut_at_the_parse_budget(settings):
    settings.PDF_PARSE_SECONDS = 1.0
    # ~5 KB; every page re-parses a 1 MB stream (59 s unbounded in the reader)
    data = make_shared_stream_pdf(pages=20, stream_bytes=1024 * 1024)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(BudgetExceeded):
        read_notice(data)
    elapsed = time.monotonic() - started
    assert elapsed < settings.PDF_PARSE_SECONDS + 3, elapsed
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 20, grown_mb  # the parsing happened in the child


def test_a_real_notice_still_reads_through_the_bound():
    notice = read_notice(notice_pdf(standard()))
    assert notice.auth_key and notice.guarantee_number
