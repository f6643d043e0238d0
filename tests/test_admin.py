"""Administration manages reference data; people's records and the audit are not in it."""

import pytest
from django.contrib import admin

from joinedcare.access.models import BreakGlass
from joinedcare.audit.models import AuditEvent
from joinedcare.organisations.models import Locality, Organisation, Place, Practice, Team, Ward
from joinedcare.people.models import Person
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.services.models import Episode, Service
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import Role
from tests import factories


@pytest.fixture
def administrator(db):
    return factories.staff(Role.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def signed_in_administrator(client, administrator):
    client.force_login(administrator)
    return client


@pytest.mark.parametrize(
    "model",
    [Organisation, Place, Locality, Ward, Team, Practice, StaffUser, SinglePointOfAccess, Service],
    ids=str,
)
def test_admin_manages_reference_data(model):
    assert model in admin.site._registry


@pytest.mark.parametrize("model", [Person, AuditEvent, BreakGlass, Episode], ids=str)
def test_admin_never_holds_records_or_audit(model):
    assert model not in admin.site._registry


@pytest.mark.parametrize(
    "path",
    [
        "/admin/people/person/",
        "/admin/people/person/add/",
        "/admin/audit/auditevent/",
        "/admin/access/breakglass/",
    ],
)
def test_admin_record_and_audit_urls_are_not_found(signed_in_administrator, person_a, path):
    response = signed_in_administrator.get(path)

    assert response.status_code == 404
    assert "Lovelace" not in response.content.decode()


def test_admin_index_loads_for_an_administrator(signed_in_administrator):
    response = signed_in_administrator.get("/admin/")

    assert response.status_code == 200
    assert "joinedcare administration" in response.content.decode()


def test_admin_index_lists_no_people_or_audit_even_for_a_superuser(client, db):
    client.force_login(factories.staff(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))

    body = client.get("/admin/").content.decode()

    assert "/admin/organisations/team/" in body
    assert "/admin/staff/staffuser/" in body
    assert "/admin/people/" not in body
    assert "/admin/audit/" not in body
    assert "/admin/access/" not in body


def test_admin_superuser_can_open_the_team_list(client, team_a):
    client.force_login(factories.staff(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))

    response = client.get("/admin/organisations/team/")

    assert response.status_code == 200
    assert team_a.name in response.content.decode()


def test_admin_is_out_of_reach_for_a_gp(client, gp_a):
    client.force_login(gp_a)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain
    assert response.request["PATH_INFO"] == "/sign-in/"
    assert "joinedcare administration" not in response.content.decode()


def test_admin_model_pages_are_out_of_reach_for_a_gp(client, gp_a):
    client.force_login(gp_a)

    response = client.get("/admin/staff/staffuser/")

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_an_administrator_adds_staff_to_an_access_point(client, db):
    client.force_login(factories.staff(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    spa = factories.spa()
    page = client.get(f"/admin/referrals/singlepointofaccess/{spa.pk}/change/")
    assert page.status_code == 200
    assert 'name="staff"' in page.content.decode()
