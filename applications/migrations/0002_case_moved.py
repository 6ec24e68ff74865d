# The case FK now points at cases.Case: the same table (contracts_case), so nothing changes in the
# database; only the migration state follows the model's move.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0001_initial'),
        ('cases', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='application',
                    name='case',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='cases.case', verbose_name='案件'),
                ),
            ],
            database_operations=[],
        ),
    ]
