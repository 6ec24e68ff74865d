"""The reader's own variant set (tests/data/notices, made by tests/surety/notice_variants.py)."""

from pathlib import Path

import pytest
from reportlab import rl_config

from surety import services
from surety.constants import Form, IssuerType, Product
from surety.notice import read_notice
from tests.surety.notice_variants import OUT, variants

VARIANTS = variants()
SAMPLES = Path("/work/shared/samples")


def _as_dict(notice) -> dict:
    return {
        "construction_name": notice.construction_name,
        "contractor_name": notice.contractor_name,
        "product": notice.product,
        "guarantee_number": notice.guarantee_number,
        "auth_key": notice.auth_key,
        "issuer": notice.issuer,
        "issued_on": notice.issued_on.isoformat() if notice.issued_on else None,
    }


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_reads(name):
    """Issue 16 「電子保証 notices」: table layouts, values under labels, separate text runs,
    two pages with page markers, every dash look-alike, other issuers' titles and wordings
    (西日本: 「電子証書閲覧用『認証キー』等のお知らせ」, docs/domain.md §1.3 step 4) and
    中間前払金保証 (docs/domain.md §1.2) all read to the same fields."""
    data = (OUT / name).read_bytes()
    assert _as_dict(read_notice(data)) == VARIANTS[name][1]


def test_the_committed_variants_are_what_the_script_makes():
    """The PDFs under tests/data/notices are exactly the script's output (invariant mode), so
    the data and the script that documents it cannot drift apart."""
    rl_config.invariant = 1
    committed = {p.name for p in OUT.glob("*.pdf")}
    assert committed == set(VARIANTS)
    for name, (data, _) in variants().items():
        assert (OUT / name).read_bytes() == data, name


@pytest.mark.parametrize("name", ["surety-notice-advance.pdf", "surety-notice-performance.pdf"])
def test_the_shared_samples_still_read(name):
    """The briefing-layout samples (docs/domain.md §B.3; ../shared/samples, copied to
    tests/data) read as before."""
    data_dir = Path(__file__).resolve().parents[1] / "data"
    paths = [data_dir / name] + ([SAMPLES / name] if (SAMPLES / name).exists() else [])
    for path in paths:
        notice = read_notice(path.read_bytes())
        assert notice.contractor_name == "足利テスト建設 株式会社"
        assert notice.guarantee_number in {"31072-0001M", "31072-0002K"}
        assert notice.issuer == "東日本建設業保証株式会社"


def test_page_markers_are_not_glued_to_the_contractor():
    """Issue 16: a two-page notice glued 「(2/2)」 to 受注者名; the marker right under the last
    field of page 1 and the one at the top of page 2 are dropped."""
    for name in ("two-pages.pdf", "two-pages-dash-marker.pdf", "two-pages-page-word.pdf"):
        notice = read_notice((OUT / name).read_bytes())
        assert notice.contractor_name == "足利テスト建設 株式会社", name


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dash-u2212.pdf", "dash-u30fc.pdf", "dash-uff0d.pdf"])
def test_dash_lookalikes_do_not_defeat_the_no_mixing_rule(case, name):
    """Issue 16: look-alike dashes kept inside 保証契約番号 defeated the no-mixing rule
    (docs/domain.md §1.4, one format per guarantee chain), which matches on the number. A notice
    read with U+2212 / 長音 / full-width hyphen is the number staff type with 「-」."""
    notice = read_notice((OUT / name).read_bytes())
    assert notice.guarantee_number == "31072-0002K"
    services.surety_record_other(
        case=case,
        user=None,
        product=Product.PERFORMANCE,
        form=Form.PAPER,
        issuer_type=IssuerType.BANK,
        issuer="足利銀行",
        guarantee_number="31072−0002K",  # staff pasted a minus sign
    )
    problems = services.mixing_problems(guarantee_number=notice.guarantee_number, electronic=True)
    assert problems and "混在できません" in problems[0]
