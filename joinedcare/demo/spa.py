"""Demo County's Single Point of Access: its catalogue with capacity, and a few referrals.

The catalogue is data (seed 002 para 11): each service kind with the kind of
organisation that provides it, its unit and its daily capacity.
"""

from datetime import timedelta

from joinedcare.organisations.models import Organisation, Place
from joinedcare.people.models import Person
from joinedcare.referrals import actions as referral_actions
from joinedcare.referrals import clock
from joinedcare.referrals.models import Referral, SinglePointOfAccess
from joinedcare.services.models import Service, ServiceDay
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import Role

K, U, Org = Service.Kind, Service.Unit, Organisation.Kind
# (kind, name, provider kind, unit, capacity per day)
CATALOGUE = [
    (K.INTERMEDIATE_CARE_BED, "Intermediate care beds", Org.COMMUNITY_TRUST, U.BEDS, 24),
    (K.STEP_UP_BED, "Step-up beds", Org.COMMUNITY_TRUST, U.BEDS, 10),
    (K.STEP_DOWN_BED, "Step-down beds", Org.COMMUNITY_TRUST, U.BEDS, 12),
    (K.TIME_TO_THINK_BED, "Time-to-think beds", Org.ADULT_SOCIAL_CARE, U.BEDS, 6),
    (K.GP_BED, "GP beds", Org.COMMUNITY_TRUST, U.BEDS, 8),
    (K.TELECARE, "Telecare", Org.ADULT_SOCIAL_CARE, U.ITEMS, 40),
    (K.TELEHEALTH, "Telehealth", Org.COMMUNITY_TRUST, U.ITEMS, 30),
    (K.IV_THERAPY, "IV fluids and antibiotics at home", Org.COMMUNITY_TRUST, U.VISITS_PER_DAY, 16),
    (K.EQUIPMENT, "Community equipment", Org.ADULT_SOCIAL_CARE, U.ITEMS, 60),
    (K.REHABILITATION, "Rehabilitation therapy", Org.COMMUNITY_TRUST, U.VISITS_PER_DAY, 30),
    (K.REABLEMENT, "Reablement", Org.ADULT_SOCIAL_CARE, U.VISITS_PER_DAY, 45),
    (K.SITTING, "Sitting service", Org.VCS, U.HOURS_PER_WEEK, 20),
]
DAYS = 42
STORIES = [
    ("Fell at home last night, no injury; struggling with stairs", Referral.Source.AMBULANCE),
    ("Medically fit on Ward 6; needs support to get home", Referral.Source.HOSPITAL_WARD),
    ("Daughter worried she is not eating since her husband died", Referral.Source.FAMILY_OR_CARER),
]


def create_demo_spa(users: list[StaffUser]) -> SinglePointOfAccess | None:
    """Idempotent: a second run leaves what exists and tops up capacity."""
    # Demo County's place: the one whose practices have people registered.
    place = (
        Place.objects.filter(localities__teams__practices__registered__isnull=False)
        .order_by("code")
        .first()
    )
    if place is None:
        return None
    by_role = {u.role: u for u in users}
    spa, _ = SinglePointOfAccess.objects.get_or_create(
        place=place, kind=SinglePointOfAccess.Kind.ADULTS, defaults={"name": f"{place.name} SPA"}
    )
    spa.staff.add(*[by_role[r] for r in (Role.SPA_COORDINATOR, Role.ASSESSOR) if r in by_role])
    families, _ = SinglePointOfAccess.objects.get_or_create(
        place=place,
        kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES,
        defaults={"name": f"{place.name} children's access point"},
    )
    families.staff.add(*[by_role[r] for r in (Role.SOCIAL_WORKER,) if r in by_role])
    _catalogue(place)
    if not spa.referrals.exists() and Role.SPA_COORDINATOR in by_role:
        _referrals(spa, by_role[Role.SPA_COORDINATOR])
    return spa


def _catalogue(place: Place) -> None:
    today = clock.today()
    for kind, name, provider_kind, unit, capacity in CATALOGUE:
        provider = Organisation.objects.filter(kind=provider_kind).order_by("code").first()
        if provider is None:
            continue
        service, _ = Service.objects.get_or_create(
            place=place, name=name, defaults={"kind": kind, "provider": provider, "unit": unit}
        )
        have = set(service.days.values_list("day", flat=True))
        ServiceDay.objects.bulk_create(
            ServiceDay(service=service, day=day, capacity=capacity)
            for day in (today + timedelta(days=d) for d in range(DAYS))
            if day not in have
        )


def _referrals(spa: SinglePointOfAccess, coordinator: StaffUser) -> None:
    people = Person.objects.filter(practice__team__locality__place=spa.place).order_by("pk")[:3]
    for person, (reason, source) in zip(people, STORIES, strict=False):
        referral_actions.receive_referral(
            by=coordinator,
            spa=spa,
            person=person,
            referrer_source=source,
            referrer_name="Demo referrer",
            reason=reason,
            urgency=Referral.Urgency.TODAY,
            medically_stable=True,
            consent_to_share=True,
            what_matters="Staying in her own home",
        )
