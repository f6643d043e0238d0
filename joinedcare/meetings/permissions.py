"""Who may run, see and act for a meeting's unit. Seeing a meeting never by itself shows
a person: names come only through the access rule (`people_visible_to`)."""

from joinedcare.organisations.models import Locality, Practice, Team
from joinedcare.staff.roles import Role

from .models import Escalation, Level, Meeting

# Team roles that speak for a team at the locality meeting (seed 000, Appendix 2:
# lead GP or practice manager from each practice, community nursing, adult social care).
LOCALITY_ROLES = (Role.TAP_LEAD, Role.PRACTICE_MANAGER, Role.LOCALITY_MANAGER)


def acts_for(user, level: str, unit) -> bool:
    """Whether the user works in the unit: a practice's or team's member, or a locality's
    manager or team lead."""
    if level in (Level.MICRO, Level.INTERMEDIATE):
        team = unit.team if isinstance(unit, Practice) else unit
        return user.memberships.filter(team=team).exists()
    return (
        user.localities.filter(pk=unit.pk).exists()
        or user.memberships.filter(team__locality=unit, role__in=LOCALITY_ROLES).exists()
    )


def may_see_meeting(user, meeting: Meeting) -> bool:
    if meeting.chair_id == user.pk or meeting.members.filter(user=user).exists():
        return True
    return acts_for(user, meeting.level, meeting.unit)


def is_member(user, meeting: Meeting) -> bool:
    return meeting.chair_id == user.pk or meeting.members.filter(user=user).exists()


def may_act_on_escalation(user, escalation: Escalation) -> bool:
    return escalation.owner_id == user.pk or acts_for(user, escalation.level, escalation.unit)


def units_of(user) -> dict[str, list]:
    """The practices, teams and localities the user may hold meetings for."""
    teams = Team.objects.filter(memberships__user=user).distinct()
    localities = Locality.objects.filter(managers=user) | Locality.objects.filter(
        teams__memberships__user=user, teams__memberships__role__in=LOCALITY_ROLES
    )
    return {
        Level.MICRO: list(
            Practice.objects.filter(team__in=teams).select_related("organisation", "team")
        ),
        Level.INTERMEDIATE: list(teams),
        Level.MACRO: list(localities.distinct()),
    }
