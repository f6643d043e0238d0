"""What every page's header needs: the signed-in user's role and links."""

from typing import NamedTuple

from django.http import HttpRequest
from django.urls import reverse

from joinedcare.caselists.views import may_see_case_lists
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.referrals.views import my_access_points
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission


class MenuItem(NamedTuple):
    """One link of the header menu; `current` is "page" on the page itself, "true" below it."""

    label: str
    href: str
    current: str


def _menu(request: HttpRequest, links: list[tuple[str, str]]) -> list[MenuItem]:
    path = request.path
    items = []
    for label, url_name in links:
        href = reverse(url_name)
        if path == href:
            current = "page"
        elif href != "/" and path.startswith(href):
            current = "true"
        else:
            current = ""
        items.append(MenuItem(label, href, current))
    return items


def _links(user) -> list[tuple[str, str]]:
    """The pages this user's role may open, as (label, URL name), in menu order."""
    can_search_people = has_permission(user, Permission.VIEW_PERSON_RECORD)
    links = [("Home", "home")]
    if can_search_people:
        links.append(("Find a person", "person-search"))
        # Only the access point's own staff work its queues: anyone else would be refused.
        if my_access_points(user).filter(kind=SinglePointOfAccess.Kind.ADULTS).exists():
            links.append(("Single Point of Access", "spa-queues"))
    if may_see_case_lists(user):
        links.append(("Case lists", "case-lists"))
    if can_search_people or user.localities.exists():
        links.append(("MDT meetings", "meetings"))
    if can_search_people:
        links.append(("My actions", "my-actions"))
    links.append(("Teams and localities", "places"))
    if has_permission(user, Permission.VIEW_TEAM_AGGREGATES):
        links.append(("Outcomes", "outcomes"))
    if has_permission(user, Permission.REVIEW_AUDIT):
        links.append(("Audit", "audit-events"))
    if has_permission(user, Permission.MANAGE_REFERENCE_DATA):
        links.append(("Administration", "admin:index"))
    return links


def navigation(request: HttpRequest) -> dict:
    """The header's menu, built only when a page renders it (API responses skip it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu": lambda: _menu(request, _links(user))}
