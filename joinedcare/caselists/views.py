"""Case-finding pages: a practice's or a team's case list from the latest published run.

Staff with a legitimate relationship see names; everyone else with access to case
lists (analysts) sees pseudonyms and aggregates. Showing a name is audited.
"""

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string

from joinedcare.access.rules import people_visible_to
from joinedcare.analytics.factors import pseudonymised_factor, reason_kind
from joinedcare.audit.models import AuditEvent
from joinedcare.organisations.models import Practice, Team
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from .models import CaseListEntry, PublishedRun

SORTS = {
    "rank": ("practice__organisation__name", "rank_in_practice"),
    "risk": ("-risk",),
    "efi": ("-efi", "-risk"),
    "hfrs": ("-hfrs", "-risk"),
    "charlson": ("-charlson", "-risk"),
    "new": ("-new_entrant", "-risk"),
}
# Each sort as the "Sort by" list names it: a phone hides the column headings that sort
# (the table becomes one card per person), so the list offers the same sorts in words.
SORT_NAMES = {
    "rank": "Rank",
    "new": "New to the list first",
    "risk": "Risk, highest first",
    "efi": "Frailty (eFI), highest first",
    "hfrs": "HFRS, highest first",
    "charlson": "Charlson, highest first",
}
# A team's list holds several practices and rank restarts in each (see team_list).
TEAM_RANK_NAME = "Rank in practice, grouped by practice"

# Rows per page: a practice's top 2% (up to about 200 people) fits on one page.
PAGE_SIZE = 200


def may_see_case_lists(user) -> bool:
    """Care staff (their teams' lists) and analysts (pseudonymised) use case lists."""
    return has_permission(user, Permission.VIEW_PERSON_RECORD) or has_permission(
        user, Permission.VIEW_PSEUDONYMS
    )


def may_see_team_list(user, team: Team) -> bool:
    """Whether the user may open this team's case list (team pages link to it only then).

    Analysts see every list pseudonymised; care staff only their own teams' lists."""
    if has_permission(user, Permission.VIEW_PSEUDONYMS):
        return True
    return has_permission(user, Permission.VIEW_PERSON_RECORD) and (
        user.memberships.filter(team=team).exists()
    )


def index(request: HttpRequest) -> HttpResponse:
    if not may_see_case_lists(request.user):
        raise PermissionDenied
    run = PublishedRun.objects.first()
    if has_permission(request.user, Permission.VIEW_PSEUDONYMS):
        teams = Team.objects.select_related("locality")
    else:
        teams = Team.objects.filter(memberships__user=request.user).distinct()
    return render(request, "caselists/index.html", {"run": run, "teams": teams})


def practice_list(request: HttpRequest, code: str) -> HttpResponse:
    practice = get_object_or_404(Practice.objects.select_related("team"), organisation__code=code)
    if not may_see_team_list(request.user, practice.team):
        raise PermissionDenied
    return _case_list(request, f"practice {code}", practice.name, "rank", practice=practice)


def team_list(request: HttpRequest, code: str) -> HttpResponse:
    team = get_object_or_404(Team, code=code)
    if not may_see_team_list(request.user, team):
        raise PermissionDenied
    # A team's MDT reviews its practices' lists together: highest risk first, whichever
    # practice (rank restarts at 1 in each practice, so it cannot order a team's list).
    return _case_list(request, f"team {code}", team.name, "risk", team=team)


# /case-lists/runs/latest/card/: the current card, for links that cannot know the run id
# (the home page). Run ids are "<UTC time>-<fingerprint>", so none is called this.
LATEST = "latest"


def model_card(request: HttpRequest, run_id: str) -> HttpResponse:
    """The published run's model card (report.html), as its own page.

    Only published runs: the card is the one kept when the run was published; runs
    published before cards were kept are looked for in RUNS_DIR.

    The card is a self-contained file (it is e-mailed as one), so it is served as it is,
    under its own strict policy, rather than poured into the site's page, whose styles
    would fight its own: the site adds only its name to the title and a way back (the
    site's name, the case lists, when and at what share the run was published). With
    `?download=1` it comes as the file the run wrote, without them.
    """
    if not may_see_case_lists(request.user):
        raise PermissionDenied
    if run_id == LATEST:
        latest = PublishedRun.objects.first()
        if latest is None:
            return redirect("case-lists")  # which says nothing is published yet
        return redirect("case-list-model-card", run_id=latest.run_id)
    run = get_object_or_404(PublishedRun, run_id=run_id)
    html = run.model_card or _card_in_runs_dir(run.run_id)
    AuditEvent.record(
        by=request.user,
        action=AuditEvent.Action.CASE_LIST_VIEWED,
        purpose=AuditEvent.Purpose.OPERATIONS,
        detail=f"model card of run {run.run_id}",
    )
    if request.GET.get("download"):
        response = HttpResponse(html)
        response["Content-Disposition"] = f'attachment; filename="model-card-{run.run_id}.html"'
    else:
        html = _with_way_back(html, run)
        response = HttpResponse(html)
    response["Content-Security-Policy"] = _model_card_policy(html)
    return response


_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)


