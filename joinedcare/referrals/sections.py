"""The person page's Single Point of Access section: referrals, assessments, episodes."""

from joinedcare.people.sections import Section, register
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from . import clock


def _context(request, person) -> dict:
    referrals = (
        person.referrals.select_related("spa", "received_by", "possible_duplicate_of")
        .prefetch_related("assessments__assessor_organisation", "episodes__service__provider")
        .order_by("-received_at")
    )
    return {
        "referrals": referrals,
        "today": clock.today(),
        "perms_gp_bed": has_permission(request.user, Permission.REQUEST_GP_BED),
    }


register(
    Section(
        title="Referrals, assessments and short-term services",
        template="referrals/_person_section.html",
        context=_context,
        order=10,
    )
)
