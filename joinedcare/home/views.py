"""The home page: what this role does first."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

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


@login_not_required  # answers 401 itself: a redirect to the sign-in page would read as 200
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """Keep a session alive while its user types into a form (joinedcare.js calls this).

    Sessions end after idle minutes; typing sends no request, so long minutes typed live
    at an MDT would otherwise be lost on saving. 401 tells the page the session has ended.
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session.modified = True  # saved with a new expiry (SESSION_SAVE_EVERY_REQUEST)
    return HttpResponse(status=204)
