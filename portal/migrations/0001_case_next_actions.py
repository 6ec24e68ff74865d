"""Fill the contractors' kept next actions (cases.CaseNextAction) for the existing cases."""

from django.db import migrations


def fill(apps, schema_editor):
    from portal import todo

    todo.refresh_all(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_next_action"),
        ("applications", "0006_scale_indexes"),
        ("contracts", "0011_japanese_names"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
