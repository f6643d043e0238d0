"""Changes to MDT meetings, agendas, outcomes and escalations: each with an actor, in
one transaction, with an audit event for every person touched.

Invalid input raises `ValidationError` keyed by the field it is about; nothing is
written unless everything is.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from joinedcare.access.rules import decide
from joinedcare.audit.models import AuditEvent
from joinedcare.careplans import actions as careplans
from joinedcare.caselists.models import PublishedRun
from joinedcare.organisations.models import Locality, Practice, Team
from joinedcare.staff.roles import Role

from . import spa
from .agenda import sources_for
from .models import (
    ADDED_BY_HAND,
    NEXT_LEVEL,
    PREVIOUS_LEVEL,
    AgendaItem,
    CaseListRemoval,
    Escalation,
    EscalationStep,
    Level,
    Meeting,
    MeetingMember,
)
from .permissions import acts_for, is_member, may_act_on_escalation

_UNIT_FIELD = {Level.MICRO: "practice", Level.INTERMEDIATE: "team", Level.MACRO: "locality"}
_UNIT_TYPE = {Level.MICRO: Practice, Level.INTERMEDIATE: Team, Level.MACRO: Locality}
REASON_MAX = AgendaItem._meta.get_field("reason").max_length
# How far ahead a meeting may be arranged.
ARRANGE_AHEAD_DAYS = 366
MINUTES_CHANGED = (
    "{who} saved the minutes after you opened this page: their text is shown below; "
    "add yours and save again"
)


class AlreadyArranged(ValidationError):
    """The unit already has a meeting that day (`meeting`): refused on "held_on"."""

    def __init__(self, meeting: Meeting) -> None:
        self.meeting = meeting
        super().__init__({"held_on": already_arranged(meeting)})


def already_arranged(meeting: Meeting) -> str:
    """Why a second meeting of its unit that day is refused, naming the first."""
    chair = meeting.chair.get_full_name() or meeting.chair.get_username()
    return (
        f"The {meeting} is already arranged (chaired by {chair}): "
        "use that meeting, or choose another date"
    )


def arranged_on(level: str, unit, held_on: date) -> Meeting | None:
    """The unit's meeting on that day, if one is arranged."""
    return (
        Meeting.objects.filter(level=level, held_on=held_on, **{_UNIT_FIELD[level]: unit})
        .select_related("chair")
        .order_by("id")
        .first()
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionError(message)


# --- meetings ----------------------------------------------------------------------------


@transaction.atomic
def create_meeting(*, by, level: str, unit, held_on: date, chair=None, members=()) -> Meeting:
    """Arrange a meeting of a practice, team or locality; the chair is a member. A second
    meeting of the unit on the same day is refused (`AlreadyArranged`): it would build
    the same agenda twice and split its people's outcomes between two records."""
    if level not in Level.values:
        raise ValidationError({"level": "Choose the meeting's level"})
    if not isinstance(unit, _UNIT_TYPE[level]):
        raise ValidationError({"unit": f"A {Level(level).label} belongs to a {_UNIT_FIELD[level]}"})
    _require(acts_for(by, level, unit), "You do not work in this meeting's practice, team or area.")
    if held_on is None:
        raise ValidationError({"held_on": "Enter the meeting date"})
    if held_on < timezone.localdate():
        raise ValidationError({"held_on": "Meeting date must be today or in the future"})
    if held_on > timezone.localdate() + timedelta(days=ARRANGE_AHEAD_DAYS):
        # 2099 is a mistyped year: a meeting that far off would sit in every list unheld.
        raise ValidationError({"held_on": "Meeting date must be within a year from today"})
    # Locking the unit's row makes two people arranging its meeting at once take turns,
    # so the second sees the first's meeting.
    _UNIT_TYPE[level].objects.select_for_update().only("pk").get(pk=unit.pk)
    if (existing := arranged_on(level, unit, held_on)) is not None:
        raise AlreadyArranged(existing)
    chair = chair or by
    meeting = Meeting.objects.create(
        level=level, held_on=held_on, chair=chair, created_by=by, **{_UNIT_FIELD[level]: unit}
    )
    MeetingMember.objects.bulk_create(
        MeetingMember(meeting=meeting, user=u) for u in {chair, *members}
    )
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.MDT_AGENDA,
        purpose=AuditEvent.Purpose.OPERATIONS,
        detail=f"meeting {meeting.pk} arranged",
    )
    return meeting


