# 「全担当課の案件を閲覧できる」 belongs to the staff's department scoping (accounts), not to 案件: the
# permission moves to Department, and every group and user that held it on 案件 keeps it.

from django.db import migrations

CODENAME = "view_all_departments"
NAME = "全担当課の案件を閲覧できる"


def move_permission(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = Permission.objects.filter(
        codename=CODENAME, content_type__app_label__in=["cases", "contracts"],
        content_type__model="case",
    )
    if not old.exists():
        return  # a new database: post_migrate creates the permission and the roles hold it
    department_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="department")
    new, _ = Permission.objects.get_or_create(
        content_type=department_type, codename=CODENAME, defaults={"name": NAME}
    )
    for perm in old:
        for group in perm.group_set.all():
            group.permissions.add(new)
        for user in perm.user_set.all():
            user.user_permissions.add(new)
        perm.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_roles'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('cases', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='department',
            options={'ordering': ['code'], 'permissions': [('view_all_departments', '全担当課の案件を閲覧できる')], 'verbose_name': '担当課', 'verbose_name_plural': '担当課'},
        ),
        migrations.RunPython(move_permission, migrations.RunPython.noop),
    ]
