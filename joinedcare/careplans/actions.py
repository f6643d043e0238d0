"""Changes to care plans: each with an actor, in one transaction, with an audit event.

Invalid input raises `ValidationError` keyed by the field it is about before anything
is written, and the transaction makes sure nothing is half-saved either way.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import dateformat, timezone

from joinedcare.access.rules import decide, people_related_to
from joinedcare.audit.models import AuditEvent
from joinedcare.organisations.models import Organisation, Team
from joinedcare.people.models import Person
from joinedcare.staff.models import StaffUser, has_permission
from joinedcare.staff.roles import Permission

from .access import PlanWithheld, plan_visible_to
from .models import CarePlan, CarePlanAction, CarePlanVersion, Consent, Goal


@dataclass(frozen=True)
class GoalInput:
    text: str
    self_care: bool = False


@dataclass(frozen=True)
class ActionInput:
    description: str
    due: date
    owner: StaffUser | None = None
    owner_team: Team | None = None
    owner_organisation: Organisation | None = None


@dataclass(frozen=True)
class ConsentInput:
    given_by: str
    given_by_name: str
    scopes: tuple[str, ...]


def _require_relationship(by, person: Person) -> None:
    if not decide(by, person).allowed:
        raise PermissionError("You have no legitimate relationship with this person.")


def _audit(by, action: str, person: Person, detail: str) -> None:
    AuditEvent.record(by=by, action=action, person=person, detail=detail)


# --- plans and versions ----------------------------------------------------------------

# The sections of a version as the form labels them, in the order the form shows them.
SECTION_LABELS = {
    "what_matters": "What matters to me",
    "goals": "The person's goals",
    "key_worker": "Key worker",
    "contingency": "If things get worse",
    "carers_needs": "Carers' needs",
    "review_date": "Review date",
}


# Longest time to a plan's review: at least yearly.
MAX_REVIEW_DAYS = 366


def version_errors(
    *, what_matters: str, contingency: str, review_date, key_worker, goals
) -> dict[str, str]:
    """What is wrong with a version's content, by field; empty when nothing is."""
    errors = {}
    if not what_matters.strip():
        errors["what_matters"] = "Write what matters to the person, in their words"
    if not contingency.strip():
        errors["contingency"] = "Say what to do and whom to call if things get worse"
    today = timezone.localdate()
    if review_date is None or review_date < today:
        # Begins with the field's label, so the error summary does not repeat it.
        errors["review_date"] = "Review date must be today or in the future"
    elif review_date > today + timedelta(days=MAX_REVIEW_DAYS):
        # A plan is reviewed at least yearly; 2099 is a mistyped year, never a plan.
        errors["review_date"] = "Review date must be within a year: plans are reviewed yearly"
    if key_worker is None or not has_permission(key_worker, Permission.VIEW_PERSON_RECORD):
        errors["key_worker"] = "Name a key worker in a care role"
    if not [g for g in goals if g.text.strip()]:
        errors["goals"] = "Write at least one of the person's goals"
    return errors


def consent_errors(consent: ConsentInput | None) -> dict[str, str]:
    """What is wrong with an agreement to share, by field; empty when nothing is."""
    if consent is None:
        return {"consent": "Record the person's agreement before the plan is shared"}
    errors = {}
    if consent.given_by not in Consent.GivenBy.values:
        errors["given_by"] = "Say who agreed"
    if not consent.given_by_name.strip():
        errors["given_by_name"] = "Write the name of whoever agreed"
    if Consent.Scope.CARE_TEAM not in consent.scopes:
        errors["scopes"] = "A shared care plan needs agreement to share with the care team"
    unknown = set(consent.scopes) - set(Consent.Scope.values)
    if unknown:
        errors["scopes"] = f"Unknown sharing: {', '.join(sorted(unknown))}"
    return errors


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