def _require_member(by, meeting: Meeting) -> None:
    _require(is_member(by, meeting), "Only the meeting's members change it.")


@transaction.atomic
def record_attendance(*, by, meeting: Meeting, attended: set[int]) -> None:
    _require_member(by, meeting)
    for member in meeting.members.all():
        member.attended = member.user_id in attended
        member.save(update_fields=["attended"])


@transaction.atomic
def add_member(*, by, meeting: Meeting, user) -> MeetingMember:
    _require_member(by, meeting)
    member, _ = MeetingMember.objects.get_or_create(meeting=meeting, user=user)
    return member


@transaction.atomic
def save_minutes(*, by, meeting: Meeting, minutes: str, based_on: int) -> Meeting:
    """Save the minutes written from version `based_on` of them. If someone saved in
    between, nothing is overwritten: a ValidationError on "minutes" (their text stays)."""
    _require_member(by, meeting)
    text = minutes.strip()
    # One conditional UPDATE: of two saves based on the same version, exactly one matches.
    saved = Meeting.objects.filter(pk=meeting.pk, minutes_version=based_on).update(
        minutes=text, minutes_version=F("minutes_version") + 1
    )
    meeting.refresh_from_db(fields=["minutes", "minutes_version"])
    if not saved:
        if meeting.minutes == text:
            return meeting  # the same words were saved already: nothing would be lost
        message = MINUTES_CHANGED.format(who=_minutes_saved_by(meeting))
        raise ValidationError({"minutes": ValidationError(message, code="conflict")})
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.UPDATE,
        purpose=AuditEvent.Purpose.OPERATIONS,
        detail=f"meeting {meeting.pk} minutes saved (version {meeting.minutes_version})",
    )
    return meeting


def _minutes_saved_by(meeting: Meeting) -> str:
    """Who saved the current minutes, and when ("Joanne Reed at 14:05"), from the audit
    trail, which records each save; "Someone" if it holds none (minutes from before)."""
    saved = (
        AuditEvent.objects.filter(
            detail=f"meeting {meeting.pk} minutes saved (version {meeting.minutes_version})"
        )
        .select_related("actor")
        .first()
    )
    if saved is None or saved.actor is None:
        return "Someone"
    name = saved.actor.get_full_name() or saved.actor.get_username()
    return f"{name} at {timezone.localtime(saved.occurred_at):%H:%M}"


# --- the agenda --------------------------------------------------------------------------


