"""What a referral's urgency asks of the Single Point of Access: how soon it must respond,
and so the order its queues are worked in and which referrals are overdue.

The response times are read from the urgency labels the referrer chose from ("Immediate
(within 2 hours)", "Within 2 days"), so the words on the form and the times kept here
cannot drift apart. "Today" is due by the end of the day the referral arrived; a
routine referral has no response time and is never overdue.

The SPA responds by triaging, or out of hours by commissioning a bed or sitting service
(which the morning triage then reviews): a referral waits for a response while it is new
or awaiting triage with nothing commissioned, and the clock stops at the first of these.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Case, IntegerField, QuerySet, Value, When

from . import clock
from .models import Referral

# A response time said in a label: "within 2 hours", "Within 2 days".
_WITHIN = re.compile(r"\bwithin (\d+) (hour|day)s?\b", re.IGNORECASE)

AWAITING_RESPONSE = (Referral.Status.NEW, Referral.Status.AWAITING_TRIAGE)


def _response_time(label: str) -> timedelta | None:
    found = _WITHIN.search(label)
    if found is None:
        return None
    return timedelta(**{f"{found[2].lower()}s": int(found[1])})


# Urgency -> how long the SPA has to respond, for the urgencies whose label says so.
RESPONSE_TIMES: dict[str, timedelta] = {
    urgency: within
    for urgency in Referral.Urgency
    if (within := _response_time(urgency.label)) is not None
}


def most_urgent_first(referrals: QuerySet) -> QuerySet:
    """The referrals in the order a queue is worked: by urgency (the order `Urgency`
    declares them, most urgent first), then the longest waiting first."""
    rank = Case(
        *(When(urgency=urgency, then=Value(i)) for i, urgency in enumerate(Referral.Urgency)),
        output_field=IntegerField(),
    )
    return referrals.order_by(rank, "received_at", "id")


def response_due(referral: Referral) -> datetime | None:
    """When the SPA should have responded by; None for an urgency without a response
    time (routine)."""
    if referral.urgency == Referral.Urgency.TODAY:
        # By midnight at the end of the local day it arrived (Europe/London, so a day
        # that changes the clocks is still a calendar day).
        arrived = clock.local(referral.received_at)
        return datetime.combine(arrived.date() + timedelta(days=1), time(0), arrived.tzinfo)
    within = RESPONSE_TIMES.get(referral.urgency)
    return None if within is None else referral.received_at + within


def overdue_by(referral: Referral, now: datetime) -> timedelta | None:
    """How long past its response time a referral still waiting for a response is; None
    when it is not overdue (in time, already triaged or closed, a service commissioned
    for it, or routine). Reads `referral.episodes`: prefetch them for a list."""
    if referral.status not in AWAITING_RESPONSE:
        return None
    due = response_due(referral)
    if due is None or now <= due or referral.episodes.all():
        return None
    return now - due


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def in_words(span: timedelta) -> str:
    """A wait in words, to the minute, in its two largest units: "1 hour 20 minutes",
    "2 days 3 hours", "45 minutes", "less than a minute"."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        parts = [_count(days, "day"), _count(hours, "hour") if hours else ""]
    elif hours:
        parts = [_count(hours, "hour"), _count(minutes, "minute") if minutes else ""]
    else:
        parts = [_count(minutes, "minute") if minutes else "less than a minute"]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class QueueRow:
    """A referral on a queue, with how long it is overdue in words ("" when it is not)."""

    referral: Referral
    overdue: str


def queue_rows(referrals, now: datetime) -> list[QueueRow]:
    """The rows of a queue page at `now`, in the order given."""
    rows = []
    for referral in referrals:
        late = overdue_by(referral, now)
        rows.append(QueueRow(referral, in_words(late) if late is not None else ""))
    return rows
