from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.jp import cn

from core.text import normalize_compact


def validate_corporate_number(value: str) -> None:
    """法人番号: 13 digits whose first digit is the check digit (python-stdnum)."""
    number = normalize_compact(value).replace("-", "")
    if not number.isdigit() or len(number) != 13:
        raise ValidationError("法人番号は13桁の数字で入力してください。", code="format")
    try:
        cn.validate(number)
    except InvalidChecksum:
        raise ValidationError(
            "法人番号のチェックデジットが正しくありません。番号をご確認ください。", code="checksum"
        ) from None
    except StdnumError:
        raise ValidationError("法人番号の形式が正しくありません。", code="format") from None
