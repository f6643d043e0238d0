"""An episode that has not started can be cancelled, giving back every place it held; one
that has started is ended with its outcome."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from joinedcare.audit.models import AuditEvent
from joinedcare.referrals.models import Referral
from joinedcare.services import actions
from joinedcare.services.models import Episode, ServiceDay
from tests import factories
from tests.services.conftest import MORNING

TODAY = date(2026, 1, 14)
NEXT_WEEK = TODAY + timedelta(days=7)


@pytest.fixture
def booked(at, assessor, spa):
    """A sitting service booked to start next week."""
    at(MORNING)
    service = factories.service(place=spa.place, name="Sitting service")
    ServiceDay.objects.bulk_create(
        ServiceDay(service=service, day=TODAY + timedelta(days=i), capacity=3) for i in range(60)
    )
    referral = factories.referral(spa=spa)
    return actions.allocate_service(
        by=assessor, referral=referral, service=service, start=NEXT_WEEK
    )


def test_cancelling_before_the_start_gives_back_every_place(assessor, booked):
    # It had been impossible: "cannot be before the start", then "cannot be in the future";
    # the place stayed taken for 6 weeks.
    cancelled = actions.end_episode(
        by=assessor,
        episode=booked,
        ended_on=TODAY,
        outcome=Episode.Outcome.CANCELLED,
        note="Admitted to hospital last night",
    )
    assert cancelled.get_outcome_display() == "Cancelled before it started"
    assert not ServiceDay.objects.filter(service=booked.service, filled__gt=0).exists()
    referral = Referral.objects.get(pk=booked.referral_id)
    assert referral.status == Referral.Status.AWAITING_ASSESSMENT  # open, waiting again
    event = AuditEvent.objects.get(action=AuditEvent.Action.EPISODE_ENDED)
    assert event.detail == "Sitting service from 21 January 2026 cancelled before it started"
    # The audit's own words fit a cancellation and a booking for a later day.
    assert event.get_action_display() == "Episode ended or cancelled"
    booking = AuditEvent.objects.get(action=AuditEvent.Action.SERVICE_ALLOCATED)
    assert booking.get_action_display() == "Service allocated (episode booked)"


def test_cancelling_needs_a_reason(assessor, booked):
    with pytest.raises(ValidationError) as refused:
        actions.end_episode(
            by=assessor, episode=booked, ended_on=TODAY, outcome=Episode.Outcome.CANCELLED
        )
    assert refused.value.message_dict["note"] == ["Say why the episode is cancelled"]
    assert ServiceDay.objects.get(service=booked.service, day=NEXT_WEEK).filled == 1


def test_a_started_episode_is_ended_not_cancelled(at, assessor, booked):
    at(MORNING + timedelta(days=8))
    with pytest.raises(ValidationError) as refused:
        actions.end_episode(
            by=assessor,
            episode=booked,
            ended_on=NEXT_WEEK + timedelta(days=1),
            outcome=Episode.Outcome.CANCELLED,
            note="Changed plan",
        )
    assert refused.value.message_dict["outcome"] == [
        "This episode started on 21 January 2026: end it with its outcome instead of cancelling it"
    ]


def test_ending_before_the_start_says_to_cancel(assessor, booked):
    with pytest.raises(ValidationError) as refused:
        actions.end_episode(
            by=assessor, episode=booked, ended_on=TODAY, outcome=Episode.Outcome.OTHER
        )
    assert "choose “Cancelled before it started”" in refused.value.message_dict["ended_on"][0]


def test_the_page_says_cancelled_not_ended(client, assessor, booked):
    # "Episode ended." and "Ended 14 Jan 2026" for an episode starting on 21 January.
    client.force_login(assessor)
    prefix = f"end-{booked.referral_id}"
    page = client.post(
        f"/people/{booked.person.public_id}/spa/end/",
        {
            "episode": booked.pk,
            f"{prefix}-ended_on": "14/01/2026",
            f"{prefix}-outcome": "cancelled",
            f"{prefix}-note": "Admitted to hospital",
        },
        follow=True,
    ).content.decode()
    assert "Sitting service cancelled before it started: its places are given back." in page
    assert "Cancelled on 14 Jan 2026, before it started" in page
    assert "Ended 14 Jan 2026" not in page


def test_allocating_for_a_later_day_says_when_it_starts(client, at, assessor, spa):
    # "Service allocated: episode started." was said of an episode starting next week.
    at(MORNING)
    service = factories.service(place=spa.place, name="Sitting service")
    ServiceDay.objects.create(service=service, day=NEXT_WEEK, capacity=1)
    referral = factories.referral(spa=spa)
    client.force_login(assessor)
    prefix = f"allocate-{referral.pk}"
    page = client.post(
        f"/people/{referral.person.public_id}/spa/allocate/",
        {"referral": referral.pk, f"{prefix}-service": service.pk, f"{prefix}-start": "21/01/2026"},
        follow=True,
    ).content.decode()
    assert "Sitting service allocated: it starts on 21 January 2026." in page
