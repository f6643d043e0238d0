"""Being a care plan's key worker or an action's owner is a legitimate relationship,
for every role whose job gives access to records, and only while it lasts."""

import pytest

from joinedcare.access.rules import decide, people_visible_to
from joinedcare.careplans import actions
from joinedcare.staff.roles import ROLE_PERMISSIONS, Permission, Role
from tests import factories

pytestmark = pytest.mark.django_db


def _may_see_records(role) -> bool:
    return Permission.VIEW_PERSON_RECORD in ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", list(Role))
def test_action_owner_sees_the_person_if_their_role_gives_access(role, person_b, gp_a):
    """Owner outside the person's team: the action is the only relationship."""
    plan = factories.care_plan(person=person_b, key_worker=gp_a)
    owner = factories.staff(role)
    factories.care_plan_action(plan=plan, owner=owner)

    decision = decide(owner, person_b)

    assert decision.allowed == _may_see_records(role)
    if decision.allowed:
        assert decision.basis == "owner of an action on the person's care plan"
        assert list(people_visible_to(owner)) == [person_b]


@pytest.mark.parametrize("role", [r for r in Role if _may_see_records(r)])
def test_key_worker_sees_the_person(role, person_b, gp_a):
    key_worker = factories.staff(role)
    factories.care_plan(person=person_b, key_worker=key_worker)

    assert decide(key_worker, person_b).basis == "key worker of the person's care plan"


@pytest.mark.parametrize("role", [r for r in Role if not _may_see_records(r)])
def test_roles_without_record_access_never_see_through_a_plan(role, person_b):
    user = factories.staff(role)
    plan = factories.care_plan(person=person_b, key_worker=factories.staff(Role.DISTRICT_NURSE))
    factories.care_plan_action(plan=plan, owner=user)
    assert not decide(user, person_b).allowed


def test_relationship_ends_when_the_action_is_done(person_b, gp_a):
    owner = factories.staff(Role.VCS_WORKER)
    plan = factories.care_plan(person=person_b, key_worker=gp_a)
    action = factories.care_plan_action(plan=plan, owner=owner)

    actions.close_action(by=owner, action=action, status="done")

    assert not decide(owner, person_b).allowed


def test_relationship_ends_with_the_plan_and_with_a_new_key_worker(person_a, gp_a):
    old_key_worker = factories.staff(Role.SOCIAL_WORKER)
    plan = factories.care_plan(person=person_a, key_worker=old_key_worker)
    assert decide(old_key_worker, person_a).allowed

    actions.agree_plan(
        by=gp_a,
        person=person_a,
        what_matters="Home",
        goals=[actions.GoalInput("Stay home")],
        contingency="Call 111",
        review_date=plan.current_version.review_date,
        key_worker=gp_a,
    )
    assert not decide(old_key_worker, person_a).allowed


def test_queue_membership_alone_is_not_a_relationship(person_b, gp_a, team_a):
    plan = factories.care_plan(person=person_b, key_worker=gp_a)
    factories.care_plan_action(plan=plan, owner_team=team_a)
    member = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    assert not decide(member, person_b).allowed
