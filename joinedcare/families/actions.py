"""Family referrals to the children's access point, and the virtual MDT's decision."""

from django.core.exceptions import ValidationError
from django.db import transaction

from joinedcare.audit.models import AuditEvent
from joinedcare.referrals import clock
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from .models import FamilyMember, FamilyReferral


@transaction.atomic
def refer_family(
    *,
    by,
    access_point: SinglePointOfAccess,
    household: str,
    members: list,
    referrer: str,
    reason: str,
    emotional_wellbeing: str,
    what_matters: str = "",
) -> FamilyReferral:
    """One referral for the whole household: children and adults together."""
    if not has_permission(by, Permission.TAKE_REFERRALS):
        raise PermissionError("Your role does not take referrals.")
    if not members:
        raise ValidationError({"members": "Enter at least one member"})
    family = FamilyReferral.objects.create(
        access_point=access_point,
        household=household.strip(),
        referred_at=clock.now(),
        referred_by=by,
        referrer=referrer.strip(),
        reason=reason.strip(),
        emotional_wellbeing=emotional_wellbeing.strip(),
        what_matters=what_matters.strip(),
    )
    FamilyMember.objects.bulk_create(
        FamilyMember(family=family, person=person, role=role) for person, role in members
    )
    for person, _ in members:
        AuditEvent.record(
            by=by,
            action=AuditEvent.Action.FAMILY_REFERRED,
            person=person,
            detail=f"family referral {family.pk}",
        )
    return family


@transaction.atomic
def name_key_worker(
    *, by, family: FamilyReferral, key_worker, mdt_members=(), notes=""
) -> FamilyReferral:
    """The virtual MDT's triage: one key worker for the whole family."""
    if not has_permission(by, Permission.TRIAGE_REFERRALS):
        raise PermissionError("Only the access point's MDT triages family referrals.")
    if family.status != FamilyReferral.Status.AWAITING_MDT:
        raise ValidationError({"key_worker": "The MDT has already named a key worker"})
    if key_worker is None:
        raise ValidationError({"key_worker": "Name the key worker"})
    family.key_worker = key_worker
    family.status = FamilyReferral.Status.KEY_WORKER_NAMED
    family.mdt_decided_at = clock.now()
    family.mdt_notes = notes.strip()
    family.save()
    family.mdt_members.set(mdt_members)
    for member in family.members.select_related("person"):
        AuditEvent.record(
            by=by,
            action=AuditEvent.Action.FAMILY_TRIAGED,
            person=member.person,
            detail=f"family referral {family.pk}: key worker user {key_worker.pk}",
        )
    return family