class PlanChanged(ValidationError):
    """Someone agreed a newer version after the editor opened the form. Nothing is saved,
    so their change is not silently undone; `newer` (oldest first) and `changed` (the
    sections that differ from the version the editor started from) let the form show
    what to merge."""

    def __init__(self, *, started_from: CarePlanVersion | None, newer: list[CarePlanVersion]):
        self.started_from, self.newer, self.current = started_from, newer, newer[-1]
        self.changed = changed_sections(started_from, self.current)
        super().__init__({NON_FIELD_ERRORS: _changed_message(newer, self.changed)})


def changed_sections(before: CarePlanVersion | None, after: CarePlanVersion) -> list[str]:
    """The sections of `after` that differ from `before` (all of them if there is none)."""
    old = before.sections() if before else {}
    return [name for name, value in after.sections().items() if old.get(name) != value]


def _agreed(version: CarePlanVersion) -> str:
    who = version.agreed_by.get_full_name() or version.agreed_by.username
    when = dateformat.format(timezone.localtime(version.agreed_at), r"H:i \o\n j F Y")
    return f"{who} agreed version {version.number} at {when}"


def _changed_message(newer: list[CarePlanVersion], changed: list[str]) -> str:
    agreed = ", then ".join(_agreed(v) for v in newer)
    sections = ", ".join(SECTION_LABELS[name] for name in changed)
    what = f"They changed: {sections}." if changed else "They changed none of its sections."
    return (
        f"Your changes are not saved yet. After you opened this page, {agreed}. {what} "
        "Check their version, shown by each changed section, keep what is right from both, "
        "then agree the plan again."
    )


def _check_not_changed(plan: CarePlan | None, based_on: int) -> None:
    """Refuse to save over a version the editor has not seen."""
    current = plan.current_version if plan else None
    if current is None or current.pk == based_on:
        # No current plan: nothing newer can be undone (a new plan needs new consent).
        return
    started_from = plan.versions.filter(pk=based_on).first()
    newer = plan.versions.filter(number__gt=started_from.number if started_from else 0)
    newer = list(newer.select_related("agreed_by").order_by("number"))
    raise PlanChanged(started_from=started_from, newer=newer)


def shares_with_vcs(consent: "Consent | ConsentInput | None") -> bool:
    """Whether an agreement (in force, or being given) covers the voluntary sector."""
    if isinstance(consent, ConsentInput):
        return Consent.Scope.VCS in consent.scopes
    return consent is not None and consent.covers(Consent.Scope.VCS)


@transaction.atomic
def agree_plan(
    *,
    by,
    person: Person,
    what_matters: str,
    goals: list[GoalInput],
    contingency: str,
    review_date: date,
    key_worker: StaffUser,
    carers_needs: str = "",
    actions: list[ActionInput] = (),
    consent: ConsentInput | None = None,
    meeting: str = "",
    based_on: int | None = None,
) -> CarePlanVersion:
    """Agree the person's care plan: a new plan (with their consent) or a new version of
    the current one, superseding the last. Returns the new current version.

    `based_on` is the pk of the version the editor started from (0 for no plan): if a
    newer one has been agreed since, `PlanChanged` is raised and nothing is saved. None
    skips that check. Every error in the input is raised together, keyed by field.
    `PlanWithheld` if `by` may not read the current plan (`plan_visible_to`): nobody
    agrees a plan they cannot read."""
    _require_relationship(by, person)
    # Lock the person so two people agreeing a first plan at once are serialised too.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    plan = CarePlan.objects.select_for_update().current().filter(person=person).first()
    # Before the conflict check: a `PlanChanged` would show the newer version's text.
    if plan is not None and not plan_visible_to(by, plan):
        raise PlanWithheld
    if based_on is not None:
        _check_not_changed(plan, based_on)
    errors = version_errors(
        what_matters=what_matters,
        contingency=contingency,
        review_date=review_date,
        key_worker=key_worker,
        goals=goals,
    )
    if plan is None or consent is not None:
        errors |= consent_errors(consent)
    vcs = shares_with_vcs(consent if consent is not None else plan and current_consent(plan))
    for index, action in enumerate(actions):
        # Keyed by row, so a form can show the message on the action it is about.
        errors |= {
            f"actions.{index}.{k}": v for k, v in action_errors(action, vcs_agreed=vcs).items()
        }
    _raise(errors)
    now = timezone.now()
    if plan is None:
        plan = CarePlan.objects.create(person=person, started_by=by, started_at=now)
        number = 1
    else:
        previous = plan.current_version
        number = previous.number + 1
        CarePlanVersion.objects.filter(pk=previous.pk).update(superseded_at=now)
    if consent is not None:
        _store_consent(by=by, plan=plan, consent=consent, at=now)
    version = CarePlanVersion.objects.create(
        plan=plan,
        number=number,
        what_matters=what_matters.strip(),
        contingency=contingency.strip(),
        carers_needs=carers_needs.strip(),
        review_date=review_date,
        key_worker=key_worker,
        agreed_at=now,
        agreed_by=by,
        agreed_at_meeting=meeting,
    )
    Goal.objects.bulk_create(
        Goal(version=version, text=g.text.strip(), self_care=g.self_care, order=i)
        for i, g in enumerate(g for g in goals if g.text.strip())
    )
    _audit(by, AuditEvent.Action.CARE_PLAN_AGREED, person, f"care plan {plan.pk} v{number}")
    for action in actions:
        add_action(by=by, plan=plan, action=action)
    return version


