import pytest
from django.urls import reverse

from cases.models import Case


@pytest.mark.django_db
def test_contract_section_sees_and_changes_every_department(
    client, section_staff, case, other_case
):
    client.force_login(section_staff)
    page = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert case.number in page and other_case.number in page
    assert client.get(reverse("admin:cases_case_change", args=[other_case.pk])).status_code == 200


@pytest.mark.django_db
def test_department_staff_see_only_their_department(client, department_staff, case, other_case):
    client.force_login(department_staff)
    page = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert case.number in page
    assert other_case.number not in page
    other = client.get(reverse("admin:cases_case_change", args=[other_case.pk]))
    assert other.status_code == 302  # the admin redirects away from an object it cannot find
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200


@pytest.mark.django_db
def test_readonly_staff_cannot_change_anything(client, readonly_staff, case):
    client.force_login(readonly_staff)
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    response = client.post(url, {"title": "改ざん"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).title == case.title
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    assert (
        client.post(reverse("admin:cases_case_delete", args=[case.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse("admin:accounts_company_add")).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.django_db
def test_roles_hold_the_expected_permissions(groups):
    section = {p.codename for p in groups["契約管財課"].permissions.all()}
    dept = {p.codename for p in groups["担当課"].permissions.all()}
    readonly = {p.codename for p in groups["閲覧"].permissions.all()}
    assert {"add_case", "change_case", "view_all_departments", "add_invitation"} <= section
    assert "change_auditevent" not in section and "delete_auditevent" not in section
    assert "view_case" in dept and "view_all_departments" not in dept and "change_case" not in dept
    assert readonly and all(code.startswith("view_") for code in readonly)


@pytest.mark.django_db
def test_post_migrate_syncs_the_roles_once_with_every_apps_permissions(monkeypatch):
    """A migrate (or a flush) re-creates the roles with the permissions of every portal app,
    the last-migrated included, and syncs them once rather than once per app."""
    from django.contrib.auth.models import Group, Permission
    from django.core.management.sql import emit_post_migrate_signal

    from accounts.roles import CONTRACT_SECTION, ROLE_NAMES

    Group.objects.all().delete()
    Permission.objects.filter(content_type__app_label="surety").delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(Group.objects.values_list("name", flat=True)) == set(ROLE_NAMES)
    section = Group.objects.get(name=CONTRACT_SECTION)
    assert section.permissions.filter(
        content_type__app_label="surety", codename="change_suretycertificate"
    ).exists()
    assert section.permissions.filter(content_type__app_label="contracts").exists()

    from accounts import roles

    calls = []
    real = roles.sync_role_permissions
    monkeypatch.setattr(roles, "sync_role_permissions", lambda apps: calls.append(real(apps)))
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert len(calls) == 1  # one sync per migrate or flush, not one per app
