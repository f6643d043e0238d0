"""Discharge to Assess pages: the tracking list, a hospital's list entry, a person's steps."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from joinedcare.access.views import person_view
from joinedcare.home.once import already_sent, save_once
from joinedcare.people.models import Person
from joinedcare.referrals import actions as referral_actions
from joinedcare.referrals import clock
from joinedcare.referrals.api import (
    _messages,
    _problem,
    authenticate,
    form_data,
    key_reused,
    parse_json,
)
from joinedcare.referrals.models import Referral, SinglePointOfAccess
from joinedcare.referrals.views import add_errors, audit_shown, my_access_points
from joinedcare.staff.models import StaffUser, has_permission
from joinedcare.staff.roles import Permission

from . import actions
from .forms import MedicallyFitForm, StepForm
from .models import STEPS, DischargeCase


def _assessors():
    return StaffUser.objects.filter(
        is_active=True, role__in=["assessor", "therapist", "social_worker"]
    )


def tracking(request: HttpRequest) -> HttpResponse:
    spas = my_access_points(request.user)
    mine = Q(referral__spa__in=spas) | Q(trusted_assessor=request.user)
    if (
        not spas.exists()
        and not DischargeCase.objects.filter(trusted_assessor=request.user).exists()
    ):
        return render(request, "referrals/not_in_spa.html", status=403)
    now = clock.now()
    cases = list(
        DischargeCase.objects.filter(mine, services_started_at=None)
        .select_related("person", "hospital", "trusted_assessor")
        .order_by("medically_fit_at")
    )
    done = DischargeCase.objects.filter(mine, services_started_at__isnull=False).count()
    audit_shown(request.user, [c.person for c in cases], "Discharge to Assess list")
    rows = [{"case": c, "delays": c.delays(now), "total": c.total_days(now)} for c in cases]
    return render(
        request,
        "discharge/tracking.html",
        {"rows": rows, "steps": STEPS, "done": done, "now": now},
    )


def add(request: HttpRequest) -> HttpResponse:
    """Add a person from a hospital's medically fit list (the form twin of the API)."""
    if not has_permission(request.user, Permission.TAKE_REFERRALS):
        raise PermissionDenied
    spa = my_access_points(request.user).filter(kind=SinglePointOfAccess.Kind.ADULTS).first()
    if spa is None:
        return render(request, "referrals/not_in_spa.html", status=403)
    if request.method == "POST" and (sent := already_sent(request)) is not None:
        return redirect(sent)
    form = MedicallyFitForm(
        request.POST if request.method == "POST" else None,
        initial={"medically_fit_at": clock.local(clock.now()).strftime("%d/%m/%Y %H:%M")},
    )
    if request.method == "POST" and form.is_valid():

        def add_person() -> str:
            case, _ = _add(
                request.user, spa, form, same_person_confirmed=form.cleaned_data["same_person"]
            )
            messages.success(request, "Added to Discharge to Assess, with a referral to the SPA.")
            return reverse("person-discharge", kwargs={"person": case.person.public_id})

        try:
            return redirect(save_once(request, add_person))
        except ValidationError as error:
            add_errors(form, error)
    return render(request, "discharge/add.html", {"form": form, "spa": spa})


@transaction.atomic
def _add(user, spa, form, same_person_confirmed: bool | None = None, **api):
    """`same_person_confirmed` as `find_or_create_person` takes it: the form asks (a known
    NHS number with another name or sex), another system (the API) cannot (None)."""
    details = {k: form.cleaned_data[k] for k in MedicallyFitForm.PERSON_FIELDS}
    person, _ = referral_actions.find_or_create_person(
        by=user, same_person_confirmed=same_person_confirmed, **details
    )
    data = form.cleaned_data
    return actions.add_medically_fit(
        by=user,
        spa=spa,
        person=person,
        hospital=data["hospital"],
        ward=data["ward"],
        medically_fit_at=data["medically_fit_at"],
        reason=data["reason"],
        consent_to_share=data["consent_to_share"],
        sharing_basis=data["sharing_basis"],
        sharing_note=data["sharing_note"],
        what_matters=data["what_matters"],
        **api,
    )


@person_view("Discharge to Assess")
def person_discharge(request: HttpRequest, person: Person) -> HttpResponse:
    cases = list(
        person.discharges.select_related("hospital", "trusted_assessor", "referral").order_by(
            "-medically_fit_at"
        )
    )
    form = StepForm(request.POST if request.method == "POST" else None, assessors=_assessors())
    if request.method == "POST":
        case = get_object_or_404(DischargeCase, pk=request.POST.get("case"), person=person)
        if form.is_valid():
            try:
                actions.record_step(by=request.user, case=case, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            except PermissionError as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "Step recorded.")
                return redirect("person-discharge", person=person.public_id)
    now = clock.now()
    context = {
        "person": person,
        "cases": [
            {"case": c, "delays": c.delays(now), "total": c.total_days(now), "next": c.next_step()}
            for c in cases
        ],
        "form": form,
    }
    return render(request, "discharge/person.html", context, status=400 if form.errors else 200)


@login_not_required
@csrf_exempt
@require_POST
def api_medically_fit(request: HttpRequest) -> JsonResponse:
    """POST /api/discharge/medically-fit: a hospital's list, one person per request. A retry
    with the same Idempotency-Key returns the first case (200); the same key with a
    different body is refused (409), as in the SPA intake API."""
    client = authenticate(request)
    if client is None:
        return _problem(401, {"Authorization": ["Send a valid bearer token"]})
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 200:
        return _problem(
            400, {"Idempotency-Key": ["Send an Idempotency-Key header (at most 200 characters)"]}
        )
    digest = hashlib.sha256(request.body).hexdigest()
    # Refuse a reused key before the body can find or create a person.
    first = Referral.objects.filter(api_client=client, idempotency_key=key).first()
    if first is not None and (refused := key_reused(first, digest)):
        return refused
    body, problem = parse_json(request, MedicallyFitForm)
    if problem:
        return problem
    form = MedicallyFitForm(form_data(body, MedicallyFitForm))
    if not form.is_valid():
        return _problem(400, _messages(form.errors))
    try:
        case, created = _add(
            client.acts_as,
            client.spa,
            form,
            api_client=client,
            idempotency_key=key,
            request_hash=digest,
        )
    except ValidationError as error:
        return _problem(400, error.message_dict)
    # Two tries with one key at once: the other may have committed a different body first.
    if not created and (refused := key_reused(case.referral, digest)):
        return refused
    response = JsonResponse(
        {
            "discharge": case.pk,
            "referral": case.referral_id,
            "person": str(case.person.public_id),
            "created": created,
        },
        status=201 if created else 200,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response
