"""Form fields for the city's forms: amounts in yen, Japanese messages."""

from django import forms

from core.text import normalize_compact


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
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": "日付を正しく入力してください（例: 2025-11-25）。"}


class EmailField(forms.EmailField):
    default_error_messages = {"invalid": "メールアドレスの形式が正しくありません。"}
