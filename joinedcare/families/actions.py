"""Family referrals to the children's access point, and the virtual MDT's decision."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.timezone import localtime

from joinedcare import nhs_numbers
from joinedcare.access.rules import decide, people_visible_to
from joinedcare.audit.models import AuditEvent
from joinedcare.people.models import Person
from joinedcare.referrals import clock
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from .models import FamilyMember, FamilyReferral

ADULT_AGE = 18
# Younger than this, a parent or carer is a mistyped date of birth or role; from this age
# to ADULT_AGE a young parent or carer is possible but rare, so the referrer confirms it.
YOUNGEST_PARENT_AGE = 10
YOUNG_ROLES = (FamilyMember.Role.PARENT, FamilyMember.Role.CARER)
Role = FamilyMember.Role
ROLE_WORD = {value: value.replace("_", " ") for value in Role.values}
EXAMPLE_LINE = "999 000 0018, child, 14/03/2016"


# The confirmations' own messages (the form sets them, so the error summary shows each
# alone); what needs confirming is said line by line on the members box.
YOUNG_MEMBER_UNCONFIRMED = "Check the dates of birth, or confirm the young parent or carer's age"
SECOND_REFERRAL_UNCONFIRMED = (
    "Check the open family referral, or confirm that a second referral is meant"
)


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
    """A child or young person is under 18; an other adult 18 or over; a parent or carer
    at least 10 (a younger one is asked to be confirmed, see `_young_member_check`)."""
    age = person.age_on(today)
    n, word = member.line, ROLE_WORD[member.role]
    if member.role == Role.CHILD and age >= ADULT_AGE:
        return (
            f"line {n}: this person is {age}; “child” is for people under {ADULT_AGE}, "
            "so name them as parent, carer or other adult"
        )
    if member.role in YOUNG_ROLES and age < YOUNGEST_PARENT_AGE:
        return (
            f"line {n}: this person is {age}; a {word} cannot be under "
            f"{YOUNGEST_PARENT_AGE}, so check the date of birth and the role on this line"
        )
    if member.role == Role.OTHER_ADULT and age < ADULT_AGE:
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


@dataclass(frozen=True)
class Confirmation:
    """Something the referrer confirms before the referral is recorded.

    `token` is the value the confirmation's checkbox sends back. It is made from what was
    asked, so a tick confirms only what the page showed: changing the members asks again.
    """

    field: str
    label: str
    token: str
    problems: tuple[str, ...]  # line by line, for the members box
    audit: dict[int, str]  # person id -> what was confirmed about them
    # (line, the open family referral, or None when the referrer may not open it)
    open_families: tuple[tuple[int, FamilyReferral | None], ...] = ()


UNCONFIRMED = {
    "young_member": YOUNG_MEMBER_UNCONFIRMED,
    "second_referral": SECOND_REFERRAL_UNCONFIRMED,
}


class Unconfirmed(ValidationError):
    """A refusal the referrer may overrule by confirming: the errors are those of the
    asks not yet confirmed; `asks` holds every ask, so the page keeps a confirmed one's
    label and tick."""

    def __init__(self, asks: list[Confirmation], confirmed: Collection[str]) -> None:
        missing = [a for a in asks if a.token not in confirmed]
        errors: dict[str, list[str]] = {"members": [p for a in missing for p in a.problems]}
        errors |= {a.field: [UNCONFIRMED[a.field]] for a in missing}
        super().__init__(errors)
        self.asks = asks


def _token(field: str, parts: Iterable[str]) -> str:
    # Keyed with the secret key: the value reveals nothing of the ids it was made from.
    value = field + "|" + "|".join(sorted(parts))
    return salted_hmac("joinedcare.families.confirm", value).hexdigest()


def _young_member_check(named: list[tuple[Person, MemberLine]], today: date) -> Confirmation | None:
    """A parent or carer under 18 (and 10 or over: younger is refused) is possible but
    rare, and more often a mistyped date of birth: the referrer confirms each age."""
    young = [
        (person, member, person.age_on(today))
        for person, member in named
        if member.role in YOUNG_ROLES and person.age_on(today) < ADULT_AGE
    ]
    if not young:
        return None
    said = [(member.line, ROLE_WORD[member.role], age) for _, member, age in young]
    if len(said) == 1:
        label = f"I have checked the date of birth: this {said[0][1]} is {said[0][2]}"
    else:
        label = "I have checked the dates of birth: " + ", ".join(
            f"the {word} on line {n} is {age}" for n, word, age in said
        )
    return Confirmation(
        field="young_member",
        label=label,
        token=_token("young_member", (f"{p.pk}:{m.role}:{age}" for p, m, age in young)),
        problems=tuple(
            f"line {n}: this person is {age}; check the date of birth, then confirm below "
            f"that this {word} is {age}"
            for n, word, age in said
        ),
        audit={p.pk: f"age {age} confirmed by the referrer" for p, _, age in young},
    )


def may_open_family(user, family: FamilyReferral) -> bool:
    """Whether the user may open a family referral's page: every member's record, decided
    as the family page decides it (`decide`, member by member)."""
    members = [m.person for m in family.members.select_related("person")]
    return bool(members) and all(decide(user, person).allowed for person in members)


def _second_referral_check(by, named: list[tuple[Person, MemberLine]]) -> Confirmation | None:
    """A child already in an open family referral: a second one is usually a duplicate
    (the same family referred again by someone else). The referrer sees the first if they
    may open it, and otherwise only that it exists: they named the child by NHS number
    and date of birth, or could already open the child's record."""
    children = {person.pk: member for person, member in named if member.role == Role.CHILD}
    # Locked so that two referrals of one child sent at the same moment see each other.
    list(Person.objects.select_for_update().filter(pk__in=children).values_list("pk"))
    already = (
        FamilyMember.objects.filter(person__in=children)
        .exclude(family__status=FamilyReferral.Status.CLOSED)
        .select_related("family")
        .order_by("family__referred_at", "family_id")
    )
    found = [(children[m.person_id].line, m.person_id, m.family) for m in already]
    if not found:
        return None
    may_open = {f.pk: may_open_family(by, f) for _, _, f in found}
    problems = []
    for n, _, family in found:
        if may_open[family.pk]:
            made = date_format(localtime(family.referred_at), "j F Y")
            problems.append(
                f"line {n}: this child already has an open family referral, "
                f"{family.household}, made on {made}"
            )
        else:
            problems.append(
                f"line {n}: this child already has an open family referral, which you cannot open"
            )
    lines = {n for n, _, _ in found}
    return Confirmation(
        field="second_referral",
        label="I have checked: a second family referral is meant for "
        + ("this child" if len(lines) == 1 else "these children"),
        token=_token("second_referral", (str(f.pk) for _, _, f in found)),
        problems=tuple(problems),
        audit={
            pk: f"second open referral confirmed by the referrer (also in family referral {f.pk})"
            for _, pk, f in found
        },
        open_families=tuple((n, f if may_open[f.pk] else None) for n, _, f in found),
    )


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
    confirmed: Collection[str] = (),
) -> FamilyReferral:
    """One referral for the whole household: children and adults together, taken by a
    member of the children's access point's staff.

    A parent or carer under 18, or a child already in an open family referral, is
    refused with `Unconfirmed` until `confirmed` holds the token of each of its asks
    (the form's checkboxes send them back)."""
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
    checks = (_young_member_check(named, clock.today()), _second_referral_check(by, named))
    asks = [check for check in checks if check is not None]
    if any(ask.token not in confirmed for ask in asks):
        raise Unconfirmed(asks, confirmed)
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
        notes = "".join(f"; {ask.audit[person.pk]}" for ask in asks if person.pk in ask.audit)
        AuditEvent.record(
            by=by,
            action=AuditEvent.Action.FAMILY_REFERRED,
            person=person,
            detail=f"family referral {family.pk}: {ROLE_WORD[member.role]}, named by {how}{notes}",
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
