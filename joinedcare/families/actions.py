"""Family referrals to the children's access point, and the virtual MDT's decision."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from joinedcare import nhs_numbers
from joinedcare.access.rules import people_visible_to
from joinedcare.audit.models import AuditEvent
from joinedcare.people.models import Person
from joinedcare.referrals import clock
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from .models import FamilyMember, FamilyReferral

ADULT_AGE = 18
Role = FamilyMember.Role
ROLE_WORD = {value: value.replace("_", " ") for value in Role.values}
EXAMPLE_LINE = "999 000 0018, child, 14/03/2016"


@dataclass(frozen=True)
class MemberLine:
    """One household member as the referrer names them; `line` places the errors."""

    line: int
    nhs_number: str
    role: str
    date_of_birth: date | None = None


def _identify(member: MemberLine, visible) -> Person | str:
    """The person a line names, or why not. Naming someone puts their record in front of
    the access point's staff (the referral is a legitimate relationship), so, as at SPA
    intake, an NHS number alone names only someone the referrer may already see; anyone
    else needs the date of birth too. Both refusals read the same whether or not the
    number exists, so the form cannot be used to find out who is on record."""
    n, number = member.line, nhs_numbers.normalise(member.nhs_number)
    if member.date_of_birth is None:
        found = visible.filter(nhs_number=number).first()
        return found or (
            f"line {n}: add the date of birth after the role, for example {EXAMPLE_LINE} "
            "(it is needed for anyone whose record you cannot already open)"
        )
    found = Person.objects.filter(nhs_number=number, date_of_birth=member.date_of_birth).first()
    return found or (
        f"line {n}: no record matches this NHS number and date of birth. Check both; if "
        "they are right, ask the Single Point of Access to register the person, then "
        "add them here"
    )


def _age_problem(member: MemberLine, person: Person, today: date) -> str | None:
    """A child or young person is under 18; a parent, carer or other adult 18 or over."""
    age = person.age_on(today)
    n, word = member.line, ROLE_WORD[member.role]
    if member.role == Role.CHILD and age >= ADULT_AGE:
        return (
            f"line {n}: this person is {age}; “child” is for people under {ADULT_AGE}, "
            "so name them as parent, carer or other adult"
        )
    if member.role != Role.CHILD and age < ADULT_AGE:
        return (
            f"line {n}: this person is {age}; “{word}” is for people {ADULT_AGE} or over, "
            "so name them as child"
        )
    return None


def identify_members(*, by, members: list[MemberLine]) -> list[tuple[Person, MemberLine]]:
    """Each line's person, checked against the line's role; every problem, by line, in
    one `ValidationError` on `members`."""
    visible, today = people_visible_to(by), clock.today()
    found, problems = [], []
    for member in members:
        person = _identify(member, visible)
        problem = person if isinstance(person, str) else _age_problem(member, person, today)
        if problem:
            problems.append(problem)
        else:
            found.append((person, member))
    if problems:
        raise ValidationError({"members": problems})
    if len({person.pk for person, _ in found}) < len(found):
        raise ValidationError({"members": "Name each person once"})
    return found


@transaction.atomic
def refer_family(
    *,
    by,
    access_point: SinglePointOfAccess,
    household: str,
    members: list[MemberLine],
    referrer: str,
    reason: str,
    emotional_wellbeing: str,
    what_matters: str = "",
) -> FamilyReferral:
    """One referral for the whole household: children and adults together, taken by a
    member of the children's access point's staff."""
    if not has_permission(by, Permission.TAKE_REFERRALS):
        raise PermissionError("Your role does not take referrals.")
    works_there = SinglePointOfAccess.objects.filter(
        pk=access_point.pk, kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES, staff=by
    ).exists()
    if not works_there:
        raise PermissionError("Only the children's access point's staff take its referrals.")
    if not members:
        raise ValidationError({"members": "Enter at least one member"})
    named = identify_members(by=by, members=members)
    family = FamilyReferral.objects.create(
        access_point=access_point,
        household=household.strip(),
        referred_at=clock.now(),
        referred_by=by,
        referrer=referrer.strip(),
        reason=reason.strip(),
        emotional_wellbeing=emotional_wellbeing.strip(),
        what_matters=what_matters.strip(),
    )
    FamilyMember.objects.bulk_create(
        FamilyMember(family=family, person=person, role=member.role) for person, member in named
    )
    for person, member in named:
        how = "NHS number and date of birth" if member.date_of_birth else "NHS number"
        AuditEvent.record(
            by=by,
            action=AuditEvent.Action.FAMILY_REFERRED,
            person=person,
            detail=f"family referral {family.pk}: {ROLE_WORD[member.role]}, named by {how}",
        )
    return family


@transaction.atomic
def name_key_worker(
    *, by, family: FamilyReferral, key_worker, mdt_members=(), notes=""
) -> FamilyReferral:
    """The virtual MDT's triage: one key worker for the whole family."""
    if not has_permission(by, Permission.TRIAGE_REFERRALS):
        raise PermissionError("Only the access point's MDT triages family referrals.")
    if family.status != FamilyReferral.Status.AWAITING_MDT:
        raise ValidationError({"key_worker": "The MDT has already named a key worker"})
    if key_worker is None:
        raise ValidationError({"key_worker": "Name the key worker"})
    # The key worker sees every member's record: only a care role may (an analyst's
    # caseload would otherwise list children's names).
    if not has_permission(key_worker, Permission.VIEW_PERSON_RECORD):
        raise ValidationError({"key_worker": "Choose a key worker in a care role from the list"})
    family.key_worker = key_worker
    family.status = FamilyReferral.Status.KEY_WORKER_NAMED
    family.mdt_decided_at = clock.now()
    family.mdt_notes = notes.strip()
    family.save()
    family.mdt_members.set(mdt_members)
    for member in family.members.select_related("person"):
        AuditEvent.record(
            by=by,
            action=AuditEvent.Action.FAMILY_TRIAGED,
            person=member.person,
            detail=f"family referral {family.pk}: key worker user {key_worker.pk}",
        )
    return family
