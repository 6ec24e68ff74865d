import pytest
from django.core.exceptions import ValidationError

from accounts.models import Company
from accounts.validators import validate_corporate_number


def test_valid_corporate_number_passes():
    validate_corporate_number("5835678256246")
    validate_corporate_number("５８３５６７８２５６２４６")  # full-width digits are normalised


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5835678256245", "チェックデジット"),
        ("123", "13桁"),
        ("58356782562ab", "13桁"),
    ],
)
def test_invalid_corporate_number_is_refused(value, message):
    with pytest.raises(ValidationError) as exc_info:
        validate_corporate_number(value)
    assert message in exc_info.value.messages[0]


@pytest.mark.django_db
def test_company_full_clean_normalises_and_enforces_uniqueness():
    company = Company(
        name="足利テスト建設　株式会社",
        address="足利市",
        representative="山田　太郎",
        corporate_number="５８３５６７８２５６２４６",
        vendor_number="Ａ-1001",
    )
    company.full_clean()
    company.save()
    assert company.name == "足利テスト建設 株式会社"
    assert company.corporate_number == "5835678256246"
    assert company.vendor_number == "A-1001"
    dup = Company(name="x", address="x", representative="x", vendor_number="A-1001")
    with pytest.raises(ValidationError) as exc_info:
        dup.full_clean()
    assert "vendor_number" in exc_info.value.message_dict
