"""The key worker's work phone, printed on the person's copy of their plan: set in the
admin, checked as a phone number, and given to every demo login."""

import pytest

from joinedcare.demo.staff import DEMO_STAFF, create_demo_staff
from joinedcare.organisations.models import Organisation
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import Role
from tests import factories
from tests.staff.test_admin_access_changes import _post_data, _url

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    return factories.staff(Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def nurse(db):
    return factories.staff(Role.DISTRICT_NURSE, first_name="Jo", last_name="Smith")


def test_an_administrator_sets_a_key_workers_work_phone(client, administrator, nurse):
    client.force_login(administrator)
    assert 'name="work_phone"' in client.get(_url(nurse)).content.decode()

    data = _post_data(nurse) | {"work_phone": "0191 498 0003"}
    response = client.post(_url(nurse), data)

    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.work_phone == "0191 498 0003"


def test_a_work_phone_that_is_not_a_number_is_refused(client, administrator, nurse):
    client.force_login(administrator)

    data = _post_data(nurse) | {"work_phone": "ask reception"}
    response = client.post(_url(nurse), data)

    assert response.status_code == 200
    assert "Enter a phone number, like 0191 498 0123" in response.content.decode()
    nurse.refresh_from_db()
    assert nurse.work_phone == ""


def test_every_demo_login_has_a_work_phone_from_the_drama_range(db):
    # The least of a county create_demo_staff places its logins in.
    teams = sorted([factories.team(), factories.team()], key=lambda t: t.code)
    for _ in range(2):
        factories.practice(team=teams[0])
    for kind in Organisation.Kind.values:
        factories.organisation(kind=kind)

    create_demo_staff("demo password")

    phones = list(StaffUser.objects.values_list("work_phone", flat=True))
    assert len(phones) == len(DEMO_STAFF)
    # Ofcom's numbers for drama: printed on a demo plan, they ring nobody.
    assert all(p.startswith("0191 498 0") for p in phones)
    assert len(set(phones)) == len(phones)
