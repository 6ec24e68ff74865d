"""Form fields for the city's forms: amounts in yen, Japanese messages."""

from django import forms

from core.text import normalize_compact
from core.wareki import parse_wareki


class YenField(forms.IntegerField):
    """An amount in yen: accepts 「1,000,000」「１０００００円」 and stores an int."""

    default_error_messages = {"invalid": "金額は半角数字で入力してください（例: 20000000）。"}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalize_compact(value).replace(",", "").replace("円", "")
        return super().to_python(value)


class DateField(forms.DateField):
    """A date: ISO (the browser's date picker) or as people type it without one — 和暦
    「令和7年9月4日」「令和七年九月四日」「R7/9/4」 or 「2025/9/4」; a date that never existed
    (「令和元年4月30日」) is refused."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": "日付を正しく入力してください（例: 2025-11-25）。"}

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                return super().to_python(value)
            except forms.ValidationError:
                parsed = parse_wareki(value, whole=True)
                if parsed is None:
                    raise
                return parsed
        return super().to_python(value)


class EmailField(forms.EmailField):
    default_error_messages = {"invalid": "メールアドレスの形式が正しくありません。"}
