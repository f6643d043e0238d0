from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from joinedcare.access.rules import decide
from joinedcare.audit.models import AuditEvent
from joinedcare.referrals import actions as referral_actions
from joinedcare.referrals.models import Referral
from joinedcare.services import actions
from joinedcare.services.actions import PlaceGone
from joinedcare.services.models import Episode, Extension, Service, ServiceDay
from joinedcare.staff.roles import Role
from tests import factories
from tests.services.conftest import MORNING, NIGHT

TODAY = date(2026, 1, 14)


def _service(spa, kind=Service.Kind.REABLEMENT, capacity=2, days=50, unit="beds"):
    service = factories.service(place=spa.place, kind=kind, unit=unit)
    ServiceDay.objects.bulk_create(
        ServiceDay(service=service, day=TODAY + timedelta(days=i), capacity=capacity)
        for i in range(days)
    )
    return service


def _free(service, day=TODAY):
    return ServiceDay.objects.get(service=service, day=day).free


def test_allocation_starts_a_six_week_episode_and_fills_capacity(at, assessor, spa):
    at(MORNING)
    service = _service(spa)
    referral = factories.referral(spa=spa)
    episode = actions.allocate_service(by=assessor, referral=referral, service=service, start=TODAY)
    assert episode.planned_end == TODAY + timedelta(days=42)
    assert episode.planned_weeks == 6
    assert _free(service) == 1
    assert _free(service, TODAY + timedelta(days=41)) == 1
    assert _free(service, TODAY + timedelta(days=42)) == 2
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ALLOCATED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SERVICE_ALLOCATED).exists()


def test_allocation_beyond_six_weeks_is_refused_naming_planned_end(at, assessor, spa):
    at(MORNING)
    with pytest.raises(ValidationError) as error:
        actions.allocate_service(
            by=assessor,
            referral=factories.referral(spa=spa),
            service=_service(spa),
            start=TODAY,
            planned_end=TODAY + timedelta(days=43),
        )
    assert "planned_end" in error.value.message_dict
    assert not Episode.objects.exists()


def test_database_refuses_more_than_six_weeks_without_extension(db):
    start = date(2026, 1, 14)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.episode(start=start, planned_end=start + timedelta(days=43))
    assert factories.episode(start=start, planned_end=start + timedelta(days=42)).pk
    assert factories.episode(start=start, planned_end=start + timedelta(days=60), extended=True)


