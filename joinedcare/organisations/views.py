"""Places, localities and teams: who is in them and how many people they serve."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from joinedcare.caselists.views import may_see_team_list
from joinedcare.organisations.models import TEAM_BAND, Locality, Place, Team
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from .population import EMPTY as _EMPTY
from .population import by_practice, by_team


def _with_counts(teams, counts: dict) -> list[dict]:
    rows = []
    for team in teams:
        n = counts.get(team.pk, _EMPTY)
        rows.append({"team": team, **n, "band": team.band_status(n["registered"])})
    return rows


def places(request: HttpRequest) -> HttpResponse:
    counts = by_team()
    localities = []
    for locality in Locality.objects.select_related("place").prefetch_related("teams"):
        teams = _with_counts(locality.teams.all(), counts)
        total = sum(t["registered"] for t in teams)
        localities.append({"locality": locality, "teams": teams, "registered": total})
    context = {"places": Place.objects.all(), "localities": localities, "band": TEAM_BAND}
    return render(request, "organisations/places.html", context)


def team(request: HttpRequest, code: str) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("locality"), code=code)
    practices = team.practices.select_related("organisation")
    counts = by_practice()
    practice_rows = [{"practice": p, **counts.get(p.pk, _EMPTY)} for p in practices]
    totals = {k: sum(r[k] for r in practice_rows) for k in _EMPTY}
    members = team.memberships.select_related("user__organisation").order_by(
        "role", "user__last_name"
    )
    context = {
        "team": team,
        "practices": practice_rows,
        "totals": totals,
        "band": TEAM_BAND,
        "band_status": team.band_status(totals["registered"]),
        "members": members,
        # Links only to what the user may open, decided as those pages decide.
        "may_see_case_list": may_see_team_list(request.user, team),
        "may_see_outcomes": _may_see_outcomes(request.user),
    }
    return render(request, "organisations/team.html", context)


def locality(request: HttpRequest, code: str) -> HttpResponse:
    locality = get_object_or_404(Locality.objects.select_related("place"), code=code)
    teams = _with_counts(locality.teams.all(), by_team())
    totals = {k: sum(t[k] for t in teams) for k in _EMPTY}
    context = {
        "locality": locality,
        "teams": teams,
        "totals": totals,
        "wards": locality.wards.all(),
        "band": TEAM_BAND,
        "may_see_outcomes": _may_see_outcomes(request.user),
    }
    return render(request, "organisations/locality.html", context)


def _may_see_outcomes(user) -> bool:
    """The outcomes dashboards and locality profiles ask for this (outcomes.views._check)."""
    return has_permission(user, Permission.VIEW_TEAM_AGGREGATES)
