from datetime import date

import factory
from django.contrib.auth.models import Group

from accounts.models import Company, Department, User
from cases.constants import Category, ProcurementMethod
from cases.models import Case

PASSWORD = "correct-horse-battery-9"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"第{n}課")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"テスト建設{n} 株式会社")
    address = "栃木県足利市本城3丁目2145番地"
    representative = "山田 太郎"
    vendor_number = factory.Sequence(lambda n: f"V-{n:04d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    name = "利用者"
    company = factory.SubFactory(CompanyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    company = None
    is_staff = True
    department = factory.SubFactory(DepartmentFactory)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"R7-T-{n:04d}")
    title = factory.Sequence(lambda n: f"市道{n}号線道路改良工事")
    place = "足利市本城3丁目地内"
    category = Category.CONSTRUCTION
    department = factory.SubFactory(DepartmentFactory)
    procurement_method = ProcurementMethod.GENERAL
    opened_on = date(2025, 10, 20)
    awarded_company = factory.SubFactory(CompanyFactory)
    amount = 50_000_000
    period_start = date(2025, 11, 10)
    period_end = date(2026, 3, 19)
    advance_payment = True