@transaction.atomic
def end_plan(*, by, plan: CarePlan, reason: str) -> CarePlan:
    """End the current plan (for example the person moved away); its history stays."""
    _require_relationship(by, plan.person)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the care plan ends"})
    if not plan.is_current:
        raise ValidationError({"reason": "This care plan has already ended"})
    now = timezone.now()
    plan.ended_at, plan.ended_reason = now, reason.strip()
    plan.save(update_fields=["ended_at", "ended_reason"])
    CarePlanVersion.objects.filter(plan=plan, superseded_at__isnull=True).update(superseded_at=now)
    plan.actions.filter(status=CarePlanAction.Status.OPEN).update(
        status=CarePlanAction.Status.CANCELLED,
        completed_at=now,
        completed_by=by,
        note="Care plan ended",
    )
    _audit(by, AuditEvent.Action.CARE_PLAN_ENDED, plan.person, f"care plan {plan.pk}")
    return plan


# --- consent -----------------------------------------------------------------------------


def _store_consent(*, by, plan: CarePlan, consent: ConsentInput, at) -> Consent:
    plan.consents.filter(withdrawn_at__isnull=True).update(
        withdrawn_at=at, withdrawn_reason="Replaced by a new agreement"
    )
    stored = Consent.objects.create(
        plan=plan,
        given_by=consent.given_by,
        given_by_name=consent.given_by_name.strip(),
        scopes=sorted(set(consent.scopes)),
        given_at=at,
        recorded_by=by,
    )
    _audit(
        by,
        AuditEvent.Action.CONSENT_RECORDED,
        plan.person,
        f"care plan {plan.pk}: {', '.join(stored.scopes)}",
    )
    return stored


@transaction.atomic
def record_consent(*, by, plan: CarePlan, consent: ConsentInput) -> Consent:
    """Record a new agreement to share; it replaces the one before."""
    _require_relationship(by, plan.person)
    _raise(consent_errors(consent))
    return _store_consent(by=by, plan=plan, consent=consent, at=timezone.now())


@transaction.atomic
def withdraw_consent(*, by, plan: CarePlan, reason: str) -> Consent:
    """The person withdraws their agreement: queued and voluntary-sector actions that
    relied on it are cancelled, so nobody outside the care team keeps working on it."""
    _require_relationship(by, plan.person)
    if not reason.strip():
        raise ValidationError({"reason": "Say why consent is withdrawn"})
    current = plan.consents.filter(withdrawn_at__isnull=True).first()
    if current is None:
        raise ValidationError({"reason": "There is no current consent to withdraw"})
    now = timezone.now()
    current.withdrawn_at, current.withdrawn_reason = now, reason.strip()
    current.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    _vcs_actions(plan).update(
        status=CarePlanAction.Status.CANCELLED,
        completed_at=now,
        completed_by=by,
        note="Consent withdrawn",
    )
    _audit(by, AuditEvent.Action.CONSENT_WITHDRAWN, plan.person, f"care plan {plan.pk}")
    return current


