"""The home page: what this role does first."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from joinedcare.access.models import BreakGlass
from joinedcare.referrals.views import my_access_points
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission, Role


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = user.memberships.select_related("team__locality").prefetch_related(
        "practices__organisation"
    )
    context = {
        "memberships": memberships,
        "localities": user.localities.all(),
        "role": user.role,
        # The access points' queues refuse anyone not on their staff: link only to one's own.
        "access_point_kinds": set(my_access_points(user).values_list("kind", flat=True)),
        "Role": Role,
        "care_role": has_permission(user, Permission.VIEW_PERSON_RECORD),
        "analyst": has_permission(user, Permission.VIEW_PSEUDONYMS),
        "privacy": has_permission(user, Permission.REVIEW_AUDIT),
        "admin": has_permission(user, Permission.MANAGE_REFERENCE_DATA),
        "alerts": (
            BreakGlass.objects.awaiting_review().count()
            if has_permission(user, Permission.REVIEW_AUDIT)
            else 0
        ),
        "my_break_glass": BreakGlass.objects.active().filter(user=user).select_related("person"),
    }
    return render(request, "home/home.html", context)
