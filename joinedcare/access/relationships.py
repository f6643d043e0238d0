"""The foundation's relationship: working in the team of the person's practice."""

from django.db.models import Q

from joinedcare.staff.roles import ROLE_PERMISSIONS, Permission

from .rules import relationship

_CARE_ROLES = [r for r, perms in ROLE_PERMISSIONS.items() if Permission.VIEW_PERSON_RECORD in perms]


@relationship("member of the person's practice team")
def practice_team(user) -> Q:
    """People registered at a practice of a team the user works in, in a care role."""
    teams = user.memberships.filter(role__in=_CARE_ROLES).values("team")
    return Q(practice__team__in=teams)
