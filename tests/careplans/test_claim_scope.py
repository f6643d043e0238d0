"""An organisation's queue is claimable only by its members near the person: claiming
makes a relationship with the person, so it must not open records county-wide."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from joinedcare.access.rules import decide
from joinedcare.careplans import actions
from joinedcare.careplans.actions import ActionInput
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(gp_a, person_a):
    """An action in a community trust's queue, on a plan for a person of team A."""
    trust = factories.organisation()
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[person_a.practice.team])
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    action = actions.add_action(
        by=gp_a,
        plan=plan,
        action=ActionInput("Bath aids", date.today(), owner_organisation=trust),
    )
    return trust, action


def test_only_members_of_the_organisation_in_the_persons_locality_claim(
    client, queued, person_a, team_b
):
    trust, action = queued
    assert team_b.locality_id != person_a.practice.team.locality_id
    elsewhere = factories.staff(Role.THERAPIST, teams=[team_b], organisation_=trust)
    other_organisation = factories.staff(Role.THERAPIST, teams=[person_a.practice.team])

    assert not actions.may_claim(elsewhere, action)
    for user in (elsewhere, other_organisation):
        with pytest.raises(PermissionError):
            actions.claim_action(by=user, action=action)
    action.refresh_from_db()
    assert action.owner is None
    assert not decide(elsewhere, person_a).allowed
    client.force_login(elsewhere)
    assert client.get(f"/people/{person_a.public_id}/").status_code in (403, 404)

    # Another team of the same locality as the person's practice team may take it on.
    neighbour = factories.team(locality=person_a.practice.team.locality)
    nearby = factories.staff(Role.THERAPIST, teams=[neighbour], organisation_=trust)
    assert not decide(nearby, person_a).allowed
    assert actions.may_claim(nearby, action)
    claimed = actions.claim_action(by=nearby, action=action)
    assert claimed.owner == nearby and claimed.owner_organisation == trust
    assert decide(nearby, person_a).allowed


def test_my_actions_offers_only_the_queue_actions_one_may_claim(client, queued, person_a, team_b):
    trust, _ = queued
    elsewhere = factories.staff(Role.THERAPIST, teams=[team_b], organisation_=trust)
    neighbour = factories.team(locality=person_a.practice.team.locality)
    nearby = factories.staff(Role.THERAPIST, teams=[neighbour], organisation_=trust)

    client.force_login(elsewhere)
    assert "Bath aids" not in client.get("/care-plans/my-actions/").content.decode()
    client.force_login(nearby)
    assert "Bath aids" in client.get("/care-plans/my-actions/").content.decode()


def test_team_list_offers_claim_only_to_who_may_claim(client, queued, person_a):
    # The team's list shows the trust's queued action to every member of the team; a GP
    # not employed by the trust would be refused, so is not offered the button.
    team = person_a.practice.team
    gp = factories.staff(Role.GP, teams=[team])
    trust, _ = queued
    trust_nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team], organisation_=trust)
    page = f"/care-plans/teams/{team.code}/actions/"

    client.force_login(gp)
    text = client.get(page).content.decode()
    assert "Bath aids" in text and 'value="claim"' not in text
    client.force_login(trust_nurse)
    assert 'value="claim"' in client.get(page).content.decode()


def test_team_list_asks_who_may_claim_in_the_same_queries_however_long(
    client, queued, person_a, gp_a
):
    # Claim was decided row by row (a query or more for each queued action), on
    # a list that covers a whole team of 30,000-50,000 people.
    team = person_a.practice.team
    trust, _ = queued
    trust_nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team], organisation_=trust)
    client.force_login(trust_nurse)
    page = f"/care-plans/teams/{team.code}/actions/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        return len(captured)

    few = queries()
    for i in range(5):
        person = factories.person(practice=person_a.practice)
        plan = factories.care_plan(person=person, key_worker=gp_a)
        actions.add_action(
            by=gp_a,
            plan=plan,
            action=ActionInput(f"Task {i}", date.today(), owner_organisation=trust),
        )
    many = queries()
    assert client.get(page).content.decode().count('value="claim"') == 6
    assert many == few, (few, many)
