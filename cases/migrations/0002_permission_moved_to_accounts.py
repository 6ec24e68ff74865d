# The all-departments permission moved to accounts.Department (accounts 0003).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('accounts', '0003_view_all_departments'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='case',
            options={'ordering': ['-opened_on', '-number'], 'verbose_name': '案件', 'verbose_name_plural': '案件'},
        ),
    ]
