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


# Single Point of Access, short-term services, Discharge to Assess, families (issue 4).


def spa(**fields):
    """An adults' Single Point of Access (8am-8pm assessment team) with its staff."""
    from joinedcare.referrals.models import SinglePointOfAccess

    staff_ = fields.pop("staff", ())
    fields.setdefault("place", place())
    fields.setdefault("name", f"SPA {next(_seq)}")
    access_point = SinglePointOfAccess.objects.create(**fields)
    access_point.staff.set(staff_)
    return access_point


def referral(**fields):
    """An open referral awaiting triage, received now (the action is tested on its own)."""
    from joinedcare.referrals import clock
    from joinedcare.referrals.models import Referral

    fields.setdefault("spa", spa())
    fields.setdefault("person", person())
    fields.setdefault("received_by", fields.get("received_by") or staff(Role.SPA_COORDINATOR))
    return Referral.objects.create(
        **{
            "status": Referral.Status.AWAITING_TRIAGE,
            "received_at": clock.now(),
            "referrer_source": Referral.Source.GP,
            "referrer_name": "Dr Test",
            "reason": "Struggling at home after a fall",
            "urgency": Referral.Urgency.TODAY,
            "medically_stable": True,
            "consent_to_share": True,
            **fields,
        }
    )


def assessment(**fields):
    from joinedcare.referrals import clock
    from joinedcare.referrals.models import Assessment

    fields.setdefault("referral", referral())
    fields.setdefault("assessor", staff(Role.ASSESSOR))
    return Assessment.objects.create(
        **{"assessed_at": clock.now(), "needs": "Help with washing and dressing", **fields}
    )


def allocation(**fields):
    from joinedcare.referrals import clock
    from joinedcare.referrals.models import Allocation

    fields.setdefault("referral", referral())
    fields.setdefault("staff", staff(Role.ASSESSOR))
    fields.setdefault("allocated_by", fields["staff"])
    return Allocation.objects.create(**{"started_at": clock.now(), **fields})


def api_client(**fields):
    """(client, token) for the intake API."""
    from joinedcare.referrals.models import ApiClient

    fields.setdefault("spa", spa())
    fields.setdefault("acts_as", staff(Role.SPA_COORDINATOR))
    return ApiClient.issue(**{"name": "Ward discharge list", **fields})


def service(**fields):
    from joinedcare.services.models import Service

    fields.setdefault("place", place())
    fields.setdefault("provider", organisation())
    n = next(_seq)
    return Service.objects.create(
        **{
            "kind": Service.Kind.REABLEMENT,
            "name": f"Service {n}",
            "unit": Service.Unit.VISITS_PER_DAY,
            **fields,
        }
    )


def service_day(**fields):
    from joinedcare.referrals import clock
    from joinedcare.services.models import ServiceDay

    fields.setdefault("service", service())
    return ServiceDay.objects.create(**{"day": clock.today(), "capacity": 5, **fields})


def episode(**fields):
    from joinedcare.referrals import clock
    from joinedcare.services.models import Episode

    fields.setdefault("referral", referral())
    fields.setdefault("service", service(place=fields["referral"].spa.place))
    start = fields.pop("start", clock.today())
    return Episode.objects.create(
        **{
            "person": fields["referral"].person,
            "start": start,
            "planned_end": start + timedelta(days=42),
            "started_by": fields["referral"].received_by,
            "created_at": clock.now(),
            **fields,
        }
    )


def extension(**fields):
    from joinedcare.referrals import clock
    from joinedcare.services.models import Extension

    fields.setdefault("episode", episode())
    ep = fields["episode"]
    return Extension.objects.create(
        **{
            "previous_end": ep.planned_end,
            "new_end": ep.planned_end + timedelta(days=7),
            "reason": "Waiting for a package of care",
            "by": ep.started_by,
            "at": clock.now(),
            **fields,
        }
    )


def discharge_case(**fields):
    from joinedcare.discharge.models import DischargeCase
    from joinedcare.referrals import clock

    fields.setdefault("person", person())
    fields.setdefault("hospital", organisation(kind=Organisation.Kind.ACUTE_TRUST))
    fields.setdefault("recorded_by", staff(Role.SPA_COORDINATOR))
    return DischargeCase.objects.create(
        **{"ward": "Ward 12", "medically_fit_at": clock.now(), **fields}
    )


def family_referral(**fields):
    from joinedcare.families.models import FamilyReferral
    from joinedcare.referrals import clock
    from joinedcare.referrals.models import SinglePointOfAccess

    fields.setdefault("access_point", spa(kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES))
    fields.setdefault("referred_by", staff(Role.SOCIAL_WORKER))
    return FamilyReferral.objects.create(
        **{
            "household": "The Test household",
            "referred_at": clock.now(),
            "referrer": "School nurse",
            "reason": "Low mood and school refusal",
            "emotional_wellbeing": "Anxious, not sleeping",
            **fields,
        }
    )


def family_member(**fields):
    from joinedcare.families.models import FamilyMember

    fields.setdefault("family", family_referral())
    fields.setdefault("person", person())
    return FamilyMember.objects.create(**{"role": FamilyMember.Role.CHILD, **fields})


# --- MDT meetings and care plans (issue 5) -----------------------------------------------


def meeting(*, chair, level="micro", unit=None, held_on=None, members=(), **fields):
    """A meeting of `unit` (a practice, team or locality to match `level`)."""
    from joinedcare.meetings.models import Meeting, MeetingMember

    unit_field = {"micro": "practice", "intermediate": "team", "macro": "locality"}[level]
    made = Meeting.objects.create(
        level=level,
        held_on=held_on or date.today(),
        chair=chair,
        created_by=chair,
        **{
            unit_field: unit
            or {"micro": practice, "intermediate": team, "macro": locality}[level]()
        },
        **fields,
    )
    for user in {chair, *members}:
        MeetingMember.objects.create(meeting=made, user=user)
    return made


def care_plan(*, person, key_worker, by=None, review_date=None, scopes=("care_team", "vcs")):
    """A current care plan at version 1 with one goal and the person's consent."""
    from joinedcare.careplans.models import CarePlan, CarePlanVersion, Consent, Goal

    by = by or key_worker
    plan = CarePlan.objects.create(person=person, started_by=by)
    version = CarePlanVersion.objects.create(
        plan=plan,
        number=1,
        what_matters="Staying in my own home with my cat",
        contingency="Call the district nurse on 0191 000 0000",
        review_date=review_date or date.today() + timedelta(days=90),
        key_worker=key_worker,
        agreed_by=by,
    )
    Goal.objects.create(version=version, text="Walk to the shop", self_care=True)
    Consent.objects.create(
        plan=plan,
        given_by="person",
        given_by_name="The person",
        scopes=list(scopes),
        recorded_by=by,
    )
    return plan


def care_plan_action(*, plan, owner=None, owner_team=None, owner_organisation=None, **fields):
    from joinedcare.careplans.models import CarePlanAction

    return CarePlanAction.objects.create(
        **{
            "plan": plan,
            "description": "Check the stairs rail",
            "owner": owner,
            "owner_team": owner_team,
            "owner_organisation": owner_organisation,
            "due": date.today() + timedelta(days=7),
            "created_by": plan.started_by,
            **fields,
        }
    )
