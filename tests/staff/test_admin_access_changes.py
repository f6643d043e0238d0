"""In the admin nobody changes their own access; every change of access is audited."""

import pytest
from django.contrib.messages import get_messages

from joinedcare.audit.models import AuditEvent
from joinedcare.staff.models import Membership, StaffUser
from joinedcare.staff.roles import Role
from tests import factories


@pytest.fixture
def administrator(db):
    return factories.staff(
        Role.ADMINISTRATOR,
        is_staff=True,
        is_superuser=True,
        first_name="Ada",
        last_name="Admin",
    )


@pytest.fixture
def consett(db):
    return factories.team(name="Consett TAP")


@pytest.fixture
def aisha(db):
    return factories.staff(Role.DISTRICT_NURSE, first_name="Aisha", last_name="Khan")


def _url(user: StaffUser) -> str:
    return f"/admin/staff/staffuser/{user.pk}/change/"


def _post_data(user: StaffUser, *, role=None, memberships=(), keep=()) -> dict:
    """The change form as the admin posts it: the user's fields, then membership forms."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "organisation": str(user.organisation_id),
        "role": role or user.role,
        "_save": "Save",
    }
    if user.is_staff:
        data["is_staff"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    forms = [
        {"id": str(m.pk), "user": str(user.pk), "team": str(m.team_id), "role": m.role}
        for m in keep
    ] + [{"user": str(user.pk), "team": str(t.pk), "role": r} for t, r in memberships]
    data.update(
        {
            "memberships-TOTAL_FORMS": str(len(forms)),
            "memberships-INITIAL_FORMS": str(len(keep)),
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        }
    )
    for i, form in enumerate(forms):
        data.update({f"memberships-{i}-{k}": v for k, v in form.items()})
    return data


def test_an_administrator_cannot_give_themselves_a_team_membership(client, administrator, consett):
    client.force_login(administrator)

    response = client.post(
        _url(administrator), _post_data(administrator, memberships=[(consett, Role.GP)])
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(user=administrator).exists()
    assert any("another administrator must" in str(m) for m in get_messages(response.wsgi_request))


def test_an_administrator_cannot_change_their_own_role(client, administrator):
    client.force_login(administrator)

    client.post(_url(administrator), _post_data(administrator, role=Role.GP))

    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR
    assert not AuditEvent.objects.filter(detail__contains="role changed").exists()


def test_an_administrator_sees_their_own_access_read_only_and_still_edits_their_name(
    client, administrator, consett
):
    Membership.objects.create(user=administrator, team=consett, role=Role.ANALYST)
    client.force_login(administrator)

    body = client.get(_url(administrator)).content.decode()

    assert 'name="role"' not in body
    assert 'name="organisation"' not in body
    assert 'name="memberships-0-team"' not in body
    # The page as it posts: access fields read-only, memberships only by id.
    data = _post_data(administrator, keep=administrator.memberships.all())
    del data["role"], data["organisation"], data["memberships-0-team"]
    del data["memberships-0-role"]
    data["first_name"] = "Adaline"
    response = client.post(_url(administrator), data)
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.first_name == "Adaline"
    assert administrator.role == Role.ADMINISTRATOR
    assert administrator.memberships.count() == 1


def test_another_administrators_membership_grant_is_saved_and_audited(
    client, administrator, aisha, consett
):
    client.force_login(administrator)

    response = client.post(_url(aisha), _post_data(aisha, memberships=[(consett, Role.GP)]))

    assert response.status_code == 302
    assert Membership.objects.filter(user=aisha, team=consett, role=Role.GP).exists()
    event = AuditEvent.objects.get(detail__contains="membership added")
    assert event.actor == administrator
    assert event.person is None
    assert event.detail == "staff Aisha Khan: membership added, Consett TAP as GP"


def test_a_role_change_by_another_administrator_is_audited(client, administrator, aisha):
    client.force_login(administrator)

    client.post(_url(aisha), _post_data(aisha, role=Role.ANALYST))

    aisha.refresh_from_db()
    assert aisha.role == Role.ANALYST
    event = AuditEvent.objects.get(detail__contains="role changed")
    assert event.actor == administrator
    assert event.detail == "staff Aisha Khan: role changed from District nurse to Analyst"


def test_a_removed_membership_is_audited(client, administrator, aisha, consett):
    membership = Membership.objects.create(user=aisha, team=consett, role=Role.GP)
    client.force_login(administrator)
    data = _post_data(aisha, keep=[membership])
    data["memberships-0-DELETE"] = "on"

    client.post(_url(aisha), data)

    assert not Membership.objects.filter(user=aisha).exists()
    event = AuditEvent.objects.get(detail__contains="membership removed")
    assert event.detail == "staff Aisha Khan: membership removed, Consett TAP as GP"


def test_a_locality_change_by_another_administrator_is_audited(client, administrator, aisha):
    durham = factories.locality(name="Durham Dales")
    client.force_login(administrator)
    data = _post_data(aisha)
    data["localities"] = [str(durham.pk)]

    client.post(_url(aisha), data)

    assert list(aisha.localities.all()) == [durham]
    event = AuditEvent.objects.get(detail__contains="localities changed")
    assert event.detail == f"staff Aisha Khan: localities changed from none to {durham}"