@transaction.atomic
def build_agenda(*, by, meeting: Meeting) -> list[AgendaItem]:
    """Ask every source for this level and add whoever is not on the agenda yet (items
    someone took off stay off). Returns the new items."""
    _require_member(by, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    existing_people = set(
        meeting.items.filter(escalation__isnull=True).values_list("person_id", flat=True)
    )
    existing_escalations = set(
        meeting.items.filter(escalation__isnull=False).values_list("escalation_id", flat=True)
    )
    position = meeting.items.aggregate(last=Max("position"))["last"] or 0
    new = []
    for source in sources_for(meeting.level):
        for candidate in source.candidates(meeting):
            if candidate.escalation_id is not None:
                if candidate.escalation_id in existing_escalations:
                    continue
                existing_escalations.add(candidate.escalation_id)
            else:
                if candidate.person_id in existing_people:
                    continue
                existing_people.add(candidate.person_id)
            position += 1
            new.append(
                AgendaItem(
                    meeting=meeting,
                    person_id=candidate.person_id,
                    escalation_id=candidate.escalation_id,
                    source=source.name,
                    reason=candidate.reason[:300],
                    position=position,
                )
            )
    AgendaItem.objects.bulk_create(new, batch_size=1000)
    if meeting.level == Level.MICRO:
        meeting.case_list_run = PublishedRun.objects.first()
    meeting.agenda_built_at = timezone.now()
    meeting.save(update_fields=["case_list_run", "agenda_built_at"])
    _audit_agenda(by, meeting, [i.person_id for i in new if i.person_id])
    return new


def _audit_agenda(by, meeting: Meeting, person_ids: list[int]) -> None:
    from joinedcare.people.models import Person

    AuditEvent.record_many(
        by=by,
        action=AuditEvent.Action.MDT_AGENDA,
        people=Person.objects.filter(pk__in=person_ids).only("pk"),
        detail=f"meeting {meeting.pk} agenda built",
    )


@transaction.atomic
def add_person(*, by, meeting: Meeting, person, reason: str) -> AgendaItem:
    """Put someone on the agenda by hand (they may have been taken off the case list)."""
    _require_member(by, meeting)
    _require(decide(by, person).allowed, "You have no legitimate relationship with this person.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the person is being discussed"})
    if len(reason.strip()) > REASON_MAX:
        raise ValidationError({"reason": f"Reason must be {REASON_MAX} characters or fewer"})
    item = meeting.items.filter(person=person, escalation__isnull=True).first()
    if item is not None and not item.withdrawn:
        raise ValidationError({"nhs_number": "This person is already on the agenda"})
    if item is None:
        position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
        item = AgendaItem(meeting=meeting, person=person, position=position)
    item.source, item.reason, item.added_by, item.withdrawn = (
        ADDED_BY_HAND,
        reason.strip(),
        by,
        False,
    )
    item.save()
    if meeting.practice_id:
        CaseListRemoval.objects.filter(
            practice=meeting.practice, pseudonym=person.pseudonym
        ).delete()
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.MDT_AGENDA,
        person=person,
        detail=f"meeting {meeting.pk} added by hand",
    )
    return item


@transaction.atomic
def withdraw_item(*, by, item: AgendaItem) -> AgendaItem:
    """Take an item off this meeting's agenda (it is not rebuilt back on)."""
    _require_member(by, item.meeting)
    if item.outcome:
        raise ValidationError({"item": "This item already has an outcome"})
    item.withdrawn = True
    item.save(update_fields=["withdrawn"])
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.MDT_AGENDA,
        person=item.person,
        detail=f"meeting {item.meeting_id} item {item.pk} taken off",
    )
    return item


# --- outcomes ----------------------------------------------------------------------------


def _check_open(item: AgendaItem) -> None:
    if item.outcome:
        raise ValidationError({"outcome": "This item already has an outcome"})
    if item.withdrawn:
        raise ValidationError({"outcome": "This item was taken off the agenda"})


def _set_outcome(by, item: AgendaItem, outcome: str, note: str = "") -> AgendaItem:
    item.outcome, item.outcome_note = outcome, note.strip()
    item.outcome_at, item.outcome_by = timezone.now(), by
    item.save()
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.MDT_OUTCOME,
        person=item.person,
        detail=f"meeting {item.meeting_id}: {AgendaItem.Outcome(outcome).label}",
    )
    return item


def _lock(by, item: AgendaItem) -> AgendaItem:
    _require_member(by, item.meeting)
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    _check_open(item)
    if not item.meeting.has_begun:
        # A plan "agreed at the MDT on 8 December" on 5 December would be untrue in the
        # record and in the audit: outcomes wait for the meeting (or are written up after).
        raise ValidationError({"outcome": item.meeting.not_yet_held()})
    return item


@transaction.atomic
def record_no_action(*, by, item: AgendaItem, note: str = "") -> AgendaItem:
    item = _lock(by, item)
    return _set_outcome(by, item, AgendaItem.Outcome.NO_ACTION, note)


@transaction.atomic
def remove_from_case_list(*, by, item: AgendaItem, reason: str) -> AgendaItem:
    """The practice takes the person off its case list, with a reason."""
    item = _lock(by, item)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the person comes off the case list"})
    if item.meeting.level != Level.MICRO or item.person_id is None:
        raise ValidationError({"outcome": "Only a practice MDT removes people from its list"})
    CaseListRemoval.objects.update_or_create(
        practice=item.meeting.practice,
        pseudonym=item.person.pseudonym,
        defaults={"reason": reason.strip(), "by": by, "item": item, "at": timezone.now()},
    )
    return _set_outcome(by, item, AgendaItem.Outcome.REMOVE, reason)


