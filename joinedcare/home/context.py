"""What every page's header needs: the signed-in user's role and links."""

from django.http import HttpRequest

from joinedcare.caselists.views import may_see_case_lists
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.referrals.views import my_access_points
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_search_people": has_permission(user, Permission.VIEW_PERSON_RECORD),
        # Only the access point's own staff work its queues: anyone else would be refused.
        "works_in_spa": my_access_points(user).filter(kind=SinglePointOfAccess.Kind.ADULTS).exists,
        "can_see_case_lists": may_see_case_lists(user),
        "can_see_outcomes": has_permission(user, Permission.VIEW_TEAM_AGGREGATES),
        "can_review_audit": has_permission(user, Permission.REVIEW_AUDIT),
        "can_manage": has_permission(user, Permission.MANAGE_REFERENCE_DATA),
    }
