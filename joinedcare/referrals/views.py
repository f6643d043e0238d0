"""The Single Point of Access's pages: queues, the referral form, a person's referrals.

Views parse, call an action and render. People appear only through the access rule:
queues list the referrals of the access points the user works in (a registered
relationship), and every person page goes through `person_view`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from joinedcare.access.views import person_view
from joinedcare.audit.models import AuditEvent
from joinedcare.home.once import already_sent, save_once
from joinedcare.people.models import Person
from joinedcare.staff.models import StaffUser, has_permission
from joinedcare.staff.roles import Permission, roles_with

from . import actions, clock, urgency
from .forms import AssessmentForm, PhoneReferralForm, TriageForm
from .models import Referral, SinglePointOfAccess

QUEUES = [
    (Referral.Status.NEW, "New (arrived out of hours)"),
    (Referral.Status.AWAITING_TRIAGE, "Awaiting triage"),
    (Referral.Status.AWAITING_ASSESSMENT, "Awaiting assessment"),
    (Referral.Status.ALLOCATED, "Allocated"),
    (Referral.Status.CLOSED, "Closed"),
]
CLOSED_SHOWN = 50


def add_errors(form, error: ValidationError) -> None:
    """Put an action's field errors on the form (unknown fields become form errors)."""
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def my_access_points(user):
    return SinglePointOfAccess.objects.filter(staff=user)


def audit_shown(user, people, detail: str) -> None:
    """One audit event per person shown on a work queue."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            actor_role=user.role,
            actor_organisation=str(user.organisation or ""),
            person_id=person_id,
            action=AuditEvent.Action.QUEUE_VIEWED,
            purpose=AuditEvent.Purpose.TREATMENT,
            detail=detail,
        )
        for person_id in {p.pk if isinstance(p, Person) else p for p in people}
    )


def queues(request: HttpRequest) -> HttpResponse:
    """The SPA's queues: every open referral, or one queue's, most urgent first, with
    those waiting past their urgency's response time marked overdue."""
    spas = my_access_points(request.user).filter(kind=SinglePointOfAccess.Kind.ADULTS)
    if not spas.exists():
        return render(request, "referrals/not_in_spa.html", status=403)
    shown = request.GET.get("queue", "")
    referrals = (
        Referral.objects.filter(spa__in=spas)
        .select_related("person", "spa")
        .prefetch_related("episodes__service")
    )
    counts = {
        status: referrals.filter(status=status).count()
        for status, _ in QUEUES
        if status != Referral.Status.CLOSED
    }
    if shown not in dict(QUEUES):
        shown = ""
    listed = referrals.filter(status=shown) if shown else referrals.filter(status__in=Referral.OPEN)
    # Closed referrals are a record, newest first; every open queue is worked most urgent
    # first, so an immediate referral is never below routine ones.
    if shown == Referral.Status.CLOSED:
        listed = listed.order_by("-received_at")[:CLOSED_SHOWN]
    else:
        listed = urgency.most_urgent_first(listed)
    listed = list(listed)
    audit_shown(request.user, [r.person for r in listed], "SPA queue")
    now = clock.now()
    context = {
        "queues": QUEUES,
        "counts": counts,
        "shown": shown,
        "rows": urgency.queue_rows(listed, now),
        "spas": spas,
        "in_hours": all(s.in_hours(now) for s in spas),
        "now": now,
    }
    return render(request, "referrals/queues.html", context)


def new_referral(request: HttpRequest) -> HttpResponse:
    """The SPA coordinator's form for a phone call: find or create the person, the story."""
    if not has_permission(request.user, Permission.TAKE_REFERRALS):
        raise PermissionDenied
    spa = my_access_points(request.user).filter(kind=SinglePointOfAccess.Kind.ADULTS).first()
    if spa is None:
        return render(request, "referrals/not_in_spa.html", status=403)
    if request.method == "POST" and (sent := already_sent(request)) is not None:
        return redirect(sent)
    form = PhoneReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():

        def record() -> str:
            referral = _intake(request.user, spa, form)
            if referral.possible_duplicate_of_id:
                messages.warning(
                    request,
                    "This person already has an open referral: the new one is linked "
                    "to it as a possible duplicate.",
                )
            messages.success(request, f"Referral {referral.pk} recorded: {_status_said(referral)}.")
            return reverse("person-spa", kwargs={"person": referral.person.public_id})

        try:
            return redirect(save_once(request, record))
        except ValidationError as error:
            add_errors(form, error)
    return render(request, "referrals/new_referral.html", {"form": form, "spa": spa})


