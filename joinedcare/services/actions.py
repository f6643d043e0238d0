"""Capacity and episodes: each change with an actor, in one transaction, audited.

Booking is safe under concurrency without a table lock: one conditional UPDATE adds the
episode to every published day of its span only where a place is still free, and the
episode is refused (and everything rolled back) unless every day took it. Two
coordinators booking the last bed at once: the database makes the second UPDATE wait for
the first, re-reads the row, finds it full, and the second is told the bed has gone. The
`filled_at_most_capacity` constraint backs this up.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum

from joinedcare.audit.models import AuditEvent
from joinedcare.referrals import clock
from joinedcare.referrals.actions import close_referral
from joinedcare.referrals.models import Referral
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from .models import FOLLOW_UP_DAYS, MAX_DAYS, Episode, Extension, Service, ServiceDay

# More than any service offers in a day: a typing slip, not a plan.
MAX_CAPACITY = 10_000
# How far ahead capacity is published, and so a service may start.
PUBLISHED_AHEAD_DAYS = 366


class PlaceGone(ValidationError):
    """The service has no free place on a day of the episode (someone booked it first)."""


def _occupying(service: Service, day: date):
    """Open or ended episodes that hold a place on this day."""
    return Episode.objects.filter(service=service, start__lte=day, planned_end__gt=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day)
    )


@transaction.atomic
def set_capacity(*, by, service: Service, day: date, capacity: int) -> ServiceDay:
    """Publish (or change) a service's capacity on a date; never below what is filled."""
    if not has_permission(by, Permission.MANAGE_CAPACITY):
        raise PermissionError("Your role does not manage capacity.")
    if capacity < 0:
        raise ValidationError({"capacity": "Capacity cannot be negative"})
    if capacity > MAX_CAPACITY:
        raise ValidationError(
            {"capacity": f"Capacity is more than {MAX_CAPACITY:,} a day: check the number"}
        )
    # Past days are what happened (occupancy figures read them); a year ahead is a plan.
    today = clock.today()
    if day < today:
        raise ValidationError({"day": "Capacity can be published for today or later"})
    if day > today + timedelta(days=PUBLISHED_AHEAD_DAYS):
        raise ValidationError({"day": "Capacity can be published up to a year ahead"})
    filled = _occupying(service, day).aggregate(n=Sum("amount"))["n"] or 0
    if capacity < filled:
        raise ValidationError(
            {"capacity": f"{filled} already in use on {day:%-d %B %Y}: capacity cannot be less"}
        )
    row, _ = ServiceDay.objects.select_for_update().update_or_create(
        service=service, day=day, defaults={"capacity": capacity, "filled": filled}
    )
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.CAPACITY_CHANGED,
        purpose=AuditEvent.Purpose.OPERATIONS,
        detail=f"{service.name} on {day:%-d %B %Y}: {capacity} {service.get_unit_display()}",
    )
    return row


def _book(
    service: Service, first: date, until: date, amount: int, field: str, *, starts: bool = True
) -> None:
    """Take `amount` on every published day first <= day < until, or raise PlaceGone.

    A new episode (`starts`) needs its first day published: a service is not started on a
    day nobody has said it has room. An extension takes what is published of its weeks;
    days published later count it then (`set_capacity` never goes below what is filled)."""
    days = ServiceDay.objects.filter(service=service, day__gte=first, day__lt=until)
    if starts and not days.filter(day=first).exists():
        raise ValidationError(
            {field: f"No capacity is published for {service.name} on {first:%-d %B %Y}"}
        )
    wanted = days.count()
    took = days.filter(filled__lte=F("capacity") - amount).update(filled=F("filled") + amount)
    if took < wanted:
        full = days.filter(filled__gt=F("capacity") - amount).order_by("day").first()
        when = full.day if full else first
        what = "bed" if service.unit == Service.Unit.BEDS else "place"
        raise PlaceGone(
            {
                field: f"The {what} has gone: {service.name} has no free {what} on "
                f"{when:%-d %B %Y}. Choose another service or date."
            }
        )


def _release(episode: Episode, after: date, until: date) -> None:
    ServiceDay.objects.filter(service=episode.service, day__gt=after, day__lt=until).update(
        filled=F("filled") - episode.amount
    )


