"""Discharge to Assess steps, each with an actor and an audit event."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from joinedcare.audit.models import AuditEvent
from joinedcare.organisations.models import Organisation
from joinedcare.people.models import Person
from joinedcare.referrals import clock
from joinedcare.referrals.actions import allocate_staff, receive_referral_once
from joinedcare.referrals.models import ApiClient, Referral, SinglePointOfAccess
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from .models import STEPS, DischargeCase, days_between

# Medically fit longer ago than this is taken for a mistyped date.
MAX_DAYS_FIT = 365


@transaction.atomic
def add_medically_fit(
    *,
    by,
    spa: SinglePointOfAccess,
    person: Person,
    hospital: Organisation,
    ward: str,
    medically_fit_at: datetime,
    reason: str,
    consent_to_share: bool,
    sharing_basis: str = "",
    sharing_note: str = "",
    what_matters: str = "",
    api_client: ApiClient | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
) -> tuple[DischargeCase, bool]:
    """Put a person on the Discharge to Assess track, with a referral to the SPA (the
    story is told once). A retried API submission returns the first case. Without the
    person's agreement to share, the referral needs `sharing_basis` and `sharing_note`."""
    if medically_fit_at > clock.now():
        raise ValidationError({"medically_fit_at": "This cannot be in the future"})
    if medically_fit_at < clock.now() - timedelta(days=MAX_DAYS_FIT):
        # A mistyped year would count as years of delay in every delay figure.
        raise ValidationError(
            {"medically_fit_at": "This is more than a year ago: check the date and year"}
        )
    referral, created = receive_referral_once(
        by=by,
        spa=spa,
        person=person,
        referrer_source=Referral.Source.HOSPITAL_WARD,
        referrer_name=f"{hospital.name}, {ward}",
        referrer_organisation=ward,
        reason=reason,
        urgency=Referral.Urgency.TODAY,
        medically_stable=True,
        consent_to_share=consent_to_share,
        sharing_basis=sharing_basis,
        sharing_note=sharing_note,
        what_matters=what_matters,
        api_client=api_client,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )
    if not created:
        return referral.discharge, False
    case = DischargeCase.objects.create(
        hospital=hospital,
        ward=ward.strip(),
        person=person,
        referral=referral,
        recorded_by=by,
        medically_fit_at=medically_fit_at,
    )
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.DISCHARGE_STEP,
        person=person,
        detail=f"discharge {case.pk}: medically fit",
    )
    return case, True


@transaction.atomic
def record_step(
    *, by, case: DischargeCase, at: datetime | None = None, assessor=None, late_reason: str = ""
) -> DischargeCase:
    """Record the case's next step at `at` (default now). A step later than its target
    needs the reason; the delay is counted in calendar days in Europe/London."""
    if not (
        has_permission(by, Permission.TRIAGE_REFERRALS)
        or has_permission(by, Permission.TAKE_REFERRALS)
    ):
        raise PermissionError("Your role does not record Discharge to Assess steps.")
    step = case.next_step()
    if step is None:
        raise ValidationError({"at": "Every step is already recorded"})
    at = at or clock.now()
    previous = case.step_times()[STEPS.index(step)]
    if at < previous:
        raise ValidationError({"at": "A step cannot come before the one before it"})
    if at > clock.now():
        raise ValidationError({"at": "This cannot be in the future"})
    days = days_between(previous, at)
    late_reason = late_reason.strip()
    if days > step.target_days and not late_reason:
        raise ValidationError(
            {
                "late_reason": f"{step.label} took {days} days (target {step.target_days}): "
                "give the reason it is late"
            }
        )
    if step.name == "assessor_allocated_at":
        if assessor is None:
            raise ValidationError({"assessor": "Choose the trusted assessor"})
        case.trusted_assessor = assessor
        if case.referral_id:
            allocate_staff(
                by=by, referral=case.referral, staff=assessor, purpose="trusted assessment"
            )
    setattr(case, step.name, at)
    setattr(case, step.reason_field, late_reason)
    case.save()
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.DISCHARGE_STEP,
        person=case.person,
        reason=late_reason,
        detail=f"discharge {case.pk}: {step.label.lower()} after {days} days",
    )
    return case