def _status_said(referral: Referral) -> str:
    """The status in a sentence: "new, arrived out of hours", "awaiting triage"."""
    if referral.status == Referral.Status.NEW:
        return "new, arrived out of hours"
    return referral.get_status_display().lower()


@transaction.atomic
def _intake(user, spa, form: PhoneReferralForm) -> Referral:
    person, _ = actions.find_or_create_person(
        by=user, same_person_confirmed=form.cleaned_data["same_person"], **form.person_details()
    )
    return actions.receive_referral(by=user, spa=spa, person=person, **form.story())


def _assessors():
    return StaffUser.objects.filter(
        role__in=roles_with(Permission.TRIAGE_REFERRALS), is_active=True
    ).order_by("last_name", "first_name")


def form_prefix(step: str, pk: int) -> str:
    """The prefix of one referral's (or episode's) form for a step: its ids are unique on
    the page, and a failed form's errors and text stay with the referral it was for."""
    return f"{step}-{pk}"


def posted_id(request: HttpRequest, name: str) -> int:
    """The referral or episode a form was for, posted outside the form's prefix (which is
    built from it); 404 when missing or not a number."""
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


def form_for(failed: Form | None, prefix: str, build):
    """The form that failed, if it is this one, to show its errors in place; else a new
    one from `build(prefix)`."""
    if failed is not None and failed.prefix == prefix:
        return failed
    return build(prefix)


def render_person_spa(
    request, person: Person, status: int = 200, failed: Form | None = None
) -> HttpResponse:
    """A person's referrals, each with its own forms for the next step; `failed` is a
    form that failed, shown with its errors under its own referral."""
    from joinedcare.services.views import episode_forms

    referrals = list(
        person.referrals.select_related("spa__place", "received_by", "possible_duplicate_of")
        .prefetch_related(
            "assessments__assessor__organisation",
            "assessments__assessor_organisation",
            "allocations__staff",
            "episodes__service__provider",
            "episodes__extensions",
        )
        .order_by("-received_at")
    )
    sections = [
        {
            "referral": r,
            # Triage is the assessment team's, in its hours: out of them, say so, not a form.
            "triage_now": r.spa.in_hours(clock.now()),
            "triage_form": form_for(
                failed,
                form_prefix("triage", r.pk),
                lambda p: TriageForm(assessors=_assessors(), prefix=p),
            ),
            "assessment_form": form_for(
                failed, form_prefix("assess", r.pk), lambda p: AssessmentForm(prefix=p)
            ),
            **episode_forms(request, r, failed),
        }
        for r in referrals
    ]
    context = {
        "person": person,
        "sections": sections,
        "failed_form": failed,
        "today": clock.today(),
        "can_triage": has_permission(request.user, Permission.TRIAGE_REFERRALS),
    }
    return render(request, "referrals/person_spa.html", context, status=status)


@person_view("referrals page")
def person_spa(request: HttpRequest, person: Person) -> HttpResponse:
    return render_person_spa(request, person)


def _referral_of(person: Person, referral_id) -> Referral:
    return get_object_or_404(Referral, pk=referral_id, person=person)


@person_view("triage")
def triage(request: HttpRequest, person: Person) -> HttpResponse:
    if request.method != "POST":
        return redirect("person-spa", person=person.public_id)
    referral = _referral_of(person, posted_id(request, "referral"))
    form = TriageForm(
        request.POST, assessors=_assessors(), prefix=form_prefix("triage", referral.pk)
    )
    if form.is_valid():
        try:
            actions.triage(
                by=request.user,
                referral=referral,
                decision=form.cleaned_data["decision"],
                assessor=form.cleaned_data["assessor"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except PermissionError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Triage recorded.")
            return redirect("person-spa", person=person.public_id)
    return render_person_spa(request, person, status=400, failed=form)


@person_view("assessment")
def assess(request: HttpRequest, person: Person) -> HttpResponse:
    if request.method != "POST":
        return redirect("person-spa", person=person.public_id)
    referral = _referral_of(person, posted_id(request, "referral"))
    form = AssessmentForm(request.POST, prefix=form_prefix("assess", referral.pk))
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_assessment(
                by=request.user,
                referral=referral,
                needs=data["needs"],
                strengths=data["strengths"],
                networks=data["networks"],
                proposed_services=data["proposed_services"],
                at_home=data["at_home"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except PermissionError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Assessment recorded.")
            return redirect("person-spa", person=person.public_id)
    return render_person_spa(request, person, status=400, failed=form)
