"""Finding a person and their page. Every read goes through `joinedcare.access`."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from joinedcare.access.models import BreakGlass
from joinedcare.access.rules import people_visible_to
from joinedcare.access.views import person_view
from joinedcare.analytics.features import months_before
from joinedcare.audit.models import AuditEvent
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from . import records, sections
from .forms import PersonSearchForm
from .models import Person
from .names import name_key

MAX_RESULTS = 25


def search(request: HttpRequest) -> HttpResponse:
    """POST keeps NHS numbers and names out of URLs, and so out of server logs."""
    if not has_permission(request.user, Permission.VIEW_PERSON_RECORD):
        return render(request, "people/no_search.html", status=403)
    form = PersonSearchForm(request.POST or None)
    context = {"form": form, "searched": False}
    if request.method == "POST" and form.is_valid():
        context |= _results(request, form.cleaned_data)
    return render(request, "people/search.html", context)


def _results(request: HttpRequest, query: dict) -> dict:
    visible = people_visible_to(request.user).select_related("practice__organisation")
    if query["nhs_number"]:
        found = visible.filter(nhs_number=query["nhs_number"])
        found = list(found.order_by("family_name", "given_name")[:MAX_RESULTS])
    else:
        found = _by_name(visible, query["family_name"], query["date_of_birth"])
    AuditEvent.record_many(
        by=request.user,
        action=AuditEvent.Action.SEARCH,
        people=found,
        detail="by NHS number" if query["nhs_number"] else "by name and date of birth",
    )
    # Someone outside the user's relationships can be reached only by exact NHS number,
    # and only as a route to break glass: no name or detail is shown.
    elsewhere = None
    if not found and query["nhs_number"]:
        elsewhere = Person.objects.filter(nhs_number=query["nhs_number"]).first()
    return {
        "searched": True,
        "results": found,
        "elsewhere": elsewhere,
        "by_number": bool(query["nhs_number"]),
    }


def _by_name(visible, family_name: str, born) -> list[Person]:
    """People born that day whose family name matches whatever the case, accents or
    apostrophes. The date of birth leaves a handful of people to compare in Python, the
    same on SQLite and PostgreSQL; a database comparison would not fold accents alike."""
    wanted = name_key(family_name)
    same_day = visible.filter(date_of_birth=born).order_by("family_name", "given_name")
    return [p for p in same_day if name_key(p.family_name) == wanted][:MAX_RESULTS]


@person_view("person page")
def person_page(request: HttpRequest, person: Person) -> HttpResponse:
    today = timezone.localdate()
    if person.date_of_death:
        messages.info(request, f"This person died on {person.date_of_death:%-d %B %Y}.")
    recent_from = _recent_from(today)
    decision = request.access_decision
    # Whoever broke the glass must know when the record will close on them (mid-call).
    grant = None
    if decision.by_break_glass:
        grant = (
            BreakGlass.objects.active()
            .filter(user=request.user, person=person)
            .order_by("-expires_at")
            .first()
        )
    summary = records.summary_for(settings.RECORDS_DIR, person.nhs_number, recent_from=recent_from)
    context = {
        "person": person,
        "recent_from": recent_from,
        "age": person.age_on(person.date_of_death or today),
        "summary": summary,
        "decision": decision,
        "break_glass": grant,
        "sections": [
            {"title": s.title, "template": s.template, **s.context(request, person)}
            for s in sections.sections()
        ],
    }
    return render(request, "people/person.html", context)


def _recent_from(today):
    """The first day of the last 12 months of the record, which ends today or at the
    extract's last day. Counted as the case lists count their 12-month windows (whole
    months back from the day after), so the page and the list agree ("36 GP contacts")."""
    latest = records.latest_activity_date(settings.RECORDS_DIR)
    last = min(today, latest) if latest else today
    return months_before(last + timedelta(days=1), 12)
