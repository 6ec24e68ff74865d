# Case (案件) now lives in the ``cases`` app (see cases/migrations/0001_initial.py). The contract's FK
# follows it and the model leaves this app's state; the table contracts_case is kept with its rows.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0005_contractcorrection_contract_contract_date_idx_and_more'),
        ('cases', '0001_initial'),
        ('applications', '0002_case_moved'),
        ('surety', '0002_case_moved_remove_contract'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='contract',
                    name='case',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='cases.case', verbose_name='案件'),
                ),
                migrations.DeleteModel(name='Case'),
            ],
            database_operations=[],
        ),
    ]
