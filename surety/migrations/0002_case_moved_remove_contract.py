# The case FK now points at cases.Case (same table: state only); the never-used contract FK goes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('surety', '0001_initial'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='suretycertificate',
            name='contract',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='suretycertificate',
                    name='case',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sureties', to='cases.case', verbose_name='案件'),
                ),
            ],
            database_operations=[],
        ),
    ]
