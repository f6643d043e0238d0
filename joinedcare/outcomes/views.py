"""The outcomes dashboard (issue 6): each metric as an SPC chart per place, locality, team or
practice, its data as CSV, and its inequality breakdowns.

Only aggregates are shown, every figure through `suppression.suppress`, to anyone with
VIEW_TEAM_AGGREGATES. Viewing is not audited: the pages show no person's data, and the audit
trail has no action for aggregate views (AuditEvent records access to people's records).
"""

import csv
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from joinedcare.analytics import profiles
from joinedcare.analytics.store import Store
from joinedcare.analytics.suppression import RULE_TEXT
from joinedcare.organisations.models import Locality, Place, Practice, Team
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from . import figures

MODELS = {
    "place": (Place, "code"),
    "locality": (Locality, "code"),
    "team": (Team, "code"),
    "practice": (Practice, "organisation__code"),
}


def _check(request: HttpRequest) -> None:
    if not has_permission(request.user, Permission.VIEW_TEAM_AGGREGATES):
        raise PermissionDenied


def _unit(level: str, code: str):
    if level not in MODELS:
        raise Http404("Unknown level")
    model, field = MODELS[level]
    return get_object_or_404(model, **{field: code})


def _names(level: str, unit: Place | Locality | Team | Practice) -> dict[str, str]:
    """Unit key -> name, for the comparison tables."""
    if level == "practice":
        return {p.code: p.name for p in Practice.objects.select_related("organisation")}
    if level == "place":
        # The engine's key for the one place ("all") is no name to show.
        return {figures.unit_key("place", unit.code): unit.name}
    model, _ = MODELS[level]
    return dict(model.objects.values_list("code", "name"))


def _described(level: str, unit: Place | Locality | Team | Practice) -> str:
    """What the unit is and where, in names ("Locality of Demo County"): the heading's
    caption. A code ("Locality LOC1") means nothing to a commissioner."""
    if level == "locality":
        return f"Locality of {unit.place.name}"
    if level == "team":
        return f"Team Around Patients, {unit.locality.name}"
    if level == "practice":
        return f"GP practice, {unit.team.name}"
    return "Place"


def index(request: HttpRequest) -> HttpResponse:
    _check(request)
    # No computation here: the index only lists the units (and whether a snapshot exists).
    context = {
        "places": Place.objects.all(),
        "localities": Locality.objects.all(),
        "teams": Team.objects.select_related("locality"),
        "practices": Practice.objects.select_related("organisation", "team"),
        "has_snapshot": Store(settings.ANALYTICS_DIR).current() is not None,
    }
    return render(request, "outcomes/index.html", context)


def dashboard(request: HttpRequest, level: str, code: str) -> HttpResponse:
    _check(request)
    unit = _unit(level, code)
    computed = figures.current(settings.ANALYTICS_DIR)
    if computed is None:
        return render(request, "outcomes/no_snapshot.html", {"unit": unit})
    key = figures.unit_key(level, code)
    names = _names(level, unit)
    panels = [figures.panel(computed, metric, level, key) for metric in computed.computed]
    context = {
        "unit": unit,
        "described": _described(level, unit),
        "level": level,
        "code": code,
        "snapshot": computed.snapshot,
        "loaded_at": figures.loaded_at(computed.snapshot),
        "panels": panels,
        "names": names,
        "skipped": computed.skipped,
        "rule": RULE_TEXT,
    }
    return render(request, "outcomes/dashboard.html", context)


def inequalities(request: HttpRequest, level: str, code: str) -> HttpResponse:
    _check(request)
    unit = _unit(level, code)
    computed = figures.current(settings.ANALYTICS_DIR)
    if computed is None:
        return render(request, "outcomes/no_snapshot.html", {"unit": unit})
    key = figures.unit_key(level, code)
    months = figures.period(computed)
    context = {
        "unit": unit,
        "described": _described(level, unit),
        "level": level,
        "code": code,
        "first_month": figures.month_words(months[0]) if months else None,
        "last_month": figures.month_words(months[-1]) if months else None,
        "metrics": [
            figures.inequalities(computed, metric, level, key) for metric in computed.computed
        ],
        "rule": RULE_TEXT,
    }
    return render(request, "outcomes/inequalities.html", context)


def download(request: HttpRequest, level: str, code: str, slug: str) -> HttpResponse:
    """A metric's monthly figures for one unit as CSV, named after the metric, the unit and
    the day the data was loaded."""
    _check(request)
    unit = _unit(level, code)
    computed = figures.current(settings.ANALYTICS_DIR)
    if computed is None or slug not in computed.units:
        raise Http404("No such computed metric")
    metric = computed.metrics[slug]
    rows = figures.csv_rows(
        computed, metric, level, figures.unit_key(level, code), code=code, name=unit.name
    )
    if len(rows) == 1:
        # No months for this unit (a place-only metric below the place): the dashboard offers
        # no download, and a file of a header alone would read as "no activity".
        raise Http404("No figures for this metric and unit")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(computed, level, code, slug)}"'
    )
    csv.writer(response).writerows(rows)
    return response


def _filename(computed: figures.Computed, level: str, code: str, slug: str) -> str:
    """The download's name, <metric>-<level>-<code>-data-loaded-<date>.csv: files from
    different metrics, units or days' data do not overwrite each other in a folder."""
    loaded = figures.loaded_at(computed.snapshot)
    when = f"-data-loaded-{timezone.localdate(loaded).isoformat()}" if loaded else ""
    # Only safe characters in a header value and a file name.
    safe_code = re.sub(r"[^A-Za-z0-9_-]", "_", code)
    return f"{slug}-{level}-{safe_code}{when}.csv"


def locality_profile(request: HttpRequest, code: str) -> HttpResponse:
    """Population by LSOA and age band now and projected, LTC prevalence, deprivation and
    activity (issue 6, locality profiles)."""
    _check(request)
    unit = _unit("locality", code)
    shown = figures.locality_profile(settings.ANALYTICS_DIR, code)
    if shown is None:
        return render(request, "outcomes/no_snapshot.html", {"unit": unit})
    context = {
        "unit": unit,
        "described": _described("locality", unit),
        "level": "locality",
        "code": code,
        "profile": shown,
        "horizons": [(h, "now" if h == 0 else f"in {h} years") for h in profiles.HORIZONS],
        "method": profiles.METHOD_TEXT,
        "rule": RULE_TEXT,
    }
    return render(request, "outcomes/profile.html", context)