def _with_way_back(html: str, run: PublishedRun) -> str:
    """The card with the site's name in its title and the way back put in place: its
    style before </head>, the navigation first in <body> and a back link last (a card
    without those elements gets them at its start and end)."""
    part = {
        p: render_to_string("caselists/_model_card_nav.html", {"run": run, "part": p})
        for p in ("head", "top", "bottom")
    }
    html = _TITLE.sub(lambda m: f"<title>{m.group(1)} - joinedcare</title>", html, count=1)
    html = html.replace("</head>", part["head"] + "</head>", 1)
    body = _BODY.search(html)
    at = body.end() if body else 0
    html = html[:at] + part["top"] + html[at:]
    end = html.lower().rfind("</body>")
    return html[:end] + part["bottom"] + html[end:] if end >= 0 else html + part["bottom"]


def _card_in_runs_dir(run_id: str) -> str:
    path = settings.RUNS_DIR / run_id / "report.html"
    # A run id is read from the run's own report.json: never let it climb out of RUNS_DIR.
    if Path(run_id).name != run_id or not path.is_file():
        raise Http404(f"The model card of run {run_id} is not in {settings.RUNS_DIR}.")
    return path.read_text(encoding="utf-8")


_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def _model_card_policy(html: str) -> str:
    """The site's policy forbids inline style; the card's styling is a <style> element.

    Allow exactly those elements by hash (not 'unsafe-inline'), and nothing else: no
    scripts, no requests (its plot is inline SVG styled by attributes, which CSP allows).
    """
    digests = (hashlib.sha256(css.encode()).digest() for css in _STYLE_ELEMENT.findall(html))
    hashes = [f"'sha256-{base64.b64encode(d).decode()}'" for d in digests]
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'none'",
            "style-src " + (" ".join(hashes) or "'none'"),
            "form-action 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


def _case_list(
    request: HttpRequest, unit: str, title: str, default_sort: str, **where
) -> HttpResponse:
    user = request.user
    run = PublishedRun.objects.first()
    sort = request.GET.get("sort", default_sort)
    sort = sort if sort in SORTS else default_sort
    entries = []
    if run:
        filters = (
            {"practice": where["practice"]}
            if "practice" in where
            else {"practice__team": where["team"]}
        )
        entries = list(
            CaseListEntry.objects.filter(run=run, **filters)
            .select_related("practice__organisation")
            .order_by(*SORTS[sort])
        )
    # Past the end is the last page; before the start (0, -1) the first, not the last.
    asked = request.GET.get("page", "")
    page = Paginator(entries, PAGE_SIZE).get_page(
        1 if asked.lstrip("-").isdigit() and int(asked) < 1 else asked
    )
    # Only the people on the page are re-identified, and so audited as seen.
    named = _reidentify(user, page.object_list)
    _audit(user, unit, entries, named)
    context = {
        "title": title,
        "unit": unit,
        "run": run,
        "rows": [_row(e, named.get(e.pseudonym)) for e in page.object_list],
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "named_count": len(named),
        "sort": sort,
        "sort_names": _sort_names(team="team" in where),
        "aggregates": _aggregates(entries),
        "pseudonymised": not named,
        "first_list": run is not None and run.is_first,
        **where,
    }
    return render(request, "caselists/case_list.html", context)


def _sort_names(*, team: bool) -> list[tuple[str, str]]:
    """(sort, its name) for the "Sort by" list, in the order of the table's columns."""
    return [
        (key, TEAM_RANK_NAME if team and key == "rank" else name)
        for key, name in SORT_NAMES.items()
    ]


def _row(entry: CaseListEntry, person) -> dict:
    """A row of the list: an exact age only where the person is named; a pseudonymised
    row shows the 5-year band the meeting pack uses."""
    factors = entry.top_factors if person else [pseudonymised_factor(f) for f in entry.top_factors]
    return {"entry": entry, "person": person, "factors": factors}


def _reidentify(user, entries: Sequence[CaseListEntry]) -> dict:
    """Pseudonym -> Person, for the people this user may see, and only them."""
    if not entries:
        return {}
    people = people_visible_to(user).filter(pseudonym__in=[e.pseudonym for e in entries])
    return {p.pseudonym: p for p in people}


def _audit(user, unit: str, entries, named: dict) -> None:
    if named:
        AuditEvent.record_many(
            by=user,
            action=AuditEvent.Action.CASE_LIST_VIEWED,
            people=named.values(),
            detail=f"case list of {unit}",
        )
    else:
        AuditEvent.record(
            by=user,
            action=AuditEvent.Action.CASE_LIST_VIEWED,
            purpose=AuditEvent.Purpose.OPERATIONS,
            detail=f"pseudonymised case list of {unit}, {len(entries)} entries",
        )


def _aggregates(entries: list[CaseListEntry]) -> dict:
    if not entries:
        return {}
    # Counted by kind: "aged 88" and "aged 89" are one reason, age, to the MDT.
    factors = Counter(reason_kind(f) for e in entries for f in e.top_factors)
    frailty = Counter(e.efi_category or "not scored" for e in entries)
    return {
        "people": len(entries),
        "new": sum(e.new_entrant for e in entries),
        "mean_risk": sum(e.risk for e in entries) / len(entries),
        "frailty": sorted(frailty.items()),
        "factors": factors.most_common(5),
    }
