"""One place of a service per person at a time; an extension needs no capacity published
for its first day (a new episode does); a start in a mistyped year is named as such."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from joinedcare.services import actions
from joinedcare.services.models import Episode, ServiceDay
from tests import factories
from tests.services.conftest import MORNING

TODAY = date(2026, 1, 14)


def _service(spa, days: int = 50):
    service = factories.service(place=spa.place, name="Intermediate care beds")
    ServiceDay.objects.bulk_create(
        ServiceDay(service=service, day=TODAY + timedelta(days=i), capacity=5) for i in range(days)
    )
    return service


def test_the_same_service_twice_at_once_is_refused_and_holds_one_place(at, assessor, spa):
    # Sent again from a reloaded page, the bed had been booked twice: "17 free" became 15.
    at(MORNING)
    service, referral = _service(spa), factories.referral(spa=spa)
    actions.allocate_service(by=assessor, referral=referral, service=service, start=TODAY)
    with pytest.raises(ValidationError) as refused:
        actions.allocate_service(by=assessor, referral=referral, service=service, start=TODAY)
    assert refused.value.message_dict["service"] == [
        "Intermediate care beds is already allocated from 14 January 2026 to 25 February 2026: "
        "extend or end that episode instead"
    ]
    assert Episode.objects.count() == 1
    assert ServiceDay.objects.get(service=service, day=TODAY).free == 4


def test_the_same_service_after_the_first_ends_is_allowed(at, assessor, spa):
    at(MORNING)
    service, referral = _service(spa, days=100), factories.referral(spa=spa)
    actions.allocate_service(by=assessor, referral=referral, service=service, start=TODAY)
    later = TODAY + timedelta(days=42)
    second = actions.allocate_service(by=assessor, referral=referral, service=service, start=later)
    assert second.start == later


def test_an_extension_weeks_before_the_end_is_booked_without_its_days_published(at, assessor, spa):
    # Capacity published for 3 weeks only: an extension was refused ("No capacity is
    # published ... on 25 February") until the episode's last week.
    at(MORNING)
    service, referral = _service(spa, days=21), factories.referral(spa=spa)
    episode = actions.allocate_service(by=assessor, referral=referral, service=service, start=TODAY)
    new_end = episode.planned_end + timedelta(days=14)
    actions.extend_episode(by=assessor, episode=episode, new_end=new_end, reason="Stair rail")
    episode.refresh_from_db()
    assert episode.planned_end == new_end
    # Published later, the extension's days count it.
    day = episode.planned_end - timedelta(days=1)
    row = actions.set_capacity(by=assessor, service=service, day=day, capacity=3)
    assert row.filled == 1


def test_a_start_in_a_mistyped_year_says_so(at, assessor, spa):
    at(MORNING)
    with pytest.raises(ValidationError) as refused:
        actions.allocate_service(
            by=assessor,
            referral=factories.referral(spa=spa),
            service=_service(spa),
            start=date(3026, 1, 14),
        )
    assert refused.value.message_dict["start"] == [
        "The start date is more than a year ahead: check the year"
    ]
