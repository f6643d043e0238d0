"""The SPA's queues are worked most urgent first, and say in words which referrals have
waited past their urgency's response time (the coordinator at 3am, the team at 10am)."""

import re
from datetime import datetime, timedelta

import pytest

from joinedcare.referrals import urgency
from joinedcare.referrals.clock import LONDON
from joinedcare.referrals.models import Referral
from joinedcare.services import actions as services
from joinedcare.services.models import Service, ServiceDay
from tests import factories
from tests.referrals.conftest import MORNING, NIGHT

Urgency = Referral.Urgency


def _rows(page: str) -> list[str]:
    """The queue table's body rows, as the text a reader sees (tags stripped)."""
    body = page.split('<tbody class="nhsuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows = body.split('<tr class="nhsuk-table__row">')[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def _refer(spa, family_name: str, *, waited: timedelta, now: datetime, **fields) -> Referral:
    person = factories.person(family_name=family_name)
    return factories.referral(spa=spa, person=person, received_at=now - waited, **fields)


def _queue(client, user, query: str = "") -> list[str]:
    client.force_login(user)
    return _rows(client.get(f"/spa/{query}").content.decode())


def _names_in_order(rows: list[str], names: list[str]) -> list[str]:
    return [next(n for n in names if n.upper() in row) for row in rows]


def test_queue_lists_the_most_urgent_first_then_the_longest_waiting(client, at, coordinator, spa):
    now = at(MORNING)
    # Arrived in an order that puts the immediate referrals last by time alone.
    _refer(spa, "Routine", urgency=Urgency.ROUTINE, waited=timedelta(days=3), now=now)
    _refer(spa, "Twodays", urgency=Urgency.TWO_DAYS, waited=timedelta(hours=20), now=now)
    _refer(spa, "Todaylong", urgency=Urgency.TODAY, waited=timedelta(hours=9), now=now)
    _refer(spa, "Todayshort", urgency=Urgency.TODAY, waited=timedelta(hours=1), now=now)
    _refer(spa, "Immlong", urgency=Urgency.IMMEDIATE, waited=timedelta(minutes=50), now=now)
    _refer(spa, "Immshort", urgency=Urgency.IMMEDIATE, waited=timedelta(minutes=5), now=now)
    names = ["Immlong", "Immshort", "Todaylong", "Todayshort", "Twodays", "Routine"]

    assert _names_in_order(_queue(client, coordinator), names) == names
    assert _names_in_order(_queue(client, coordinator, "?queue=awaiting_triage"), names) == names


def test_the_3am_new_queue_puts_the_immediate_referral_first(client, at, coordinator, spa):
    now = at(NIGHT)
    new = {"status": Referral.Status.NEW, "received_out_of_hours": True}
    _refer(spa, "Early", urgency=Urgency.TWO_DAYS, waited=timedelta(hours=4), now=now, **new)
    _refer(spa, "Late", urgency=Urgency.IMMEDIATE, waited=timedelta(minutes=10), now=now, **new)
    rows = _queue(client, coordinator, "?queue=new")
    assert _names_in_order(rows, ["Early", "Late"]) == ["Late", "Early"]


def test_a_referral_past_its_response_time_says_by_how_much(client, at, coordinator, spa):
    now = at(MORNING)  # 10:00 on Wednesday 14 January 2026
    _refer(
        spa, "Immlate", urgency=Urgency.IMMEDIATE, waited=timedelta(hours=3, minutes=20), now=now
    )
    _refer(spa, "Immintime", urgency=Urgency.IMMEDIATE, waited=timedelta(minutes=90), now=now)
    # "Today" means by the end of the day it arrived: yesterday's at 15:00 is 10 hours late.
    _refer(spa, "Yesterday", urgency=Urgency.TODAY, waited=timedelta(hours=19), now=now)
    _refer(spa, "Twodays", urgency=Urgency.TWO_DAYS, waited=timedelta(days=3, hours=2), now=now)
    _refer(spa, "Routine", urgency=Urgency.ROUTINE, waited=timedelta(days=30), now=now)
    rows = {
        name: row
        for row in _queue(client, coordinator)
        for name in ("Immlate", "Immintime", "Yesterday", "Twodays", "Routine")
        if name.upper() in row
    }
    assert "Immediate (within 2 hours) Overdue by 1 hour 20 minutes" in rows["Immlate"]
    assert "Today Overdue by 10 hours" in rows["Yesterday"]
    assert "Within 2 days Overdue by 1 day 2 hours" in rows["Twodays"]
    for in_time in ("Immintime", "Routine"):
        assert "Overdue" not in rows[in_time]


def test_a_triaged_referral_is_no_longer_overdue(client, at, coordinator, spa):
    now = at(MORNING)
    triaged = {"status": Referral.Status.AWAITING_ASSESSMENT, "triaged_at": now}
    _refer(spa, "Triaged", urgency=Urgency.IMMEDIATE, waited=timedelta(hours=5), now=now, **triaged)
    (row,) = _queue(client, coordinator)
    assert "TRIAGED" in row and "Overdue" not in row


def test_response_times_are_read_from_the_urgency_labels():
    # "Today" is the end of the day and routine has none: neither is a fixed span.
    read = urgency.RESPONSE_TIMES
    assert read == {Urgency.IMMEDIATE: timedelta(hours=2), Urgency.TWO_DAYS: timedelta(days=2)}


def test_today_is_due_at_midnight_local_time_even_when_the_clocks_change(db):
    # The clocks went forward at 01:00 on Sunday 29 March 2026: that day has 23 hours.
    received = datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)
    referral = factories.referral(
        urgency=Urgency.TODAY, received_at=received, status=Referral.Status.AWAITING_TRIAGE
    )
    assert urgency.response_due(referral) == datetime(2026, 3, 30, 0, 0, tzinfo=LONDON)
    five_past = datetime(2026, 3, 30, 0, 5, tzinfo=LONDON)
    assert urgency.overdue_by(referral, five_past) == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(seconds=30), "less than a minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=45), "45 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=1, minutes=20, seconds=59), "1 hour 20 minutes"),
        (timedelta(days=1, minutes=7), "1 day"),
        (timedelta(days=2, hours=3, minutes=7), "2 days 3 hours"),
    ],
)
def test_a_wait_in_words(span, words):
    assert urgency.in_words(span) == words


def test_a_bed_commissioned_at_night_stops_the_clock(client, at, coordinator, spa):
    # At 3am the coordinator's response to an immediate referral is the bed; the morning
    # queue must not call it 5 hours overdue while it waits for triage.
    night = at(NIGHT)
    new = {"status": Referral.Status.NEW, "received_out_of_hours": True}
    bedded = _refer(spa, "Bedded", urgency=Urgency.IMMEDIATE, waited=timedelta(0), now=night, **new)
    _refer(spa, "Waiting", urgency=Urgency.IMMEDIATE, waited=timedelta(0), now=night, **new)
    bed = factories.service(place=spa.place, kind=Service.Kind.INTERMEDIATE_CARE_BED)
    ServiceDay.objects.create(service=bed, day=night.date(), capacity=2)
    at(night + timedelta(minutes=40))
    services.allocate_service(by=coordinator, referral=bedded, service=bed, start=night.date())

    at(MORNING)
    (waiting,) = [r for r in _queue(client, coordinator) if "WAITING" in r]
    (commissioned,) = [r for r in _queue(client, coordinator) if "BEDDED" in r]
    assert "Overdue by 5 hours" in waiting
    assert "commissioned out of hours" in commissioned and "Overdue" not in commissioned
