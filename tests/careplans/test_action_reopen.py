"""Marking an action done says who and when, on the plan and the lists, and a mistaken
"done" is undone with one click of "Reopen": audited, and only by whoever may change the
action."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from joinedcare.audit.models import AuditEvent
from joinedcare.careplans import actions
from joinedcare.careplans.models import CarePlanAction
from joinedcare.organisations.models import Organisation
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

RAILS = "Fit grab rails in bathroom"


@pytest.fixture
def nurse(team_a):
    return factories.staff(Role.DISTRICT_NURSE, teams=[team_a], first_name="Jo", last_name="Smith")


@pytest.fixture
def action(nurse, person_a):
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    return factories.care_plan_action(plan=plan, owner=nurse, description=RAILS, due=date.today())


def _done_today_by(name: str) -> str:
    return f"Done {date_format(timezone.localdate(), 'j M Y')} by {name}"


def _post(client, action, do: str, next_page: str = "/care-plans/my-actions/"):
    return client.post(f"/care-plans/actions/{action.pk}/", {"do": do, "next": next_page})


def test_marking_done_keeps_who_and_when(nurse, action):
    closed = actions.close_action(by=nurse, action=action, status=CarePlanAction.Status.DONE)

    assert closed.completed_by == nurse
    assert closed.status_in_words == _done_today_by("Jo Smith")


def test_plan_page_says_who_marked_an_action_done_and_when(client, nurse, action, person_a):
    colleague = factories.staff(
        Role.GP, teams=[person_a.practice.team], first_name="Ali", last_name="Khan"
    )
    actions.close_action(by=colleague, action=action, status=CarePlanAction.Status.DONE)
    client.force_login(nurse)

    body = client.get(f"/care-plans/{person_a.public_id}/").content.decode()

    assert _done_today_by("Ali Khan") in body
    assert f'value="reopen">Reopen<span class="nhsuk-u-visually-hidden">: {RAILS}' in body


def test_an_action_closed_before_closers_were_kept_says_when_only(action):
    CarePlanAction.objects.filter(pk=action.pk).update(
        status=CarePlanAction.Status.DONE, completed_at=timezone.now()
    )
    action.refresh_from_db()

    assert action.status_in_words == f"Done {date_format(timezone.localdate(), 'j M Y')}"


def test_mark_done_on_the_team_list_moves_it_to_done_with_reopen(client, nurse, action, team_a):
    client.force_login(nurse)
    team_list = f"/care-plans/teams/{team_a.code}/actions/"

    page = client.post(
        f"/care-plans/actions/{action.pk}/", {"do": "done", "next": team_list}, follow=True
    )

    body = page.content.decode()
    assert f"Marked done: {RAILS}. Done by mistake? Reopen it under" in body
    done_table = body.split("Done in the last 7 days", 1)[1]
    assert RAILS in done_table
    assert _done_today_by("Jo Smith") in done_table
    assert 'value="reopen">Reopen' in done_table


def test_my_actions_lists_what_i_marked_done_with_reopen(client, nurse, action):
    actions.close_action(by=nurse, action=action, status=CarePlanAction.Status.DONE)
    client.force_login(nurse)

    body = client.get("/care-plans/my-actions/").content.decode()

    done_table = body.split("Done in the last 7 days", 1)[1]
    assert _done_today_by("Jo Smith") in done_table
    assert 'value="reopen">Reopen' in done_table


def test_done_a_week_ago_has_left_the_lists(client, nurse, action, team_a):
    actions.close_action(by=nurse, action=action, status=CarePlanAction.Status.DONE)
    eight_days_ago = timezone.now() - timedelta(days=8)
    CarePlanAction.objects.filter(pk=action.pk).update(completed_at=eight_days_ago)
    client.force_login(nurse)

    for url in ("/care-plans/my-actions/", f"/care-plans/teams/{team_a.code}/actions/"):
        assert RAILS not in client.get(url).content.decode(), url


def test_reopen_puts_the_action_back_to_do_and_is_audited(client, nurse, action, person_a):
    actions.close_action(by=nurse, action=action, status=CarePlanAction.Status.DONE)
    client.force_login(nurse)

    page = client.post(
        f"/care-plans/actions/{action.pk}/", {"do": "reopen", "next": "/"}, follow=True
    )

    assert f"Reopened: {RAILS}" in page.content.decode()
    action.refresh_from_db()
    assert action.status == CarePlanAction.Status.OPEN
    assert action.completed_at is None and action.completed_by is None
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.CARE_PLAN_ACTION, detail__contains="reopened"
    )
    assert event.actor == nurse and event.person == person_a
    assert event.detail == f"action {action.pk} reopened, was {_done_today_by('Jo Smith')}"
    mine = client.get("/care-plans/my-actions/").content.decode()
    assert 'value="done">Mark done' in mine.split("Actions you own", 1)[1]


def test_reopen_by_someone_without_a_relationship_is_refused(client, nurse, action, team_b):
    actions.close_action(by=nurse, action=action, status=CarePlanAction.Status.DONE)
    stranger = factories.staff(Role.DISTRICT_NURSE, teams=[team_b])
    client.force_login(stranger)

    assert _post(client, action, "reopen").status_code == 403

    action.refresh_from_db()
    assert action.status == CarePlanAction.Status.DONE
    with pytest.raises(PermissionError):
        actions.reopen_action(by=stranger, action=action)


def test_the_owner_may_reopen_after_done_ends_their_relationship(team_b, person_a):
    # Owning an open action is the relationship; once done, ownership still lets them undo.
    owner = factories.staff(Role.DISTRICT_NURSE, teams=[team_b])
    plan = factories.care_plan(person=person_a, key_worker=factories.staff(teams=[]))
    action = factories.care_plan_action(plan=plan, owner=owner)
    actions.close_action(by=owner, action=action, status=CarePlanAction.Status.DONE)

    assert actions.reopen_action(by=owner, action=action).status == CarePlanAction.Status.OPEN


def test_only_a_done_action_on_a_current_plan_reopens(nurse, action, person_a):
    actions.close_action(by=nurse, action=action, status=CarePlanAction.Status.CANCELLED)
    with pytest.raises(ValidationError, match="Only an action marked done can be reopened"):
        actions.reopen_action(by=nurse, action=action)

    other = factories.care_plan_action(plan=action.plan, owner=nurse)
    actions.close_action(by=nurse, action=other, status=CarePlanAction.Status.DONE)
    actions.end_plan(by=nurse, plan=action.plan, reason="Moved away")
    with pytest.raises(ValidationError, match="This care plan has ended"):
        actions.reopen_action(by=nurse, action=other)


def _vcs_action(nurse, team, person):
    """(worker, plan, action): a voluntary sector worker's action on the nurse's plan."""
    vcs = factories.organisation(kind=Organisation.Kind.VCS)
    worker = factories.staff(Role.VCS_WORKER, teams=[team], organisation_=vcs)
    plan = factories.care_plan(person=person, key_worker=nurse)
    return worker, plan, factories.care_plan_action(plan=plan, owner=worker)


def test_a_vcs_action_does_not_reopen_once_consent_no_longer_covers_vcs(nurse, team_a, person_a):
    worker, plan, action = _vcs_action(nurse, team_a, person_a)
    actions.close_action(by=worker, action=action, status=CarePlanAction.Status.DONE)
    actions.withdraw_consent(by=nurse, plan=plan, reason="Changed their mind")

    with pytest.raises(ValidationError, match="not agreed to share their plan with the vol"):
        actions.reopen_action(by=nurse, action=action)


def test_a_cancelled_action_on_withdrawal_says_who_withdrew(nurse, team_a, person_a):
    _, plan, action = _vcs_action(nurse, team_a, person_a)

    actions.withdraw_consent(by=nurse, plan=plan, reason="Changed their mind")

    action.refresh_from_db()
    assert action.completed_by == nurse
    assert action.status_in_words.endswith("by Jo Smith")


def test_team_list_offers_no_mark_done_to_who_may_not_change_it(client, team_a, team_b, person_b):
    # In team A's queue, claimed by a colleague; the person belongs to team B.
    colleague = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    plan = factories.care_plan(person=person_b, key_worker=factories.staff(teams=[team_b]))
    factories.care_plan_action(
        plan=plan, owner=colleague, owner_team=team_a, description="Book the hoist"
    )
    member = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    client.force_login(member)

    body = client.get(f"/care-plans/teams/{team_a.code}/actions/").content.decode()

    assert "Book the hoist" in body
    assert 'value="done">Mark done' not in body


def test_an_open_action_has_no_completer(nurse, action):
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlanAction.objects.filter(pk=action.pk).update(completed_by=nurse)


def test_open_actions_keep_mark_done_beside_recently_done_ones(client, nurse, action, team_a):
    done = factories.care_plan_action(plan=action.plan, owner=nurse, description="Order a stool")
    actions.close_action(by=nurse, action=done, status=CarePlanAction.Status.DONE)
    client.force_login(nurse)

    for url in ("/care-plans/my-actions/", f"/care-plans/teams/{team_a.code}/actions/"):
        body = client.get(url).content.decode()
        still_open, recently_done = body.split("Done in the last 7 days", 1)
        assert f'value="done">Mark done<span class="nhsuk-u-visually-hidden">: {RAILS}' in (
            still_open
        ), url
        assert 'value="reopen"' not in still_open, url
        assert "Order a stool" in recently_done and 'value="reopen"' in recently_done, url
