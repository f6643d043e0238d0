"""The privacy officer's pages: the audit trail, break-glass alerts, subject access."""

import csv
import json
from datetime import datetime, time

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from joinedcare.access import actions
from joinedcare.access.models import BreakGlass
from joinedcare.people.models import Person
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from . import subject_access as held_records
from .forms import AuditFilterForm, ReviewForm, SubjectAccessForm
from .models import AuditEvent

PAGE = 200
CSV_COLUMNS = [
    "occurred_at",
    "actor",
    "actor_role",
    "actor_organisation",
    "person_pseudonym",
    "action",
    "purpose",
    "reason",
    "detail",
    # The codes above are for machines (FHIR purpose of use); these say them in words.
    "actor_role_label",
    "action_label",
    "purpose_label",
]


def _require(request: HttpRequest, permission: str) -> None:
    if not has_permission(request.user, permission):
        raise PermissionDenied


def _filtered(form: AuditFilterForm):
    events = AuditEvent.objects.select_related("actor", "person")
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    if data["username"]:
        events = events.filter(actor__username__iexact=data["username"])
    if data["role"]:
        events = events.filter(actor_role=data["role"])
    if data["nhs_number"]:
        events = events.filter(person__nhs_number=data["nhs_number"])
    if data["action"]:
        events = events.filter(action=data["action"])
    if data["purpose"]:
        events = events.filter(purpose=data["purpose"])
    if data["since"]:
        events = events.filter(occurred_at__gte=datetime.combine(data["since"], time.min, tz))
    if data["until"]:
        events = events.filter(occurred_at__lte=datetime.combine(data["until"], time.max, tz))
    return events


def events(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.REVIEW_AUDIT)
    form = AuditFilterForm(request.GET)
    found = _filtered(form)
    context = {
        "form": form,
        "events": found[:PAGE],
        "count": found.count(),
        "page": PAGE,
        "query": request.GET.urlencode(),
        "alerts": BreakGlass.objects.awaiting_review().count(),
    }
    return render(request, "audit/events.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def export(request: HttpRequest) -> StreamingHttpResponse:
    """Every matching event as CSV; people appear by pseudonym, never by identifier."""
    _require(request, Permission.REVIEW_AUDIT)
    found = _filtered(AuditFilterForm(request.GET))
    export = AuditEvent.record(
        by=request.user,
        action=AuditEvent.Action.AUDIT_EXPORT,
        purpose=AuditEvent.Purpose.OPERATIONS,
        detail=f"{found.count()} events",
    )
    # The file holds the events counted above, not the record of this export itself.
    found = found.exclude(pk=export.pk)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for e in found.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.occurred_at.isoformat(),
                    e.actor.username,
                    e.actor_role,
                    e.actor_organisation,
                    e.person.pseudonym if e.person else "",
                    e.action,
                    e.purpose,
                    e.reason,
                    e.detail,
                    e.actor_role_label,
                    e.get_action_display(),
                    e.get_purpose_display(),
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def break_glass_alerts(request: HttpRequest) -> HttpResponse:
    _require(request, Permission.REVIEW_AUDIT)
    waiting = BreakGlass.objects.awaiting_review().select_related("user__organisation", "person")
    reviewed = BreakGlass.objects.filter(reviewed_at__isnull=False).select_related(
        "user__organisation", "reviewed_by", "person"
    )[:50]
    context = {"waiting": waiting, "reviewed": reviewed, "form": ReviewForm()}
    return render(request, "audit/break_glass.html", context)


def review_break_glass(request: HttpRequest, grant: int) -> HttpResponse:
    _require(request, Permission.REVIEW_AUDIT)
    grant = get_object_or_404(BreakGlass, pk=grant, reviewed_at__isnull=True)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.review_break_glass(by=request.user, grant=grant, note=form.cleaned_data["note"])
        return redirect("audit-break-glass")
    context = {"waiting": [grant], "reviewed": [], "form": form}
    return render(request, "audit/break_glass.html", context, status=400 if form.errors else 200)


def subject_access(request: HttpRequest) -> HttpResponse:
    """Everything held about one person and every access to their record (UK GDPR art. 15)."""
    _require(request, Permission.SUBJECT_ACCESS_REQUEST)
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = Person.objects.filter(nhs_number=form.cleaned_data["nhs_number"]).first()
        if person is None:
            form.add_error("nhs_number", "No record is held for this NHS number")
        else:
            return _subject_access_report(request, person, as_json="download" in request.POST)
    return render(request, "audit/subject_access.html", {"form": form})


def _subject_access_report(request: HttpRequest, person: Person, *, as_json: bool):
    held = held_records.report(person)
    accesses = list(person.audit_events.select_related("actor").order_by("occurred_at"))
    glass = list(person.break_glass.select_related("user"))
    AuditEvent.record(
        by=request.user,
        action=AuditEvent.Action.SUBJECT_ACCESS,
        person=person,
        purpose=AuditEvent.Purpose.PATIENT_REQUEST,
        detail="download" if as_json else "report",
    )
    if as_json:
        return _subject_access_json(held, accesses, glass)
    context = {"person": person, "held": held, "accesses": accesses}
    return render(request, "audit/subject_access_report.html", context)


def _subject_access_json(held: list[dict], accesses: list, glass: list) -> HttpResponse:
    """The same report as a file: labelled values, so it reads without our schema."""
    document = {
        "sections": [
            {
                "title": section["title"],
                "records": [
                    {
                        "title": record.title,
                        "details": [{"label": k, "value": v} for k, v in record.details],
                    }
                    for record in section["records"]
                ],
            }
            for section in held
        ],
        "break_glass": [
            {
                "by": _name(g.user),
                "role": g.user.role_label(),
                "reason": g.reason,
                "at": g.started_at,
            }
            for g in glass
        ],
        "accesses": [
            {
                "at": e.occurred_at,
                "by": _name(e.actor),
                "role": e.actor_role_label,
                "organisation": e.actor_organisation,
                "action": e.action,
                "purpose": e.purpose,
                "reason": e.reason,
            }
            for e in accesses
        ],
    }
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="subject-access.json"'
    return response


def _name(user) -> str:
    return user.get_full_name() or user.username
