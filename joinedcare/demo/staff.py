"""Demo staff: one login per role, placed where such a person really works."""

from dataclasses import dataclass, field

from joinedcare.organisations.models import Locality, Organisation, Practice, Team
from joinedcare.staff.models import Membership, StaffUser
from joinedcare.staff.roles import Role
from joinedcare.staff.signin import device_for


@dataclass(frozen=True)
class DemoStaff:
    role: str
    first_name: str
    last_name: str
    employer: str  # an organisation kind, or "practice"
    teams: tuple[int, ...] = ()  # indexes into the county's teams, in code order
    practices: int = 0  # how many of the first team's practices they work at
    team_role: str | None = None
    localities: tuple[int, ...] = field(default=())


DEMO_STAFF = [
    DemoStaff(Role.GP, "Priya", "Shah", "practice", (0,), practices=2),
    DemoStaff(Role.PRACTICE_MANAGER, "Gareth", "Hall", "practice", (0,), practices=1),
    DemoStaff(Role.DISTRICT_NURSE, "Joanne", "Wilson", "community_trust", (0, 1)),
    DemoStaff(Role.VAWAS_NURSE, "Karen", "Dobson", "community_trust", (0,)),
    DemoStaff(Role.SOCIAL_WORKER, "Michael", "Reed", "council_adult_social_care", (0,)),
    # The SPA works county-wide; it gains relationships through referrals it takes.
    DemoStaff(Role.SPA_COORDINATOR, "Leanne", "Carr", "community_trust"),
    DemoStaff(Role.ASSESSOR, "Sam", "Robson", "council_adult_social_care", (1,)),
    DemoStaff(Role.THERAPIST, "Aisha", "Khan", "community_trust", (1,)),
    DemoStaff(Role.VCS_WORKER, "Dave", "Armstrong", "vcs", (0,)),
    DemoStaff(Role.TAP_LEAD, "Helen", "Forster", "practice", (0,), practices=1),
    DemoStaff(Role.LOCALITY_MANAGER, "Neil", "Bainbridge", "icb", localities=(0,)),
    DemoStaff(Role.ANALYST, "Chloe", "Turnbull", "icb"),
    DemoStaff(Role.PRIVACY_OFFICER, "Ruth", "Errington", "icb"),
    DemoStaff(Role.ADMINISTRATOR, "Tom", "Elliott", "icb"),
]


def create_demo_staff(password: str) -> list[StaffUser]:
    """Create (or reset the password of) each demo user; usernames are the role codes."""
    teams = list(Team.objects.order_by("code"))
    localities = list(Locality.objects.order_by("code"))
    users = []
    for index, spec in enumerate(DEMO_STAFF):
        first_practices = (
            list(Practice.objects.filter(team=teams[spec.teams[0]]).order_by("organisation__code"))[
                : spec.practices
            ]
            if spec.teams
            else []
        )
        employer = (
            first_practices[0].organisation
            if spec.employer == "practice"
            else Organisation.objects.filter(kind=spec.employer).order_by("code").first()
        )
        user, _ = StaffUser.objects.update_or_create(
            username=spec.role,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "role": spec.role,
                "organisation": employer,
                "is_staff": spec.role == Role.ADMINISTRATOR,
                "is_superuser": spec.role == Role.ADMINISTRATOR,
                "email": f"{spec.role}@demo.invalid",
                # Ofcom's range for drama (0191 498 0000-0999): never a real line.
                "work_phone": f"0191 498 {index:04d}",
            },
        )
        user.set_password(password)
        user.save()
        user.memberships.all().delete()
        for index in spec.teams:
            membership = Membership.objects.create(
                user=user, team=teams[index], role=spec.team_role or spec.role
            )
            if index == spec.teams[0]:
                membership.practices.set(first_practices)
        user.localities.set([localities[i] for i in spec.localities])
        if user.needs_second_factor:
            device_for(user)
        users.append(user)
    return users
