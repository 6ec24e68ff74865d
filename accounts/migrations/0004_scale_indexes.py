from django.db import migrations

from core.db import trigram_extension, trigram_index


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_view_all_departments")]

    operations = [
        # PostgreSQL only (SQLite skips them): 取引先 search of the archive and the admin lists.
        trigram_extension(),
        trigram_index("accounts_company", "name", "company_name_trgm"),
    ]