def works_at(user, referral: Referral) -> bool:
    """Whether `user` is on the staff of the access point the referral is at: a role that
    allocates elsewhere (a social worker at the children's access point) does not here."""
    return referral.spa.staff.filter(pk=user.pk).exists()


def _may_allocate(by, service: Service, referral: Referral, now) -> bool:
    """Whether this is an out-of-hours commission (True), an in-hours allocation (False),
    or refused (raises)."""
    if not works_at(by, referral):
        raise PermissionError(f"Only the staff of {referral.spa.name} allocate its services.")
    if has_permission(by, Permission.TRIAGE_REFERRALS) and referral.spa.in_hours(now):
        return False
    gp_bed = service.kind == Service.Kind.GP_BED and referral.requested_service == service.kind
    if has_permission(by, Permission.COMMISSION_OUT_OF_HOURS) and gp_bed:
        return not referral.spa.in_hours(now)
    if has_permission(by, Permission.COMMISSION_OUT_OF_HOURS) and not referral.spa.in_hours(now):
        if not service.commissionable_out_of_hours:
            raise ValidationError(
                {
                    "service": "Out of hours only an intermediate care bed or a sitting service "
                    "can be commissioned; other services wait for the assessment team"
                }
            )
        return True
    if has_permission(by, Permission.TRIAGE_REFERRALS):
        raise ValidationError(
            {
                "service": f"The assessment team works {referral.spa.hours_label}: "
                "this waits for the morning"
            }
        )
    raise PermissionError("Your role does not allocate services.")


def allocatable_services(*, by, referral: Referral, now=None):
    """The services `by` may allocate to the referral now, as `_may_allocate` allows: the
    form offers only these (none: no form). In hours the assessment team chooses from
    the whole catalogue; out of hours the SPA coordinator commissions a bed or sitting;
    a GP's GP bed request is confirmed at any hour."""
    now = now or clock.now()
    services = Service.objects.filter(place_id=referral.spa.place_id, active=True)
    services = services.select_related("provider")
    if not referral.is_open or not works_at(by, referral):
        return services.none()
    in_hours = referral.spa.in_hours(now)
    if has_permission(by, Permission.TRIAGE_REFERRALS) and in_hours:
        return services
    kinds: list[str] = []
    if has_permission(by, Permission.COMMISSION_OUT_OF_HOURS):
        kinds += [] if in_hours else list(Service.OUT_OF_HOURS_KINDS)
        if referral.requested_service == Service.Kind.GP_BED:
            kinds.append(Service.Kind.GP_BED)
    return services.filter(kind__in=kinds)


def _check_lead(lead) -> None:
    # The lead worker sees the person while the episode lasts: only a care role may.
    if lead is not None and not has_permission(lead, Permission.VIEW_PERSON_RECORD):
        raise ValidationError(
            {"lead": f"Choose a lead worker in a care role, not {lead} ({lead.role_label()})"}
        )


@transaction.atomic
def allocate_service(
    *,
    by,
    referral: Referral,
    service: Service,
    start: date,
    planned_end: date | None = None,
    lead=None,
    amount: int = 1,
) -> Episode:
    """Start an episode: service, provider, start and a planned end at most 6 weeks on.

    The SPA coordinator may commission an intermediate care bed or a sitting service out
    of hours; the referral then waits for the morning triage, which sees the episode."""
    now = clock.now()
    if not referral.is_open:
        raise ValidationError({"referral": "This referral is closed"})
    if service.place_id != referral.spa.place_id or not service.active:
        raise ValidationError({"service": "Choose a service of this place's catalogue"})
    if start < clock.today():
        raise ValidationError({"start": "The start date cannot be in the past"})
    if start > clock.today() + timedelta(days=PUBLISHED_AHEAD_DAYS):
        # Capacity is published at most a year ahead: a later start is a mistyped year.
        raise ValidationError({"start": "The start date is more than a year ahead: check the year"})
    planned_end = planned_end or start + timedelta(days=MAX_DAYS)
    if planned_end <= start:
        raise ValidationError({"planned_end": "The planned end must be after the start"})
    if planned_end > start + timedelta(days=MAX_DAYS):
        raise ValidationError(
            {"planned_end": "A service lasts at most 6 weeks; extend it later, with a reason"}
        )
    _check_lead(lead)
    out_of_hours = _may_allocate(by, service, referral, now)
    _check_not_already(referral.person, service, start, planned_end)
    _book(service, start, planned_end, amount, "service")
    follow_up = service.kind in Service.FOLLOWED_UP_KINDS and referral.from_hospital
    episode = Episode.objects.create(
        referral=referral,
        person=referral.person,
        service=service,
        start=start,
        planned_end=planned_end,
        amount=amount,
        lead=lead,
        commissioned_out_of_hours=out_of_hours,
        started_by=by,
        created_at=now,
        follow_up_due=start + timedelta(days=FOLLOW_UP_DAYS) if follow_up else None,
    )
    if not out_of_hours:
        referral.status = Referral.Status.ALLOCATED
        referral.save(update_fields=["status"])
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.SERVICE_ALLOCATED,
        person=referral.person,
        detail=f"referral {referral.pk}: {service.name} from {start:%-d %B %Y} "
        f"to {planned_end:%-d %B %Y}" + (", commissioned out of hours" if out_of_hours else ""),
    )
    return episode


