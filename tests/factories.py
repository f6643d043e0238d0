"""One factory per model. NHS numbers come from the never-issued synthetic range."""

import functools
import itertools
from datetime import date, timedelta

import nhs_number
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from joinedcare.access.models import BreakGlass
from joinedcare.audit.models import AuditEvent
from joinedcare.organisations.models import Locality, Organisation, Place, Practice, Team, Ward
from joinedcare.people.models import Person
from joinedcare.staff.models import Membership, StaffUser
from joinedcare.staff.roles import Role

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    """PASSWORD hashed once with the real hasher (Argon2): hashing per user is slow."""
    return make_password(PASSWORD)


def synthetic_nhs_number() -> str:
    """A valid, unique NHS number from 9000000000-9999999999."""
    while True:
        (number,) = nhs_number.generate(for_region=nhs_number.REGION_SYNTHETIC)
        if not Person.objects.filter(nhs_number=number).exists():
            return number


def organisation(kind=Organisation.Kind.COMMUNITY_TRUST, **fields) -> Organisation:
    n = next(_seq)
    return Organisation.objects.create(
        **{"code": f"T{n:04d}", "name": f"Test organisation {n}", "kind": kind, **fields}
    )


def place(**fields) -> Place:
    n = next(_seq)
    return Place.objects.create(**{"code": f"P{n}", "name": f"Test place {n}", **fields})


def locality(**fields) -> Locality:
    n = next(_seq)
    fields.setdefault("place", place())
    return Locality.objects.create(**{"code": f"L{n}", "name": f"Locality {n}", **fields})


def team(**fields) -> Team:
    n = next(_seq)
    fields.setdefault("locality", locality())
    return Team.objects.create(**{"code": f"TAP{n}", "name": f"Team {n}", **fields})


def practice(**fields) -> Practice:
    fields.setdefault("team", team())
    fields.setdefault("organisation", organisation(kind=Organisation.Kind.GP_PRACTICE))
    return Practice.objects.create(**fields)


def person(**fields) -> Person:
    n = next(_seq)
    fields.setdefault("practice", practice())
    return Person.objects.create(
        **{
            "nhs_number": synthetic_nhs_number(),
            "given_name": f"Given{n}",
            "family_name": f"Family{n}",
            "date_of_birth": date(1940, 1, 1),
            "sex": Person.Sex.FEMALE,
            **fields,
        }
    )


def staff(role=Role.GP, *, teams=(), organisation_=None, **fields) -> StaffUser:
    """A staff user with a usable password, a member of `teams` in `role`."""
    n = next(_seq)
    user = StaffUser.objects.create(
        username=fields.pop("username", f"user{n}"),
        password=_password_hash(),
        first_name=fields.pop("first_name", f"First{n}"),
        last_name=fields.pop("last_name", f"Last{n}"),
        role=role,
        organisation=organisation_ or organisation(),
        **fields,
    )
    for t in teams:
        Membership.objects.create(user=user, team=t, role=role)
    return user


def invalid_nhs_number() -> str:
    """Ten digits in the synthetic range whose check digit does not match."""
    (number,) = nhs_number.generate(valid=False, for_region=nhs_number.REGION_SYNTHETIC)
    return number


def unused_nhs_number() -> str:
    """A valid synthetic NHS number that no person in the database has."""
    return synthetic_nhs_number()


def break_glass(*, user, person, **fields) -> BreakGlass:
    """An emergency-access grant made directly (the action is tested on its own)."""
    now = timezone.now()
    return BreakGlass.objects.create(
        **{
            "user": user,
            "person": person,
            "reason": "Collapsed at home, need medicines list",
            "started_at": now,
            "expires_at": now + timedelta(hours=4),
            **fields,
        }
    )


def audit_event(*, actor, **fields) -> AuditEvent:
    """One audit event, with the actor's role and organisation copied as `record` does."""
    return AuditEvent.objects.create(
        **{
            "actor": actor,
            "actor_role": actor.role,
            "actor_organisation": str(actor.organisation or ""),
            "action": AuditEvent.Action.VIEW,
            "purpose": AuditEvent.Purpose.TREATMENT,
            **fields,
        }
    )


def ward(**fields) -> Ward:
    n = next(_seq)
    fields.setdefault("locality", locality())
    return Ward.objects.create(**{"code": f"W{n}", "name": f"Ward {n}", **fields})