def test_database_refuses_ended_episode_without_outcome(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.episode(ended_on=date(2026, 2, 1))


def test_database_refuses_negative_or_overfilled_capacity(db):
    service = factories.service()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.service_day(service=service, capacity=1, filled=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceDay.objects.create(service=service, day=TODAY, capacity=-1)


def test_database_refuses_extension_without_reason(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.extension(reason="")


def test_last_bed_second_booking_is_told_the_bed_has_gone(at, assessor, spa):
    at(MORNING)
    service = _service(spa, capacity=1)
    actions.allocate_service(
        by=assessor, referral=factories.referral(spa=spa), service=service, start=TODAY
    )
    with pytest.raises(PlaceGone) as error:
        actions.allocate_service(
            by=assessor, referral=factories.referral(spa=spa), service=service, start=TODAY
        )
    assert "The bed has gone" in error.value.message_dict["service"][0]
    assert Episode.objects.count() == 1
    assert _free(service) == 0


def test_full_day_later_in_the_span_refuses_the_whole_booking(at, assessor, spa):
    at(MORNING)
    service = _service(spa, capacity=1)
    ServiceDay.objects.filter(service=service, day=TODAY + timedelta(days=10)).update(capacity=0)
    with pytest.raises(PlaceGone):
        actions.allocate_service(
            by=assessor, referral=factories.referral(spa=spa), service=service, start=TODAY
        )
    assert sum(d.filled for d in ServiceDay.objects.filter(service=service)) == 0


def test_out_of_hours_coordinator_commissions_a_bed_and_referral_waits(at, coordinator, spa):
    at(NIGHT)
    service = _service(spa, kind=Service.Kind.INTERMEDIATE_CARE_BED)
    referral = factories.referral(spa=spa, status=Referral.Status.NEW)
    episode = actions.allocate_service(
        by=coordinator, referral=referral, service=service, start=TODAY
    )
    referral.refresh_from_db()
    assert episode.commissioned_out_of_hours
    assert referral.status == Referral.Status.NEW


def test_out_of_hours_only_beds_and_sitting(at, coordinator, spa):
    at(NIGHT)
    with pytest.raises(ValidationError) as error:
        actions.allocate_service(
            by=coordinator,
            referral=factories.referral(spa=spa),
            service=_service(spa, kind=Service.Kind.REABLEMENT),
            start=TODAY,
        )
    assert "service" in error.value.message_dict


def test_coordinator_in_hours_leaves_allocation_to_the_assessment_team(at, coordinator, spa):
    at(MORNING)
    with pytest.raises(PermissionError):
        actions.allocate_service(
            by=coordinator,
            referral=factories.referral(spa=spa),
            service=_service(spa, kind=Service.Kind.INTERMEDIATE_CARE_BED),
            start=TODAY,
        )


def test_morning_triage_sees_the_out_of_hours_episode(at, coordinator, assessor, spa):
    at(NIGHT)
    referral = factories.referral(spa=spa, status=Referral.Status.NEW)
    episode = actions.allocate_service(
        by=coordinator,
        referral=referral,
        service=_service(spa, kind=Service.Kind.SITTING, unit="hours_per_week"),
        start=TODAY,
    )
    at(MORNING)
    referral_actions.triage(by=assessor, referral=referral, decision="assess", assessor=assessor)
    episode.refresh_from_db()
    assert episode.reviewed_in_triage_at == MORNING


def test_gp_bed_request_is_confirmed_by_the_spa(at, coordinator, spa):
    at(MORNING)
    referral = factories.referral(spa=spa, requested_service=Service.Kind.GP_BED)
    episode = actions.allocate_service(
        by=coordinator, referral=referral, service=_service(spa, kind="gp_bed"), start=TODAY
    )
    assert episode.service.kind == Service.Kind.GP_BED


def test_lead_worker_sees_the_person_while_the_episode_is_open(at, assessor, spa):
    at(MORNING)
    lead = factories.staff(Role.THERAPIST)
    referral = factories.referral(spa=spa)
    episode = actions.allocate_service(
        by=assessor, referral=referral, service=_service(spa), start=TODAY, lead=lead
    )
    assert decide(lead, referral.person).basis == "lead worker of the person's open episode"
    actions.end_episode(by=assessor, episode=episode, ended_on=TODAY, outcome="home_no_support")
    assert not decide(lead, referral.person).allowed


def test_extension_without_reason_is_refused_and_with_reason_counted(at, assessor, spa):
    at(MORNING)
    service = _service(spa, days=60)
    episode = actions.allocate_service(
        by=assessor, referral=factories.referral(spa=spa), service=service, start=TODAY
    )
    new_end = episode.planned_end + timedelta(days=7)
    with pytest.raises(ValidationError) as error:
        actions.extend_episode(by=assessor, episode=episode, new_end=new_end, reason="  ")
    assert "reason" in error.value.message_dict
    assert _free(service, new_end - timedelta(days=1)) == 2
    actions.extend_episode(
        by=assessor, episode=episode, new_end=new_end, reason="Awaiting adaptations"
    )
    episode.refresh_from_db()
    assert episode.extended and episode.planned_end == new_end
    assert Extension.objects.filter(episode=episode).count() == 1
    assert _free(service, new_end - timedelta(days=1)) == 1


def test_ending_releases_the_place_and_closes_the_referral(at, assessor, spa):
    at(MORNING)
    service = _service(spa)
    referral = factories.referral(spa=spa)
    episode = actions.allocate_service(by=assessor, referral=referral, service=service, start=TODAY)
    at(MORNING + timedelta(days=10))
    ended = TODAY + timedelta(days=10)
    actions.end_episode(
        by=assessor, episode=episode, ended_on=ended, outcome="home_reduced_support"
    )
    assert _free(service, ended) == 1
    assert _free(service, ended + timedelta(days=1)) == 2
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED


def test_end_needs_a_known_outcome(at, assessor, spa):
    at(MORNING)
    episode = factories.episode(referral=factories.referral(spa=spa), start=TODAY)
    with pytest.raises(ValidationError) as error:
        actions.end_episode(by=assessor, episode=episode, ended_on=TODAY, outcome="better")
    assert "outcome" in error.value.message_dict


def test_set_capacity_never_below_filled(at, assessor, spa):
    at(MORNING)
    service = _service(spa, capacity=1)
    actions.allocate_service(
        by=assessor, referral=factories.referral(spa=spa), service=service, start=TODAY
    )
    with pytest.raises(ValidationError) as error:
        actions.set_capacity(by=assessor, service=service, day=TODAY, capacity=0)
    assert "capacity" in error.value.message_dict
    row = actions.set_capacity(
        by=assessor, service=service, day=TODAY + timedelta(days=60), capacity=3
    )
    assert (row.filled, row.free) == (0, 3)


def test_set_capacity_counts_episodes_already_running_on_a_new_day(at, assessor, spa):
    at(MORNING)
    service = _service(spa, capacity=2, days=5)
    actions.allocate_service(
        by=assessor, referral=factories.referral(spa=spa), service=service, start=TODAY
    )
    row = actions.set_capacity(
        by=assessor, service=service, day=TODAY + timedelta(days=20), capacity=2
    )
    assert row.filled == 1


def test_follow_up_due_91_days_after_hospital_discharge_into_reablement(at, assessor, spa):
    at(MORNING)
    referral = factories.referral(spa=spa, referrer_source=Referral.Source.HOSPITAL_WARD)
    episode = actions.allocate_service(
        by=assessor, referral=referral, service=_service(spa), start=TODAY
    )
    assert episode.follow_up_due == TODAY + timedelta(days=91)
    with pytest.raises(ValidationError):
        actions.record_follow_up(by=assessor, episode=episode, still_at_home=True)
    at(MORNING + timedelta(days=91))
    actions.record_follow_up(by=assessor, episode=episode, still_at_home=True)
    episode.refresh_from_db()
    assert episode.still_at_home is True


def test_no_follow_up_for_a_gp_referral(at, assessor, spa):
    at(MORNING)
    episode = actions.allocate_service(
        by=assessor, referral=factories.referral(spa=spa), service=_service(spa), start=TODAY
    )
    assert episode.follow_up_due is None


def test_week_of_six(db):
    episode = factories.episode(start=date(2026, 1, 14))
    assert episode.week_on(date(2026, 1, 14)) == 1
    assert episode.week_on(date(2026, 1, 21)) == 2
    assert episode.week_on(date(2026, 2, 24)) == 6


@pytest.mark.parametrize(
    ("days_ahead", "capacity", "field", "message"),
    [
        (-1, 3, "day", "Capacity can be published for today or later"),
        (400, 3, "day", "Capacity can be published up to a year ahead"),
        (1, 99_999_999, "capacity", "Capacity is more than 10,000 a day: check the number"),
    ],
)
def test_capacity_for_the_past_far_future_or_a_slip_of_the_keys_is_refused(
    at, assessor, spa, days_ahead, capacity, field, message
):
    at(MORNING)
    service = _service(spa, capacity=1)
    with pytest.raises(ValidationError) as error:
        actions.set_capacity(
            by=assessor, service=service, day=TODAY + timedelta(days=days_ahead), capacity=capacity
        )
    assert error.value.message_dict == {field: [message]}
    assert actions.set_capacity(by=assessor, service=service, day=TODAY, capacity=2).capacity == 2
