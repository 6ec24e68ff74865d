# Case (案件) moves from ``contracts`` to ``cases`` without touching its table: the model is created
# in the migration state only (the table ``contracts_case`` with its rows, indexes and constraints
# stays as it is), and the content type is renamed so that its permissions (and the groups and users
# holding them) carry over.

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def _rename(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    source = ContentType.objects.filter(app_label=old, model="case").first()
    if source is None:
        return  # a new database: the content type is made after the migrations
    target = ContentType.objects.filter(app_label=new, model="case").first()
    if target is None:
        source.app_label = new
        source.save(update_fields=["app_label"])
        return
    # Both exist (a partly migrated database): keep the permissions that groups already hold.
    for perm in Permission.objects.filter(content_type=source):
        twin = Permission.objects.filter(content_type=target, codename=perm.codename).first()
        if twin is None:
            perm.content_type = target
            perm.save(update_fields=["content_type"])
        else:
            for group in perm.group_set.all():
                group.permissions.add(twin)
            for user in perm.user_set.all():
                user.user_permissions.add(twin)
            perm.delete()
    source.delete()


def move_content_type(apps, schema_editor):
    _rename(apps, "contracts", "cases")


def reverse_content_type(apps, schema_editor):
    _rename(apps, "cases", "contracts")


CREATE_CASE = (
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=30, unique=True, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z-]+$', '案件番号は半角英数字とハイフンで入力してください。')], verbose_name='案件番号')),
                ('title', models.CharField(help_text='工事名／物件名／委託名', max_length=200, verbose_name='件名')),
                ('place', models.CharField(help_text='工事場所／納入場所／履行場所', max_length=200, verbose_name='場所')),
                ('category', models.CharField(choices=[('construction', '建設工事'), ('construction_service', '建設工事関連業務'), ('goods', '物品購入'), ('printing', '外注印刷'), ('small_works', '小額工事'), ('service', '業務委託')], max_length=30, verbose_name='契約区分')),
                ('procurement_method', models.CharField(choices=[('general', '一般競争入札'), ('designated', '指名競争入札'), ('negotiated', '随意契約'), ('other', 'その他')], max_length=20, verbose_name='契約方法')),
                ('opened_on', models.DateField(blank=True, null=True, verbose_name='開札日')),
                ('amount', models.PositiveBigIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='請負金額（税込）')),
                ('period_start', models.DateField(blank=True, null=True, verbose_name='工期（始期）')),
                ('period_end', models.DateField(blank=True, null=True, verbose_name='工期（終期）')),
                ('advance_payment', models.BooleanField(default=False, verbose_name='前払金あり')),
                ('surety_exempt', models.BooleanField(default=False, help_text='契約保証を免除する案件（理由を記入）', verbose_name='契約保証免除')),
                ('surety_exempt_reason', models.CharField(blank=True, max_length=300, verbose_name='契約保証免除の理由')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
                ('awarded_company', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='awarded_cases', to='accounts.company', verbose_name='落札者')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='accounts.department', verbose_name='担当課')),
            ],
            options={
                'verbose_name': '案件',
                'verbose_name_plural': '案件',
                'db_table': 'contracts_case',
                'ordering': ['-opened_on', '-number'],
                'permissions': [('view_all_departments', '全担当課の案件を閲覧できる')],
                'indexes': [models.Index(fields=['awarded_company', '-opened_on'], name='contracts_c_awarded_09eac5_idx'), models.Index(fields=['department', '-opened_on'], name='contracts_c_departm_3f7292_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('period_start__isnull', True), ('period_end__isnull', True), ('period_end__gte', models.F('period_start')), _connector='OR'), name='case_period_ordered', violation_error_message='工期の終期は始期以降の日付にしてください。')],
            },
        )
)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_roles'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('contracts', '0005_contractcorrection_contract_contract_date_idx_and_more'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[CREATE_CASE],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, reverse_content_type),
    ]
