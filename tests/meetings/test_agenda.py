"""Agendas build themselves from the case list, the SPA, care plan reviews and
escalations, and stay editable."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedcare.audit.models import AuditEvent
from joinedcare.caselists.models import CaseListEntry
from joinedcare.meetings import actions, agenda, spa
from joinedcare.meetings.models import AgendaItem, Level
from tests import factories

pytestmark = pytest.mark.django_db


def _people(meeting):
    return [
        (i.person_id, i.source) for i in meeting.items.filter(withdrawn=False).order_by("position")
    ]


def test_first_practice_mdt_takes_the_published_list_highest_rank_first(gp, practice_a, publish):
    # It took the whole list; now at most NEW_ENTRANTS_PER_MEETING, and a list of two fits
    # (test_new_entrants.py covers longer lists).
    high, low = (factories.person(practice=practice_a) for _ in range(2))
    elsewhere = factories.person()
    publish([(high, 0.9), (low, 0.4), (elsewhere, 0.8)])
    meeting = factories.meeting(chair=gp, unit=practice_a)

    new = actions.build_agenda(by=gp, meeting=meeting)

    assert _people(meeting) == [(high.pk, "case list"), (low.pk, "case list")]
    assert "rank 1" in new[0].reason
    meeting.refresh_from_db()
    assert meeting.case_list_run is not None and meeting.agenda_built_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MDT_AGENDA, person=high).exists()


def test_next_mdt_takes_only_people_not_yet_discussed(gp, practice_a, publish):
    # "New" was "not on the last meeting's list"; it is now "not yet on an agenda while
    # listed", so `stays`, discussed at the first meeting, is not new at the second.
    stays, arrives = (factories.person(practice=practice_a) for _ in range(2))
    publish([(stays, 0.9)])
    first = factories.meeting(chair=gp, unit=practice_a, held_on=date(2026, 4, 1))
    actions.build_agenda(by=gp, meeting=first)
    publish([(stays, 0.9), (arrives, 0.7)])
    second = factories.meeting(chair=gp, unit=practice_a, held_on=date(2026, 5, 1))

    actions.build_agenda(by=gp, meeting=second)

    assert _people(second) == [(arrives.pk, "case list")]


def test_nothing_new_when_no_list_was_published_since(gp, practice_a, publish):
    someone = factories.person(practice=practice_a)
    publish([(someone, 0.9)])
    first = factories.meeting(chair=gp, unit=practice_a, held_on=date(2026, 4, 1))
    actions.build_agenda(by=gp, meeting=first)
    second = factories.meeting(chair=gp, unit=practice_a, held_on=date(2026, 5, 1))

    assert actions.build_agenda(by=gp, meeting=second) == []


def test_building_twice_adds_nothing_and_withdrawn_items_stay_off(gp, practice_a, publish):
    a, b = (factories.person(practice=practice_a) for _ in range(2))
    publish([(a, 0.9), (b, 0.5)])
    meeting = factories.meeting(chair=gp, unit=practice_a)
    actions.build_agenda(by=gp, meeting=meeting)
    actions.withdraw_item(by=gp, item=meeting.items.get(person=a))

    assert actions.build_agenda(by=gp, meeting=meeting) == []
    assert _people(meeting) == [(b.pk, "case list")]


def test_people_removed_from_the_case_list_do_not_come_back(gp, practice_a, publish):
    a = factories.person(practice=practice_a)
    publish([(a, 0.9)])
    first = factories.meeting(chair=gp, unit=practice_a, held_on=date(2026, 4, 1))
    actions.build_agenda(by=gp, meeting=first)
    actions.remove_from_case_list(
        by=gp, item=first.items.get(), reason="Moved into a care home with its own GP"
    )
    publish([(a, 0.9)])
    # A new run the person is in again: the removal still holds.
    CaseListEntry.objects.all().update(new_entrant=True)
    second = factories.meeting(chair=gp, unit=practice_a, held_on=date(2026, 5, 1))
    second.case_list_run = None

    assert actions.build_agenda(by=gp, meeting=second) == []
    actions.add_person(by=gp, meeting=second, person=a, reason="Daughter worried")
    assert _people(second) == [(a.pk, "added by hand")]


def test_removal_needs_a_reason(gp, practice_a, publish):
    a = factories.person(practice=practice_a)
    publish([(a, 0.9)])
    meeting = factories.meeting(chair=gp, unit=practice_a)
    actions.build_agenda(by=gp, meeting=meeting)
    with pytest.raises(ValidationError) as error:
        actions.remove_from_case_list(by=gp, item=meeting.items.get(), reason=" ")
    assert "reason" in error.value.message_dict


def test_care_plans_due_for_review_are_on_the_practice_agenda(gp, nurse, practice_a):
    due = factories.person(practice=practice_a)
    later = factories.person(practice=practice_a)
    factories.care_plan(person=due, key_worker=nurse, review_date=date.today() + timedelta(3))
    factories.care_plan(person=later, key_worker=nurse, review_date=date.today() + timedelta(60))
    meeting = factories.meeting(chair=gp, unit=practice_a)

    actions.build_agenda(by=gp, meeting=meeting)

    assert _people(meeting) == [(due.pk, "care plan review")]


def test_people_added_by_hand_need_a_relationship_and_a_reason(gp, practice_a, person_b):
    meeting = factories.meeting(chair=gp, unit=practice_a)
    mine = factories.person(practice=practice_a)
    with pytest.raises(PermissionError):
        actions.add_person(by=gp, meeting=meeting, person=person_b, reason="x")
    with pytest.raises(ValidationError):
        actions.add_person(by=gp, meeting=meeting, person=mine, reason="")
    actions.add_person(by=gp, meeting=meeting, person=mine, reason="Carer has had a fall")
    with pytest.raises(ValidationError) as error:
        actions.add_person(by=gp, meeting=meeting, person=mine, reason="again")
    assert "nhs_number" in error.value.message_dict


def test_only_members_build_the_agenda(gp, practice_a, nurse):
    meeting = factories.meeting(chair=gp, unit=practice_a)
    with pytest.raises(PermissionError):
        actions.build_agenda(by=nurse, meeting=meeting)


def test_open_spa_referrals_are_on_the_practice_agenda(gp, practice_a):
    """Through issue 4's own action when its app is installed (it is in settings)."""
    assert spa.referrals_installed()
    from joinedcare.referrals import actions as referrals
    from joinedcare.referrals.models import SinglePointOfAccess

    person = factories.person(practice=practice_a)
    point = SinglePointOfAccess.objects.create(place=practice_a.team.locality.place, name="SPA")
    referrals.receive_referral(
        by=gp,
        spa=point,
        person=person,
        referrer_source="gp",
        referrer_name="Dr Shah",
        reason="Falls at home",
        urgency="routine",
        medically_stable=True,
        consent_to_share=True,
    )
    meeting = factories.meeting(chair=gp, unit=practice_a)

    actions.build_agenda(by=gp, meeting=meeting)

    item = meeting.items.get()
    assert (item.person, item.source) == (person, "SPA referral or episode")
    assert item.reason.startswith("Open SPA referral")