def current_consent(plan: CarePlan) -> Consent | None:
    """The agreement to share now in force, if any."""
    return plan.consents.filter(withdrawn_at__isnull=True).first()


def _vcs_actions(plan: CarePlan):
    vcs = Organisation.Kind.VCS
    return plan.actions.filter(status=CarePlanAction.Status.OPEN).filter(
        Q(owner__organisation__kind=vcs) | Q(owner_organisation__kind=vcs)
    )


# --- actions -----------------------------------------------------------------------------


def _is_vcs(action: ActionInput | CarePlanAction) -> bool:
    vcs = Organisation.Kind.VCS
    if action.owner is not None and action.owner.organisation_id:
        return action.owner.organisation.kind == vcs
    return action.owner_organisation is not None and action.owner_organisation.kind == vcs


def action_errors(action: ActionInput, *, vcs_agreed: bool) -> dict[str, str]:
    """What is wrong with an action, by field; `vcs_agreed` says whether the person
    agreed to share their plan with the voluntary sector."""
    owners = [action.owner, action.owner_team, action.owner_organisation]
    errors = {}
    if not action.description.strip():
        errors["description"] = "Say what will be done"
    if sum(o is not None for o in owners) != 1:
        errors["owner"] = "Choose one owner: a named person, or a team's or organisation's queue"
    elif action.owner is not None and not has_permission(
        action.owner, Permission.VIEW_PERSON_RECORD
    ):
        errors["owner"] = "A named owner must work in a care role"
    elif _is_vcs(action) and not vcs_agreed:
        errors["owner"] = "The person has not agreed to share their plan with the voluntary sector"
    if action.due is None:
        errors["due"] = "Enter a due date"
    elif action.due < timezone.localdate():
        # An action agreed today cannot already be overdue: the year or month is mistyped.
        errors["due"] = "Due date must be today or in the future"
    elif action.due > timezone.localdate() + timedelta(days=MAX_REVIEW_DAYS):
        # As for the review: 2099 is a mistyped year, and an action that far off would
        # never show as overdue.
        errors["due"] = "Due date must be within a year: the plan is reviewed at least yearly"
    return errors


@transaction.atomic
def add_action(*, by, plan: CarePlan, action: ActionInput) -> CarePlanAction:
    _require_relationship(by, plan.person)
    if not plan.is_current:
        raise ValidationError({"plan": "This care plan has ended"})
    _raise(action_errors(action, vcs_agreed=shares_with_vcs(current_consent(plan))))
    created = CarePlanAction.objects.create(
        plan=plan,
        description=action.description.strip(),
        owner=action.owner,
        owner_team=action.owner_team,
        owner_organisation=action.owner_organisation,
        due=action.due,
        created_by=by,
    )
    _audit(by, AuditEvent.Action.CARE_PLAN_ACTION, plan.person, f"action {created.pk} added")
    return created


def may_claim(user, action: CarePlanAction) -> bool:
    """Whether `user` may take on a queued action (`claimable`)."""
    return action.pk in claimable(user, [action])


def claimable(user, found: Iterable[CarePlanAction]) -> set[int]:
    """The actions among `found` that `user` may take on from a queue, by pk, in a few
    queries for a whole list. Claiming makes a relationship with the person
    (`relationships.action_owner`), so a team's queue is claimable by its members and an
    organisation's only by members of that organisation who already have a relationship
    with the person (not by break glass, which is temporary) or who work in a team of the
    person's locality: a county-wide organisation is not a relationship by itself."""
    queued = [a for a in found if a.owner_id is None and a.status == CarePlanAction.Status.OPEN]
    if not queued:
        return set()
    memberships = list(user.memberships.values_list("team_id", "team__locality_id"))
    teams = {team for team, _ in memberships}
    localities = {locality for _, locality in memberships}
    ours = [
        a
        for a in queued
        if not a.owner_team_id
        and user.organisation_id
        and a.owner_organisation_id == user.organisation_id
    ]
    related = set(
        people_related_to(user)
        .filter(pk__in={a.plan.person_id for a in ours})
        .values_list("pk", flat=True)
    )
    allowed = {a.pk for a in queued if a.owner_team_id in teams}
    for a in ours:
        practice = a.plan.person.practice
        near = practice is not None and practice.team.locality_id in localities
        if a.plan.person_id in related or near:
            allowed.add(a.pk)
    return allowed