@transaction.atomic
def refer_to_spa(
    *,
    by,
    item: AgendaItem,
    reason: str,
    urgency: str,
    medically_stable: bool,
    consent_to_share: bool,
    sharing_basis: str = "",
    sharing_note: str = "",
) -> AgendaItem:
    """Refer the person to the Single Point of Access (a real referral when the
    referrals app is installed). Without the person's agreement to share, the basis and
    note say why it goes ahead (see `joinedcare.referrals.sharing`)."""
    item = _lock(by, item)
    if item.person_id is None:
        raise ValidationError({"outcome": "Only a person can be referred"})
    recorded = spa.refer(
        by=by,
        meeting=item.meeting,
        person=item.person,
        reason=reason,
        urgency=urgency,
        medically_stable=medically_stable,
        consent_to_share=consent_to_share,
        sharing_basis=sharing_basis,
        sharing_note=sharing_note,
    )
    return _set_outcome(by, item, AgendaItem.Outcome.SPA_REFERRAL, f"{recorded}. {reason}")


@transaction.atomic
def agree_care_plan(*, by, item: AgendaItem, **plan) -> AgendaItem:
    """Agree (create or update) the person's care plan at the meeting."""
    item = _lock(by, item)
    if item.person_id is None:
        raise ValidationError({"outcome": "A care plan is for a person"})
    version = careplans.agree_plan(by=by, person=item.person, meeting=str(item.meeting), **plan)
    note = "Care plan agreed" if version.number == 1 else f"Care plan updated (v{version.number})"
    return _set_outcome(by, item, AgendaItem.Outcome.CARE_PLAN, note)


# --- escalations -------------------------------------------------------------------------


def default_owner(level: str, unit, fallback):
    """The lead of the unit an escalation goes to: its TAP lead, or its locality manager."""
    if level == Level.INTERMEDIATE:
        lead = unit.memberships.filter(role=Role.TAP_LEAD).select_related("user").first()
        return lead.user if lead else fallback
    if level == Level.MACRO:
        return unit.managers.first() or fallback
    return fallback


def _units_for(meeting: Meeting) -> dict:
    team = meeting.unit_team
    return {
        "practice": meeting.practice,
        "team": team,
        "locality": meeting.locality or (team.locality if team else None),
    }


@transaction.atomic
def escalate(*, by, item: AgendaItem, kind: str, summary: str, owner=None) -> AgendaItem:
    """Raise a concern from this meeting to the level above; for an escalated item, move
    it on up (intermediate -> macro)."""
    item = _lock(by, item)
    meeting = item.meeting
    if meeting.level not in NEXT_LEVEL:
        raise ValidationError({"outcome": "A locality meeting is the top level"})
    if kind not in Escalation.Kind.values:
        raise ValidationError({"kind": "Choose what kind of concern this is"})
    if not summary.strip():
        raise ValidationError({"summary": "Say what the level above is asked to help with"})
    if item.escalation_id:
        escalation = _move_up(by=by, escalation=item.escalation, note=summary, owner=owner)
    else:
        escalation = _raise(
            by=by, meeting=meeting, item=item, kind=kind, summary=summary, owner=owner
        )
    item.escalation_raised = escalation
    return _set_outcome(by, item, AgendaItem.Outcome.ESCALATE, summary)


def _raise(*, by, meeting, item, kind, summary, owner) -> Escalation:
    to = NEXT_LEVEL[meeting.level]
    units = _units_for(meeting)
    escalation = Escalation.objects.create(
        kind=kind,
        person=item.person,
        summary=summary.strip(),
        level=to,
        status=Escalation.Status.OPEN,
        owner=owner or default_owner(to, units[_UNIT_FIELD[to]], by),
        raised_at_meeting=meeting,
        raised_by=by,
        **units,
    )
    _step(by, escalation, EscalationStep.Move.RAISED, meeting.level, to, summary)
    return escalation