def _check_not_already(person, service: Service, start: date, planned_end: date) -> None:
    """One person, one place of a service at a time: a second booking of the same bed (the
    form sent again from a reloaded page) would hold two places and list twice."""
    # Locked so two coordinators booking the same person at once see each other's episode.
    type(person).objects.select_for_update().filter(pk=person.pk).first()
    same = (
        Episode.objects.filter(person=person, service=service, ended_on=None)
        .filter(start__lt=planned_end, planned_end__gt=start)
        .first()
    )
    if same is not None:
        raise ValidationError(
            {
                "service": f"{service.name} is already allocated from {same.start:%-d %B %Y} "
                f"to {same.planned_end:%-d %B %Y}: extend or end that episode instead"
            }
        )


def latest_new_end(episode: Episode) -> date:
    """The latest end one extension may give: one more period of up to 6 weeks after the
    planned end (a longer stay is extended again, with its own reason)."""
    return episode.planned_end + timedelta(days=MAX_DAYS)


def _beyond(episode: Episode) -> str:
    """What an extension goes beyond, in words true of this episode: "beyond 6 weeks" only
    when 6 weeks is its plan; a plan of 4 weeks, or one already extended, says so."""
    days = (episode.planned_end - episode.start).days
    weeks = days // 7
    if days % 7:
        length = f"the planned end on {episode.planned_end:%-d %B %Y}"
    else:
        length = f"{weeks} week{'' if weeks == 1 else 's'}"
    return f"again, beyond {length}" if episode.extended else f"beyond {length}"


@transaction.atomic
def extend_episode(*, by, episode: Episode, new_end: date, reason: str) -> Extension:
    """Move an open episode's planned end later, by up to 6 weeks at a time: only with a
    reason, which is kept and counted."""
    if not has_permission(by, Permission.TRIAGE_REFERRALS):
        raise PermissionError("Only the assessment team extends episodes.")
    planned_end = episode.planned_end
    if not episode.is_open:
        ended = f"{episode.ended_on:%-d %B %Y}"
        raise ValidationError({"new_end": f"This episode ended on {ended}: it cannot be extended"})
    # Every problem at once: a missing reason and a date too far are fixed together.
    errors = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = f"Give the reason for extending {_beyond(episode)}"
    if new_end <= planned_end:
        earliest = planned_end + timedelta(days=1)
        errors["new_end"] = (
            f"The new end date must be after the planned end: {earliest:%-d %B %Y} at the earliest"
        )
    elif new_end > (latest := latest_new_end(episode)):
        errors["new_end"] = (
            "The new end date can be at most 6 weeks after the planned end: "
            f"{latest:%-d %B %Y} at the latest"
        )
    if errors:
        raise ValidationError(errors)
    _book(episode.service, planned_end, new_end, episode.amount, "new_end", starts=False)
    extension = Extension.objects.create(
        episode=episode,
        previous_end=planned_end,
        new_end=new_end,
        reason=reason,
        by=by,
        at=clock.now(),
    )
    episode.planned_end, episode.extended = new_end, True
    episode.save(update_fields=["planned_end", "extended"])
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.EPISODE_EXTENDED,
        person=episode.person,
        reason=reason,
        detail=f"{episode.service.name} extended from {planned_end:%-d %B %Y} "
        f"to {new_end:%-d %B %Y}",
    )
    return extension