@transaction.atomic
def claim_action(*, by, action: CarePlanAction) -> CarePlanAction:
    """A member of the queue's team or organisation takes the action on."""
    action = CarePlanAction.objects.select_for_update().get(pk=action.pk)
    if not may_claim(by, action):
        raise PermissionError("This action is not in a queue of yours, or is already taken.")
    action.owner, action.claimed_at = by, timezone.now()
    action.save(update_fields=["owner", "claimed_at"])
    _audit(
        by, AuditEvent.Action.CARE_PLAN_ACTION, action.plan.person, f"action {action.pk} claimed"
    )
    return action


def may_change(user, action: CarePlanAction) -> bool:
    """Whether `user` may close or reopen `action`: its owner, or anyone with a
    relationship with the person (their care team). Pages ask this to offer the button;
    the actions ask it again."""
    return action.owner_id == user.pk or decide(user, action.plan.person).allowed


def _require_may_change(by, action: CarePlanAction) -> None:
    if not may_change(by, action):
        raise PermissionError("You have no legitimate relationship with this person.")


@transaction.atomic
def close_action(*, by, action: CarePlanAction, status: str, note: str = "") -> CarePlanAction:
    """The owner (or anyone in the person's care team) marks an action done or cancelled;
    who and when are kept, to show beside it and to reopen it by (`reopen_action`)."""
    action = CarePlanAction.objects.select_for_update().get(pk=action.pk)
    _require_may_change(by, action)
    if status not in (CarePlanAction.Status.DONE, CarePlanAction.Status.CANCELLED):
        raise ValidationError({"status": "Choose done or cancelled"})
    if action.status != CarePlanAction.Status.OPEN:
        raise ValidationError({"status": "This action is already closed"})
    action.status, action.completed_at, action.completed_by = status, timezone.now(), by
    action.note = note.strip()
    action.save(update_fields=["status", "completed_at", "completed_by", "note"])
    _audit(
        by,
        AuditEvent.Action.CARE_PLAN_ACTION,
        action.plan.person,
        f"action {action.pk} {status}",
    )
    return action


@transaction.atomic
def reopen_action(*, by, action: CarePlanAction) -> CarePlanAction:
    """Undo a mistaken "done": the action is open again, with its owner and due date.

    Only a done action on a current plan: a cancelled one may have been cancelled by the
    plan ending or consent being withdrawn, which reopening would silently undo. A voluntary
    sector action reopens only while the person's consent covers that sector. Who closed
    it, and when, stay in the audit event."""
    action = CarePlanAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    _require_may_change(by, action)
    if action.status != CarePlanAction.Status.DONE:
        raise ValidationError({"status": "Only an action marked done can be reopened"})
    if not action.plan.is_current:
        raise ValidationError({"status": "This care plan has ended"})
    if _is_vcs(action) and not shares_with_vcs(current_consent(action.plan)):
        raise ValidationError(
            {"status": "The person has not agreed to share their plan with the voluntary sector"}
        )
    # Said before it is cleared: the audit keeps who had closed it and when.
    detail = f"action {action.pk} reopened, was {action.status_in_words}"[:200]
    action.status, action.completed_at, action.completed_by = CarePlanAction.Status.OPEN, None, None
    action.note = ""
    action.save(update_fields=["status", "completed_at", "completed_by", "note"])
    _audit(by, AuditEvent.Action.CARE_PLAN_ACTION, action.plan.person, detail)
    return action
