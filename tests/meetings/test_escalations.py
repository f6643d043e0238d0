"""Escalations move micro -> intermediate -> macro; the level above answers and sends
them back; the trail shows where each stands."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from joinedcare.meetings import actions
from joinedcare.meetings.models import Escalation, Level, Meeting
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(gp, tap_lead, practice_a):
    person = factories.person(practice=practice_a)
    meeting = factories.meeting(chair=gp, unit=practice_a)
    item = actions.add_person(by=gp, meeting=meeting, person=person, reason="Lives alone")
    actions.escalate(by=gp, item=item, kind="support", summary="Needs social care review")
    item.refresh_from_db()
    return item.escalation_raised


def test_escalating_from_a_practice_mdt_sends_it_to_the_team_lead(raised, tap_lead, team_a):
    assert raised.level == Level.INTERMEDIATE and raised.team == team_a
    assert raised.status == Escalation.Status.OPEN and raised.owner == tap_lead
    assert [s.move for s in raised.steps.all()] == ["raised"]


def test_team_mdt_escalates_to_the_locality_meeting(raised, tap_lead, team_a, locality_manager):
    team_mdt = factories.meeting(chair=tap_lead, level=Level.INTERMEDIATE, unit=team_a)
    actions.build_agenda(by=tap_lead, meeting=team_mdt)
    item = team_mdt.items.get(escalation=raised)

    actions.escalate(by=tap_lead, item=item, kind="support", summary="No home care capacity")

    raised.refresh_from_db()
    assert raised.level == Level.MACRO and raised.owner == locality_manager
    assert [(s.from_level, s.to_level) for s in raised.steps.all()] == [
        ("micro", "intermediate"),
        ("intermediate", "macro"),
    ]
    locality_meeting = factories.meeting(
        chair=locality_manager, level=Level.MACRO, unit=team_a.locality
    )
    actions.build_agenda(by=locality_manager, meeting=locality_meeting)
    assert locality_meeting.items.get().escalation == raised


def test_level_above_answers_and_sends_it_back_down(raised, tap_lead, gp, locality_manager):
    actions.escalate_further(by=tap_lead, escalation=raised, note="Commissioning gap")

    actions.answer_escalation(
        by=locality_manager, escalation=raised, answer="Extra home care hours agreed"
    )
    raised.refresh_from_db()
    assert (raised.level, raised.status) == (Level.INTERMEDIATE, Escalation.Status.ANSWERED)
    assert raised.owner == gp  # back with whoever raised it
    with pytest.raises(ValidationError):
        actions.answer_escalation(by=tap_lead, escalation=raised, answer="again")

    actions.close_escalation(by=gp, escalation=raised, note="Done")
    raised.refresh_from_db()
    assert raised.status == Escalation.Status.CLOSED
    assert [s.move for s in raised.steps.all()] == ["raised", "escalated", "answered", "closed"]


def test_team_answers_a_practice_escalation_back_to_the_practice(raised, tap_lead, practice_a):
    actions.answer_escalation(by=tap_lead, escalation=raised, answer="Social worker allocated")
    raised.refresh_from_db()
    assert (raised.level, raised.unit) == (Level.MICRO, practice_a)


def test_only_the_unit_above_answers(raised, practice_a, team_b):
    outsider = factories.staff(teams=[team_b])
    with pytest.raises(PermissionError):
        actions.answer_escalation(by=outsider, escalation=raised, answer="x")
    with pytest.raises(PermissionError):
        actions.escalate_further(by=outsider, escalation=raised, note="x")


def test_answer_needs_text(raised, tap_lead):
    with pytest.raises(ValidationError) as error:
        actions.answer_escalation(by=tap_lead, escalation=raised, answer=" ")
    assert "answer" in error.value.message_dict


def test_locality_meeting_is_the_top(locality_manager, team_a):
    meeting = factories.meeting(chair=locality_manager, level=Level.MACRO, unit=team_a.locality)
    with pytest.raises(ValidationError):
        actions.raise_issue(by=locality_manager, meeting=meeting, kind="commissioning", summary="x")


def test_team_raises_a_commissioning_issue_to_the_locality(tap_lead, team_a, locality_manager):
    meeting = factories.meeting(chair=tap_lead, level=Level.INTERMEDIATE, unit=team_a)
    issue = actions.raise_issue(
        by=tap_lead,
        meeting=meeting,
        kind="commissioning",
        summary="No sitting service in the Dales at weekends",
    )
    assert issue.person is None and issue.level == Level.MACRO and issue.owner == locality_manager


def test_database_requires_a_unit_for_the_level(gp):
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(
            kind="support", summary="x", level="macro", owner=gp, raised_by=gp
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            level="micro", held_on="2026-04-01", chair=gp, created_by=gp, team=factories.team()
        )
