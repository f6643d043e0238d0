"""Demo County's operations history: 18 months of SPA, services, D2A and care plan records.

The demo's few live referrals happen today; the operations metrics need months of history
inside the snapshot's months (the extract ends on the manifest's `extract_date`) to draw SPC
charts. This seeds, from a fixed seed, referrals triaged and started, episodes of the
catalogue's services (some extended beyond 6 weeks, each extension with its reason, who and
when, as the assessment team records it; outcomes at the end, 91-day follow-ups after
reablement or rehabilitation from hospital), the capacity the episodes fill, Discharge to
Assess cases with some delays, and care plans for some of the latest case list's people, with
reviews on time and late and actions some overdue.

It writes with bulk_create, not the apps' actions: the actions refuse dates in the past (their
job is today's work), and the demo must stay quick. So these records have no audit events;
they are marked by HISTORY_REFERRER and written once (a second run finds them and stops).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from joinedcare.careplans.models import CarePlan, CarePlanAction, CarePlanVersion, Goal
from joinedcare.caselists.models import CaseListEntry, PublishedRun
from joinedcare.discharge.models import DischargeCase
from joinedcare.organisations.models import Organisation
from joinedcare.people.models import Person
from joinedcare.referrals import clock
from joinedcare.referrals.models import Referral, SinglePointOfAccess
from joinedcare.services.models import (
    FOLLOW_UP_DAYS,
    MAX_DAYS,
    Episode,
    Extension,
    Service,
    ServiceDay,
)
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import Role

HISTORY_REFERRER = "Demo history"
MONTHS = 18
SEED = 20160401
REFERRALS_PER_WEEK = 28
D2A_PER_WEEK = 7
CARE_PLANS = 400
# Goals in the person's words (a plan is agreed only with at least one): (text, self-care).
GOALS = (
    ("Get to the shop on my own again", False),
    ("Sleep through the night without falling", False),
    ("Do my exercises every morning", True),
    ("See my granddaughter on Sundays", False),
    ("Take my tablets from the dosette box myself", True),
)
# Why a stay went on past 6 weeks, taken in turn (as the goals are, not from `rng`).
EXTENSION_REASONS = (
    "Waiting for the package of care to start: the agency has no carers until next week",
    "Stair rail being fitted next week; not yet safe on the stairs alone",
    "Still improving with therapy: two more weeks to walk to the shop",
    "The main carer is in hospital; no one at home to help until they are discharged",
    "Leg ulcer not yet healed: the district nurse reviews it weekly",
)
LONDON = ZoneInfo("Europe/London")
HOME = (
    Episode.Outcome.HOME_NO_SUPPORT,
    Episode.Outcome.HOME_REDUCED_SUPPORT,
    Episode.Outcome.HOME_ONGOING_SUPPORT,
)
# An episode that ran ends with one of these; a cancelled one never ran.
OTHER_OUTCOMES = [o for o in Episode.Outcome.values if o not in (*HOME, Episode.Outcome.CANCELLED)]


def extract_date(county_dir: Path) -> date:
    """The last day of the county's extract (the snapshot's months end there)."""
    manifest = json.loads((county_dir / "manifest.json").read_text())
    return date.fromisoformat(manifest["extract_date"])


def _extension_asked(start: date, n: int) -> datetime:
    """When the assessment team extended the n-th episode: in its sixth week, before the
    planned 6 weeks ran out, in their hours (from `n`, not `rng`: see EXTENSION_REASONS)."""
    day = start + timedelta(days=MAX_DAYS - 1 - n % 5)
    return datetime.combine(day, time(9 + n % 8, 15 * (n % 4)), tzinfo=LONDON)


def _at(day: date, rng: random.Random, hours: tuple[int, int] = (0, 24)) -> datetime:
    minute = rng.randrange(hours[0] * 60, hours[1] * 60)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=LONDON)


@transaction.atomic
def seed_history(users: list[StaffUser], county_dir: Path, *, seed: int = SEED) -> dict:
    """Write the history once; returns how many records of each kind (empty when present)."""
    spa = SinglePointOfAccess.objects.filter(kind=SinglePointOfAccess.Kind.ADULTS).first()
    if spa is None or Referral.objects.filter(referrer_name=HISTORY_REFERRER).exists():
        return {}
    by_role = {u.role: u for u in users}
    end = extract_date(county_dir)
    month = end.year * 12 + end.month - MONTHS  # 18 whole months, ending with the extract's
    first = date(month // 12, month % 12 + 1, 1)
    rng = random.Random(seed)
    people = list(
        Person.objects.filter(practice__team__locality__place=spa.place, date_of_death=None)
        .filter(date_of_birth__lt=date(first.year - 18, 1, 1))
        .order_by("pk")
        .values_list("pk", "date_of_birth")
    )
    if not people:
        return {}
    older = [pk for pk, born in people if born < date(first.year - 65, 1, 1)] or [people[0][0]]
    counts = Counter()
    episodes = _referrals_and_episodes(spa, by_role, older, first, end, rng, counts)
    _capacity(spa, episodes, first, end, counts)
    _discharges(spa, by_role, older, first, end, rng, counts)
    _care_plans(by_role, [pk for pk, _ in people], first, end, rng, counts)
    return dict(counts)


def _referrals_and_episodes(spa, by_role, people, first, end, rng, counts) -> list[Episode]:
    coordinator, assessor = by_role[Role.SPA_COORDINATOR], by_role[Role.ASSESSOR]
    services = list(Service.objects.filter(place=spa.place))
    # The extract ends with last month; what should have ended by today has ended.
    today, now = clock.today(), clock.now()
    referrals, plans = [], []
    day = first
    while day <= end:
        for _ in range(rng.randrange(REFERRALS_PER_WEEK - 6, REFERRALS_PER_WEEK + 6) // 7 + 1):
            received = _at(day, rng)
            # Triage waits for the assessment team's hours (8am-8pm).
            wait = timedelta(minutes=rng.randrange(15, 240))
            if not 8 <= received.hour < 20:
                wait += timedelta(hours=(32 - received.hour) % 24)
            source = rng.choice(list(Referral.Source))
            referrals.append(
                Referral(
                    spa=spa,
                    person_id=rng.choice(people),
                    status=Referral.Status.CLOSED,
                    received_at=received,
                    received_by=coordinator,
                    received_out_of_hours=not 8 <= received.hour < 20,
                    referrer_source=source,
                    referrer_name=HISTORY_REFERRER,
                    reason="Struggling at home",
                    urgency=rng.choice(list(Referral.Urgency)),
                    medically_stable=True,
                    consent_to_share=True,
                    triaged_at=received + wait,
                    triaged_by=assessor,
                    closed_at=min(received + timedelta(days=70), now),
                    closed_reason="Every service has ended",
                )
            )
            plans.append(rng.random() < 0.75)
        day += timedelta(days=1)
    Referral.objects.bulk_create(referrals)
    counts["referrals"] = len(referrals)
    episodes = []
    for referral, gets_service in zip(referrals, plans, strict=True):
        if not gets_service or not services:
            continue
        service = rng.choice(services)
        start = referral.received_at.date() + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5]))
        length = rng.choice([14, 21, 28, 35, 40, 42, 42]) if rng.random() < 0.85 else 56
        ended = start + timedelta(days=length)
        follow_up = service.kind in Service.FOLLOWED_UP_KINDS and referral.from_hospital
        due = start + timedelta(days=FOLLOW_UP_DAYS) if follow_up else None
        # A stay past 6 weeks was extended in its sixth week; one whose sixth week is still
        # to come has not been yet, and is planned for 6 weeks.
        extended = length > MAX_DAYS and _extension_asked(start, len(episodes)) <= now
        episodes.append(
            Episode(
                referral=referral,
                person_id=referral.person_id,
                service=service,
                start=start,
                planned_end=start + timedelta(days=length if extended else MAX_DAYS),
                extended=extended,
                started_by=referral.triaged_by,
                created_at=referral.triaged_at,
                ended_on=ended if ended < today else None,
                outcome=(rng.choice(HOME) if rng.random() < 0.8 else rng.choice(OTHER_OUTCOMES))
                if ended < today
                else "",
                follow_up_due=due,
                still_at_home=(rng.random() < 0.86) if due and due < today else None,
                follow_up_recorded_at=_at(due, rng, (9, 17)) if due and due < today else None,
            )
        )
    Episode.objects.bulk_create(episodes)
    counts["episodes"] = len(episodes)
    _extensions(episodes, assessor, counts)
    # A referral with a service still running today is allocated, not closed.
    running = {e.referral_id for e in episodes if e.ended_on is None}
    Referral.objects.filter(pk__in=running).update(
        status=Referral.Status.ALLOCATED, closed_at=None, closed_reason=""
    )
    return episodes


def _extensions(episodes: list[Episode], assessor: StaffUser, counts: Counter) -> None:
    """Each extended episode's extension, as `extend_episode` writes it: from the planned 6
    weeks to the new end, with a reason, by the assessment team, before the 6 weeks ran
    out (pages and counts read these rows, not the episode's flag)."""
    extensions = [
        Extension(
            episode=e,
            previous_end=e.start + timedelta(days=MAX_DAYS),
            new_end=e.planned_end,
            reason=EXTENSION_REASONS[n % len(EXTENSION_REASONS)],
            by=assessor,
            at=_extension_asked(e.start, n),
        )
        for n, e in enumerate(episodes)
        if e.extended
    ]
    Extension.objects.bulk_create(extensions)
    counts["extensions"] = len(extensions)


def _capacity(spa, episodes, first, end, counts) -> None:
    """Each service's capacity every day, and what its episodes filled (as booking does:
    from the start to the day before the planned end, released the day after it ended)."""
    filled: Counter = Counter()
    for e in episodes:
        last = min(e.planned_end - timedelta(days=1), e.ended_on or e.planned_end)
        day = e.start
        while day <= last:
            filled[(e.service_id, day)] += e.amount
            day += timedelta(days=1)
    catalogue = {s.pk: s for s in Service.objects.filter(place=spa.place)}
    from .spa import CATALOGUE

    capacity = {name: cap for _, name, _, _, cap in CATALOGUE}
    have = set(
        ServiceDay.objects.filter(service__in=catalogue, day__range=(first, end)).values_list(
            "service_id", "day"
        )
    )
    rows, day = [], first
    while day <= end:
        for pk, service in catalogue.items():
            if (pk, day) not in have:
                used = filled[(pk, day)]
                cap = max(capacity.get(service.name, 10) // 4, used)
                rows.append(ServiceDay(service=service, day=day, capacity=cap, filled=used))
        day += timedelta(days=1)
    ServiceDay.objects.bulk_create(rows, batch_size=2_000)
    counts["service_days"] = len(rows)
    # Days after the extract (the demo SPA publishes from today) hold the episodes still
    # running: a bed someone is in is not free.
    for published in ServiceDay.objects.filter(service__in=catalogue, day__gt=end):
        used = filled[(published.service_id, published.day)]
        if used:
            published.filled += used
            published.capacity = max(published.capacity, published.filled)
            published.save(update_fields=["filled", "capacity"])


def _discharges(spa, by_role, people, first, end, rng, counts) -> None:
    """Discharge to Assess cases, each with its referral to the SPA as a live case has (the
    coordinator's tracking page counts cases by their referral's access point)."""
    hospital = Organisation.objects.filter(kind=Organisation.Kind.ACUTE_TRUST).first()
    if hospital is None:
        return
    coordinator, assessor = by_role[Role.SPA_COORDINATOR], by_role[Role.ASSESSOR]
    referrals, cases, day = [], [], first
    # Each case's steps run up to 12 days past its fit date: all of them in the past.
    while day <= min(end, clock.today() - timedelta(days=14)):
        for _ in range(rng.randrange(0, 3) if day.weekday() < 5 else rng.randrange(0, 2)):
            fit = _at(day, rng, (8, 18))
            allocated = fit + timedelta(hours=rng.choice([2, 5, 20, 30]))
            assessed = allocated + timedelta(days=rng.choice([0, 1, 1, 2, 3, 6]), hours=2)
            started = assessed + timedelta(days=rng.choice([0, 0, 1, 1, 2, 4]), hours=1)
            person, ward = rng.choice(people), f"Ward {rng.randrange(1, 20)}"
            referrals.append(
                Referral(
                    spa=spa,
                    person_id=person,
                    status=Referral.Status.CLOSED,
                    received_at=fit,
                    received_by=coordinator,
                    referrer_source=Referral.Source.HOSPITAL_WARD,
                    referrer_name=HISTORY_REFERRER,
                    referrer_organisation=f"{hospital.name}, {ward}",
                    reason="Medically fit for discharge, to be assessed at home",
                    urgency=Referral.Urgency.TODAY,
                    medically_stable=True,
                    consent_to_share=True,
                    triaged_at=allocated,
                    triaged_by=assessor,
                    closed_at=started,
                    closed_reason="Assessed at home; services started",
                )
            )
            cases.append(
                DischargeCase(
                    hospital=hospital,
                    ward=ward,
                    person_id=person,
                    recorded_by=coordinator,
                    medically_fit_at=fit,
                    trusted_assessor=assessor,
                    assessor_allocated_at=allocated,
                    assessed_at=assessed,
                    services_started_at=started,
                    assessment_late_reason="Waiting for a package of care",
                    services_late_reason="Equipment delivery",
                )
            )
        day += timedelta(days=1)
    Referral.objects.bulk_create(referrals)
    for referral, case in zip(referrals, cases, strict=True):
        case.referral = referral
    DischargeCase.objects.bulk_create(cases)
    counts["d2a_cases"] = len(cases)


def _care_plans(by_role, people, first, end, rng, counts) -> None:
    """Plans for some of the latest case list's people (or of anyone, before a case list),
    started through the months: reviews agreed on time or late, actions done or overdue."""
    run = PublishedRun.objects.order_by("-published_at", "-id").first()
    chosen = []
    if run is not None:
        listed = CaseListEntry.objects.filter(run=run).values_list("pseudonym", flat=True)
        chosen = list(
            Person.objects.filter(pseudonym__in=list(listed), care_plans=None).values_list(
                "pk", flat=True
            )
        )
    chosen = chosen or people
    chosen = rng.sample(chosen, min(CARE_PLANS, len(chosen)))
    worker = by_role.get(Role.DISTRICT_NURSE) or by_role[Role.SPA_COORDINATOR]
    span = (end - first).days
    starts = [first + timedelta(days=rng.randrange(span)) for _ in chosen]
    plans = [
        CarePlan(person_id=pk, started_at=_at(day, rng, (9, 17)), started_by=worker)
        for pk, day in zip(chosen, starts, strict=True)
    ]
    CarePlan.objects.bulk_create(plans)
    versions, actions = [], []
    for plan in plans:
        agreed, number = plan.started_at, 1
        while True:
            review = agreed.date() + timedelta(days=rng.choice([60, 90, 90, 120]))
            late = rng.random() < 0.25
            shift = rng.randrange(5, 40) if late else -rng.randrange(0, 10)
            next_at = _at(review + timedelta(days=shift), rng, (9, 17))
            done = next_at.date() <= end
            versions.append(
                CarePlanVersion(
                    plan=plan, number=number, what_matters="Staying in my own home",
                    contingency="Call the district nurse", review_date=review, key_worker=worker,
                    agreed_at=agreed, agreed_by=worker, superseded_at=next_at if done else None,
                )
            )  # fmt: skip
            for _ in range(rng.randrange(1, 3)):
                created = agreed + timedelta(days=rng.randrange(0, 5))
                due = created.date() + timedelta(days=rng.choice([7, 14, 28]))
                finished = created + timedelta(days=rng.randrange(3, 50))
                closed = finished.date() <= end and rng.random() < 0.85
                actions.append(
                    CarePlanAction(
                        plan=plan, description="Check the stairs rail", owner=worker, due=due,
                        status="done" if closed else "open", created_at=created,
                        created_by=worker, completed_at=finished if closed else None,
                        completed_by=worker if closed else None,
                    )
                )  # fmt: skip
            if not done:
                break
            agreed, number = next_at, number + 1
    CarePlanVersion.objects.bulk_create(versions)
    # Two goals a version, taken in turn (not from `rng`, whose draws the rest of the history
    # follows).
    Goal.objects.bulk_create(
        Goal(
            version=v,
            text=GOALS[(i + k) % len(GOALS)][0],
            self_care=GOALS[(i + k) % len(GOALS)][1],
            order=k,
        )
        for i, v in enumerate(versions)
        for k in range(2)
    )
    CarePlanAction.objects.bulk_create(actions)
    counts.update(care_plans=len(plans), care_plan_versions=len(versions), actions=len(actions))