def _move_up(*, by, escalation: Escalation, note: str, owner=None) -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.level not in NEXT_LEVEL:
        raise ValidationError({"outcome": "A locality meeting is the top level"})
    _require(may_act_on_escalation(by, escalation), "This escalation is not yours to move.")
    from_level, to = escalation.level, NEXT_LEVEL[escalation.level]
    escalation.level, escalation.status = to, Escalation.Status.OPEN
    unit = escalation.team if to == Level.INTERMEDIATE else escalation.locality
    escalation.owner = owner or default_owner(to, unit, by)
    escalation.save(update_fields=["level", "status", "owner"])
    _step(by, escalation, EscalationStep.Move.ESCALATED, from_level, to, note)
    return escalation


@transaction.atomic
def escalate_further(*, by, escalation: Escalation, note: str, owner=None) -> Escalation:
    """Move an escalation up a level outside a meeting."""
    if not note.strip():
        raise ValidationError({"note": "Say why it goes further up"})
    return _move_up(by=by, escalation=escalation, note=note, owner=owner)


@transaction.atomic
def raise_issue(*, by, meeting: Meeting, kind: str, summary: str, owner=None) -> Escalation:
    """Raise an issue that is not about one person (for example a commissioning issue)
    from a meeting to the level above."""
    _require_member(by, meeting)
    if meeting.level not in NEXT_LEVEL:
        raise ValidationError({"kind": "A locality meeting is the top level"})
    if kind not in Escalation.Kind.values:
        raise ValidationError({"kind": "Choose what kind of issue this is"})
    if not summary.strip():
        raise ValidationError({"summary": "Say what the level above is asked to help with"})
    return _raise(
        by=by, meeting=meeting, item=AgendaItem(), kind=kind, summary=summary, owner=owner
    )


@transaction.atomic
def answer_escalation(*, by, escalation: Escalation, answer: str, item=None) -> Escalation:
    """The level above answers and sends the escalation back down a level."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    _require(may_act_on_escalation(by, escalation), "This escalation is not yours to answer.")
    if escalation.status != Escalation.Status.OPEN:
        raise ValidationError({"answer": "Only an open escalation can be answered"})
    if not answer.strip():
        raise ValidationError({"answer": "Write the answer to send back"})
    from_level = escalation.level
    to = PREVIOUS_LEVEL[from_level]
    if to == Level.MICRO and escalation.practice_id is None:
        raise ValidationError({"answer": "This escalation has no practice to go back to"})
    escalation.level, escalation.status, escalation.answer = (
        to,
        Escalation.Status.ANSWERED,
        answer.strip(),
    )
    escalation.owner = escalation.raised_by
    escalation.save(update_fields=["level", "status", "answer", "owner"])
    _step(by, escalation, EscalationStep.Move.ANSWERED, from_level, to, answer)
    if item is not None:
        item = _lock(by, item)
        _set_outcome(by, item, AgendaItem.Outcome.ANSWERED, answer)
    return escalation


@transaction.atomic
def close_escalation(*, by, escalation: Escalation, note: str = "") -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    _require(may_act_on_escalation(by, escalation), "This escalation is not yours to close.")
    if escalation.status == Escalation.Status.CLOSED:
        raise ValidationError({"note": "This escalation is already closed"})
    escalation.status = Escalation.Status.CLOSED
    escalation.save(update_fields=["status"])
    _step(by, escalation, EscalationStep.Move.CLOSED, escalation.level, escalation.level, note)
    return escalation


def _step(by, escalation: Escalation, move: str, from_level: str, to_level: str, note: str):
    EscalationStep.objects.create(
        escalation=escalation,
        move=move,
        from_level=from_level,
        to_level=to_level,
        note=note.strip(),
        by=by,
    )
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.ESCALATION,
        person=escalation.person,
        purpose=AuditEvent.Purpose.TREATMENT
        if escalation.person_id
        else AuditEvent.Purpose.OPERATIONS,
        detail=f"escalation {escalation.pk} {move} {from_level}->{to_level}",
    )