def test_team_agenda_has_escalations_and_the_most_vulnerable(
    gp, tap_lead, practice_a, team_a, publish
):
    frail = factories.person(practice=practice_a)
    fit = factories.person(practice=practice_a)
    publish([(frail, 0.9), (fit, 0.3)])
    CaseListEntry.objects.filter(pseudonym=frail.pseudonym).update(efi_category="severe")
    practice_mdt = factories.meeting(chair=gp, unit=practice_a)
    actions.build_agenda(by=gp, meeting=practice_mdt)
    actions.escalate(
        by=gp,
        item=practice_mdt.items.get(person=fit),
        kind="support",
        summary="Needs a carers' assessment",
    )
    team_mdt = factories.meeting(chair=tap_lead, level=Level.INTERMEDIATE, unit=team_a)

    actions.build_agenda(by=tap_lead, meeting=team_mdt)

    assert _people(team_mdt) == [(fit.pk, "escalated"), (frail.pk, "most vulnerable")]
    assert team_mdt.items.get(person=fit).escalation.summary == "Needs a carers' assessment"


def test_registered_source_contributes_to_its_levels_only(gp, practice_a, tap_lead, team_a):
    someone = factories.person(practice=practice_a)
    agenda.register_source(
        "test source",
        lambda meeting: [agenda.Candidate("from a test", person_id=someone.pk)],
        levels=(Level.INTERMEDIATE,),
    )
    try:
        with pytest.raises(ValueError):
            agenda.register_source("test source", lambda m: [])
        practice_mdt = factories.meeting(chair=gp, unit=practice_a)
        team_mdt = factories.meeting(chair=tap_lead, level=Level.INTERMEDIATE, unit=team_a)
        actions.build_agenda(by=gp, meeting=practice_mdt)
        actions.build_agenda(by=tap_lead, meeting=team_mdt)
    finally:
        agenda.unregister_source("test source")
    assert _people(practice_mdt) == []
    assert _people(team_mdt) == [(someone.pk, "test source")]


