"""The kinds' readings move out of the applicant's data into their own field.

Before: the 認証キーのお知らせ's reading travelled as ``_read``, ``_manual``, ``_attach_note`` and
``_warnings`` keys inside ``Application.data``. After: ``Application.hook_results`` holds them
(the schema of ``applications.results.HookResults``); ``data`` holds only the form's values.
Every row is kept (the read 認証キー stays encrypted); the reverse puts the keys back.
"""

from django.db import migrations

import core.crypto

# old key in data -> key in hook_results
MOVED = {"_read": "read", "_manual": "manual", "_attach_note": "note", "_warnings": "warnings"}
EMPTY = {"read": {}, "manual": None, "note": "", "warnings": []}


def forward(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    for application in Application.objects.all().only("pk", "data", "hook_results").iterator():
        data = application.data if isinstance(application.data, dict) else {}
        internal = {k: v for k, v in data.items() if k.startswith("_")}
        if not internal:
            continue
        results = dict(EMPTY)
        for old, new in MOVED.items():
            if internal.get(old) is not None:
                results[new] = internal[old]
        application.hook_results = results if any(results.values()) else {}
        application.data = {k: v for k, v in data.items() if not k.startswith("_")}
        Application.objects.filter(pk=application.pk).update(
            data=application.data, hook_results=application.hook_results
        )


def backward(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    for application in Application.objects.all().only("pk", "data", "hook_results").iterator():
        results = application.hook_results or {}
        if not results:
            continue
        data = dict(application.data or {})
        for old, new in MOVED.items():
            if new in results:
                data[old] = results[new]
        Application.objects.filter(pk=application.pk).update(data=data)


class Migration(migrations.Migration):
    dependencies = [("applications", "0009_midterm_certification")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="hook_results",
            field=core.crypto.SecretKeysJSONField(
                blank=True,
                default=dict,
                editable=False,
                secret_keys=["auth_key", "auth_key_confirm", "view_password"],
                verbose_name="読み取り結果",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