@transaction.atomic
def end_episode(*, by, episode: Episode, ended_on: date, outcome: str, note: str = "") -> Episode:
    """End an episode with its outcome; the place is free from the next day. When the
    referral has no open episode left, it closes."""
    if not has_permission(by, Permission.TRIAGE_REFERRALS):
        raise PermissionError("Only the assessment team ends episodes.")
    if not episode.is_open:
        raise ValidationError({"outcome": "This episode has already ended"})
    if outcome not in Episode.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome"})
    if outcome == Episode.Outcome.CANCELLED:
        return _cancel(by, episode, note)
    if ended_on < episode.start:
        raise ValidationError(
            {
                "ended_on": "The end date cannot be before the start: an episode that has not "
                "started is cancelled (choose “Cancelled before it started”)"
            }
        )
    if ended_on > clock.today():
        raise ValidationError({"ended_on": "The end date cannot be in the future"})
    _release(episode, ended_on, episode.planned_end)
    episode.ended_on, episode.outcome, episode.outcome_note = ended_on, outcome, note.strip()
    episode.save(update_fields=["ended_on", "outcome", "outcome_note"])
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.EPISODE_ENDED,
        person=episode.person,
        detail=f"{episode.service.name} ended on {ended_on:%-d %B %Y}: "
        f"{episode.get_outcome_display().lower()}",
    )
    referral = episode.referral
    if referral.is_open and not referral.episodes.filter(ended_on=None).exists():
        close_referral(by=by, referral=referral, reason="Every service has ended")
    return episode


def _cancel(by, episode: Episode, note: str) -> Episode:
    """Give back every place of an episode that has not started (the plan changed: the
    person went into hospital, or another service suits them). The referral stays open:
    with nothing else in place it waits for a service again."""
    today = clock.today()
    if today >= episode.start:
        raise ValidationError(
            {
                "outcome": f"This episode started on {episode.start:%-d %B %Y}: end it with "
                "its outcome instead of cancelling it"
            }
        )
    if not note.strip():
        raise ValidationError({"note": "Say why the episode is cancelled"})
    _release(episode, episode.start - timedelta(days=1), episode.planned_end)
    episode.ended_on, episode.outcome = today, Episode.Outcome.CANCELLED
    episode.outcome_note, episode.follow_up_due = note.strip(), None
    episode.save(update_fields=["ended_on", "outcome", "outcome_note", "follow_up_due"])
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.EPISODE_ENDED,
        person=episode.person,
        reason=note.strip(),
        detail=f"{episode.service.name} from {episode.start:%-d %B %Y} cancelled before it started",
    )
    referral = episode.referral
    if (
        referral.status == Referral.Status.ALLOCATED
        and not referral.episodes.filter(ended_on=None).exists()
    ):
        referral.status = Referral.Status.AWAITING_ASSESSMENT
        referral.save(update_fields=["status"])
    return episode


@transaction.atomic
def record_follow_up(*, by, episode: Episode, still_at_home: bool) -> Episode:
    """Whether the person is still at home 91 days after discharge into reablement or
    rehabilitation (Better Care Fund)."""
    if not (
        has_permission(by, Permission.TRIAGE_REFERRALS)
        or has_permission(by, Permission.TAKE_REFERRALS)
    ):
        raise PermissionError("Your role does not record follow-ups.")
    if episode.follow_up_due is None:
        raise ValidationError({"still_at_home": "This episode has no 91-day follow-up"})
    if episode.still_at_home is not None:
        raise ValidationError({"still_at_home": "The follow-up is already recorded"})
    if clock.today() < episode.follow_up_due:
        raise ValidationError(
            {"still_at_home": f"The follow-up is due on {episode.follow_up_due:%-d %B %Y}"}
        )
    episode.still_at_home = still_at_home
    episode.follow_up_recorded_at = clock.now()
    episode.save(update_fields=["still_at_home", "follow_up_recorded_at"])
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.FOLLOW_UP_RECORDED,
        person=episode.person,
        detail=f"episode {episode.pk}: {'at home' if still_at_home else 'not at home'}",
    )
    return episode
