from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from joinedcare.access.rules import decide, people_visible_to
from joinedcare.audit.models import AuditEvent
from joinedcare.referrals import actions
from joinedcare.referrals.models import Referral
from joinedcare.staff.roles import Role
from tests import factories
from tests.referrals.conftest import MORNING, NIGHT


def _receive(by, spa, person, **fields):
    story = {
        "referrer_source": Referral.Source.GP,
        "referrer_name": "Dr Ahmed",
        "reason": "Fell twice this week, lives alone",
        "urgency": Referral.Urgency.TODAY,
        "medically_stable": True,
        "consent_to_share": True,
        **fields,
    }
    return actions.receive_referral(by=by, spa=spa, person=person, **story)


def test_referral_at_3am_waits_as_new_for_the_morning(at, coordinator, spa):
    at(NIGHT)
    referral = _receive(coordinator, spa, factories.person())
    assert referral.status == Referral.Status.NEW
    assert referral.received_out_of_hours


def test_referral_in_hours_joins_the_triage_queue(at, coordinator, spa):
    at(MORNING)
    referral = _receive(coordinator, spa, factories.person())
    assert referral.status == Referral.Status.AWAITING_TRIAGE
    assert not referral.received_out_of_hours


def test_assessment_hours_are_configurable_per_place(at, coordinator):
    late_spa = factories.spa(
        staff=[coordinator], assessment_opens=time(7), assessment_closes=time(22)
    )
    at(MORNING.replace(hour=21))
    assert _receive(coordinator, late_spa, factories.person()).status == "awaiting_triage"


def test_assessment_hours_constraint_opens_before_closes(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.spa(assessment_opens=time(20), assessment_closes=time(8))


def test_referral_is_audited_with_the_person(at, coordinator, spa):
    at(MORNING)
    person = factories.person()
    referral = _receive(coordinator, spa, person)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REFERRAL_RECEIVED)
    assert (event.person, event.actor) == (person, coordinator)
    assert str(referral.pk) in event.detail


def test_second_open_referral_is_flagged_and_linked_not_merged(at, coordinator, spa):
    at(MORNING)
    person = factories.person()
    first = _receive(coordinator, spa, person)
    second = _receive(coordinator, spa, person, reason="Daughter worried about falls")
    assert second.pk != first.pk
    assert second.possible_duplicate_of == first
    assert first.reason != second.reason
    assert Referral.objects.filter(person=person).count() == 2


def test_referral_after_a_closed_one_is_not_a_duplicate(at, coordinator, assessor, spa):
    at(MORNING)
    person = factories.person()
    first = _receive(coordinator, spa, person)
    actions.close_referral(by=assessor, referral=first, reason="Moved away")
    assert _receive(coordinator, spa, person).possible_duplicate_of is None


def test_referral_needs_a_role_that_takes_referrals(at, spa):
    at(MORNING)
    with pytest.raises(PermissionError):
        _receive(factories.staff(Role.ANALYST), spa, factories.person())


def test_referral_invalid_choice_is_named_and_nothing_saved(at, coordinator, spa):
    at(MORNING)
    with pytest.raises(ValidationError) as error:
        _receive(coordinator, spa, factories.person(), urgency="whenever")
    assert "urgency" in error.value.message_dict
    assert not Referral.objects.exists()


def test_referral_blank_reason_refused_by_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.referral(reason="")


def test_closed_referral_needs_closing_time_in_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.referral(status=Referral.Status.CLOSED)


def test_find_or_create_person_creates_then_finds(coordinator):
    details = {
        "nhs_number": factories.unused_nhs_number(),
        "given_name": "Edith",
        "family_name": "Crawley",
        "date_of_birth": date(1938, 5, 2),
        "sex": "female",
    }
    made, created = actions.find_or_create_person(by=coordinator, **details)
    found, again = actions.find_or_create_person(by=coordinator, **details)
    assert (created, again, found) == (True, False, made)


def test_find_or_create_person_refuses_a_different_date_of_birth(coordinator):
    person = factories.person()
    with pytest.raises(ValidationError) as error:
        actions.find_or_create_person(
            by=coordinator,
            nhs_number=person.nhs_number,
            given_name="X",
            family_name="Y",
            date_of_birth=date(1999, 1, 1),
            sex="male",
        )
    assert "date_of_birth" in error.value.message_dict


def test_triage_out_of_hours_waits_for_the_morning(at, assessor, spa):
    at(NIGHT)
    referral = factories.referral(spa=spa, status=Referral.Status.NEW)
    with pytest.raises(ValidationError) as error:
        actions.triage(by=assessor, referral=referral, decision="assess", assessor=assessor)
    assert "decision" in error.value.message_dict


def test_triage_allocates_an_assessor_who_then_sees_the_person(at, assessor, spa):
    at(MORNING)
    other = factories.staff(Role.THERAPIST)
    referral = factories.referral(spa=spa)
    assert not decide(other, referral.person).allowed
    actions.triage(by=assessor, referral=referral, decision="assess", assessor=other)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.AWAITING_ASSESSMENT
    assert decide(other, referral.person).basis == "allocated to the person's referral"


def test_triage_needs_an_assessor_named(at, assessor, spa):
    at(MORNING)
    with pytest.raises(ValidationError) as error:
        actions.triage(by=assessor, referral=factories.referral(spa=spa), decision="assess")
    assert "assessor" in error.value.message_dict


def test_relationship_ends_when_the_referral_closes(at, assessor, spa):
    at(MORNING)
    other = factories.staff(Role.THERAPIST)
    referral = factories.referral(spa=spa)
    actions.triage(by=assessor, referral=referral, decision="assess", assessor=other)
    actions.close_referral(by=assessor, referral=referral, reason="Done")
    assert not decide(other, referral.person).allowed
    assert not decide(factories.staff(Role.SPA_COORDINATOR), referral.person).allowed
    assert referral.person not in people_visible_to(other)


def test_spa_staff_see_people_with_open_referrals_at_their_spa_only(coordinator, spa):
    mine = factories.referral(spa=spa)
    elsewhere = factories.referral()
    assert decide(coordinator, mine.person).allowed
    assert not decide(coordinator, elsewhere.person).allowed


def test_assessment_records_the_assessors_organisation(at, assessor, spa):
    at(MORNING)
    referral = factories.referral(spa=spa)
    assessment = actions.record_assessment(
        by=assessor,
        referral=referral,
        needs="Help to wash",
        strengths="Determined",
        networks="Son visits daily",
        proposed_services=["reablement"],
    )
    assert assessment.assessor_organisation == assessor.organisation
    assert assessment.trusted_assessment
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ASSESSMENT_RECORDED).exists()


def test_assessment_needs_needs(at, assessor, spa):
    at(MORNING)
    with pytest.raises(ValidationError) as error:
        actions.record_assessment(by=assessor, referral=factories.referral(spa=spa), needs=" ")
    assert "needs" in error.value.message_dict


def test_assessment_blank_needs_refused_by_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.assessment(needs="")
