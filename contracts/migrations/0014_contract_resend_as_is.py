from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0013_queue_and_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="resend_as_is_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="却下後にそのまま再送信する判断の日時"
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="resend_as_is_reason",
            field=models.TextField(blank=True, verbose_name="却下後にそのまま再送信する理由"),
        ),
    ]