def test_outcome_is_recorded_once(gp, practice_a):
    person = factories.person(practice=practice_a)
    meeting = factories.meeting(chair=gp, unit=practice_a)
    item = actions.add_person(by=gp, meeting=meeting, person=person, reason="Worried")

    actions.record_no_action(by=gp, item=item, note="Stable")
    with pytest.raises(ValidationError):
        actions.record_no_action(by=gp, item=item)
    item.refresh_from_db()
    assert item.outcome == AgendaItem.Outcome.NO_ACTION


def test_spa_referral_outcome_creates_the_referral(client, gp, practice_a):
    from joinedcare.referrals.models import Referral, SinglePointOfAccess

    SinglePointOfAccess.objects.create(place=practice_a.team.locality.place, name="County SPA")
    person = factories.person(practice=practice_a)
    meeting = factories.meeting(chair=gp, unit=practice_a)
    item = actions.add_person(by=gp, meeting=meeting, person=person, reason="Falls")

    actions.refer_to_spa(
        by=gp,
        item=item,
        reason="Reablement after falls",
        urgency="routine",
        medically_stable=True,
        consent_to_share=True,
    )

    referral = Referral.objects.get(person=person)
    item.refresh_from_db()
    assert item.outcome == AgendaItem.Outcome.SPA_REFERRAL
    assert f"referral {referral.pk}" in item.outcome_note
    # The SPA reads where it came from ("phone call or form" had been said).
    assert referral.channel == Referral.Channel.MDT
    client.force_login(gp)
    page = client.get(f"/people/{person.public_id}/spa/").content.decode()
    assert ", at an MDT meeting" in page and "phone call or form" not in page


def test_spa_referral_without_an_access_point_is_refused_and_not_recorded(gp, practice_a):
    person = factories.person(practice=practice_a)
    meeting = factories.meeting(chair=gp, unit=practice_a)
    item = actions.add_person(by=gp, meeting=meeting, person=person, reason="Falls")
    with pytest.raises(ValidationError) as error:
        actions.refer_to_spa(
            by=gp,
            item=item,
            reason="Reablement",
            urgency="routine",
            medically_stable=True,
            consent_to_share=True,
        )
    assert "reason" in error.value.message_dict
    item.refresh_from_db()
    assert item.outcome == ""


def test_a_short_term_service_on_the_agenda_says_the_year_it_ends(gp, practice_a):
    person = factories.person(practice=practice_a)
    # The referral closed when the service began: the episode is what is open.
    referral = factories.referral(person=person, status="closed", closed_at=timezone.now())
    episode = factories.episode(referral=referral, start=date(2026, 12, 1))
    meeting = factories.meeting(chair=gp, unit=practice_a)

    actions.build_agenda(by=gp, meeting=meeting)

    reason = meeting.items.get(person=person).reason
    # A 6-week service from 1 December ends in the next year: the day alone misleads.
    assert episode.planned_end == date(2027, 1, 12)
    assert reason == f"In a short-term service: {episode.service.name} until 12 January 2027"
