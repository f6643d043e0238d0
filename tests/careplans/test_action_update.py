"""Marking an action done from a list: said on the page it returns to, and only ever a
page of this site."""

from datetime import date

import pytest

from joinedcare.careplans.models import CarePlanAction
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_action(team_a, person_a):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    action = factories.care_plan_action(
        plan=plan, owner=nurse, description="Fit grab rails in bathroom", due=date.today()
    )
    return nurse, action


def test_marking_done_says_which_action_went(client, nurse_action):
    nurse, action = nurse_action
    client.force_login(nurse)
    page = client.post(
        f"/care-plans/actions/{action.pk}/",
        {"do": "done", "next": "/care-plans/my-actions/"},
        follow=True,
    )
    assert "Marked done: Fit grab rails in bathroom" in page.content.decode()
    action.refresh_from_db()
    assert action.status == CarePlanAction.Status.DONE


@pytest.mark.parametrize(
    "target", ["https://example.org/phish", "//example.org/phish", "http://evil.invalid/"]
)
def test_next_to_another_site_goes_to_my_actions_instead(client, nurse_action, target):
    nurse, action = nurse_action
    client.force_login(nurse)
    answer = client.post(f"/care-plans/actions/{action.pk}/", {"do": "done", "next": target})
    assert answer.status_code == 302
    assert answer["Location"] == "/care-plans/my-actions/"


def test_next_within_the_site_is_kept(client, nurse_action, person_a):
    nurse, action = nurse_action
    client.force_login(nurse)
    here = f"/care-plans/{person_a.public_id}/"
    answer = client.post(f"/care-plans/actions/{action.pk}/", {"do": "cancelled", "next": here})
    assert answer["Location"] == here
