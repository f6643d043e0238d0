"""Changes to referrals: each with an actor, in one transaction, with an audit event.

Invalid input raises `ValidationError` keyed by the field it is about, before anything
is written; the transaction makes sure nothing is half-saved either way.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from joinedcare.audit.models import AuditEvent
from joinedcare.people.models import Person
from joinedcare.people.names import name_key
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from . import clock, sharing
from .models import Allocation, ApiClient, Assessment, Referral, SinglePointOfAccess


def _require(by, permission: str, message: str) -> None:
    if not has_permission(by, permission):
        raise PermissionError(message)


# Asked of the coordinator when a known NHS number comes with another name or sex; the
# form sets it as the confirmation's own message, so the error summary shows it alone.
SAME_PERSON_UNCONFIRMED = (
    "Check the NHS number, or confirm this is the same person (for example, after a change of name)"
)
# What the coordinator is told differs, never the record's value (the caller may be
# someone else fishing for it).
_DETAIL_LABELS = {"given_name": "Given name", "family_name": "Family name", "sex": "Sex"}


def details_differing(person: Person, *, given_name: str, family_name: str, sex: str) -> list[str]:
    """The fields ("given_name", "family_name", "sex") typed differently from the record."""
    differing = [
        field
        for field, typed in (("given_name", given_name), ("family_name", family_name))
        if name_key(typed) != name_key(getattr(person, field))
    ]
    # "Not known" on either side contradicts nothing.
    if Person.Sex.UNKNOWN not in (sex, person.sex) and sex != person.sex:
        differing.append("sex")
    return differing


def _check_same_person(by, person: Person, differing: list[str], confirmed: bool | None) -> None:
    if not differing or confirmed is None:
        return
    if not confirmed:
        errors = {
            f: f"{_DETAIL_LABELS[f]} does not match the NHS number's record" for f in differing
        }
        errors["same_person"] = SAME_PERSON_UNCONFIRMED
        raise ValidationError(errors)
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.VIEW,
        person=person,
        detail="matched by NHS number at referral intake; "
        + ", ".join(_DETAIL_LABELS[f].lower() for f in differing)
        + " typed differently, confirmed the same person",
    )


@transaction.atomic
def find_or_create_person(
    *,
    by,
    nhs_number: str,
    given_name: str,
    family_name: str,
    date_of_birth,
    sex: str,
    postcode: str = "",
    same_person_confirmed: bool | None = None,
) -> tuple[Person, bool]:
    """The person with this NHS number, or a new record.

    A different date of birth for a known NHS number is an error (a mistyped number must
    not join two people's stories). A different name or sex may be right (a new name, a
    nickname): with `same_person_confirmed` False it is refused naming the fields, so the
    form can ask; True files it and audits the confirmation. None is for callers that
    cannot ask yet (the API, Discharge to Assess): the details are not compared."""
    person = Person.objects.filter(nhs_number=nhs_number).first()
    if person is not None:
        if person.date_of_birth != date_of_birth:
            raise ValidationError(
                {"date_of_birth": "Date of birth does not match the NHS number's record"}
            )
        differing = details_differing(
            person, given_name=given_name, family_name=family_name, sex=sex
        )
        _check_same_person(by, person, differing, same_person_confirmed)
        return person, False
    person = Person(
        nhs_number=nhs_number,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        date_of_birth=date_of_birth,
        sex=sex,
        postcode=postcode.strip().upper(),
    )
    person.full_clean()
    person.save()
    AuditEvent.record(
        by=by, action=AuditEvent.Action.CREATE, person=person, detail="created at referral intake"
    )
    return person, True


def open_referral_for(person: Person, *, exclude=None) -> Referral | None:
    found = Referral.objects.filter(person=person, status__in=Referral.OPEN)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("received_at", "id").first()


@transaction.atomic
def receive_referral(
    *,
    by,
    spa: SinglePointOfAccess,
    person: Person,
    referrer_source: str,
    referrer_name: str,
    reason: str,
    urgency: str,
    medically_stable: bool,
    consent_to_share: bool,
    sharing_basis: str = "",
    sharing_note: str = "",
    referrer_organisation: str = "",
    referrer_contact: str = "",
    what_matters: str = "",
    networks: str = "",
    strengths: str = "",
    requested_service: str = "",
    api_client: ApiClient | None = None,
    idempotency_key: str = "",
    request_hash: str = "",
    channel: str = "",
) -> Referral:
    """Record a referral (24/7). Out of the assessment team's hours it waits as new for
    the morning; in hours it joins the triage queue. A second open referral for the same
    person is flagged and linked to the first, never merged into it. `channel` is how it
    came (by default from the API client, or a phone call or form).

    Without the person's agreement to share (`consent_to_share` False) the referral needs
    `sharing_basis` (a `SharingBasis` offered on the forms) and `sharing_note`; with it,
    both are ignored. The basis is in the referral's audit event, in words."""
    # A practice MDT's clinicians refer from the meeting without taking the SPA's own
    # referrals (no intake form, no queues).
    if not (
        has_permission(by, Permission.TAKE_REFERRALS)
        or (channel == Referral.Channel.MDT and has_permission(by, Permission.REFER_FROM_MDT))
    ):
        raise PermissionError("Your role does not take referrals.")
    sharing_basis, sharing_note = sharing.checked(
        consent_to_share=consent_to_share, sharing_basis=sharing_basis, sharing_note=sharing_note
    )
    now = clock.now()
    in_hours = spa.in_hours(now)
    referral = Referral(
        spa=spa,
        person=person,
        status=Referral.Status.AWAITING_TRIAGE if in_hours else Referral.Status.NEW,
        received_at=now,
        received_by=by,
        received_out_of_hours=not in_hours,
        channel=channel or (Referral.Channel.API if api_client else Referral.Channel.PHONE),
        referrer_source=referrer_source,
        referrer_name=referrer_name.strip(),
        referrer_organisation=referrer_organisation.strip(),
        referrer_contact=referrer_contact.strip(),
        reason=reason.strip(),
        urgency=urgency,
        medically_stable=medically_stable,
        consent_to_share=consent_to_share,
        sharing_basis=sharing_basis,
        sharing_note=sharing_note,
        what_matters=what_matters.strip(),
        networks=networks.strip(),
        strengths=strengths.strip(),
        requested_service=requested_service,
        possible_duplicate_of=open_referral_for(person),
        api_client=api_client,
        idempotency_key=idempotency_key,
        request_hash=request_hash,
    )
    referral.full_clean(exclude=["possible_duplicate_of", "api_client", "received_by"])
    referral.save()
    detail = f"referral {referral.pk}"
    if referral.possible_duplicate_of_id:
        detail += f", possible duplicate of referral {referral.possible_duplicate_of_id}"
    if not referral.consent_to_share:
        basis = referral.get_sharing_basis_display()
        detail += f"; without the person's agreement to share: {basis}"
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.REFERRAL_RECEIVED,
        person=person,
        # The why of sharing without agreement, in the audit's own "why" (shown to the
        # privacy officer, and to the person in their subject access report).
        reason=referral.shared_without_agreement,
        detail=detail[:200],  # the longest basis fits: the cut is a guard, not expected
    )
    return referral


def receive_referral_once(*, api_client: ApiClient, idempotency_key: str, **fields):
    """`receive_referral` for another system: a retry with the same key returns the
    referral the first try created. Returns (referral, created)."""
    existing = Referral.objects.filter(api_client=api_client, idempotency_key=idempotency_key)
    if idempotency_key and (found := existing.first()):
        return found, False
    try:
        referral = receive_referral(
            api_client=api_client, idempotency_key=idempotency_key, **fields
        )
    except IntegrityError:
        # Two tries with one key at the same moment: the other one committed first.
        found = existing.first()
        if found is None:
            raise
        return found, False
    return referral, True


def _require_in_hours(spa: SinglePointOfAccess, field: str) -> None:
    if not spa.in_hours(clock.now()):
        raise ValidationError(
            {field: f"The assessment team works {spa.hours_label}: this waits for the morning"}
        )


@transaction.atomic
def triage(*, by, referral: Referral, decision: str, assessor=None, note: str = "") -> Referral:
    """The assessment team's triage: allocate an assessor, or close. Episodes the SPA
    commissioned out of hours are marked as seen by this triage."""
    _require(by, Permission.TRIAGE_REFERRALS, "Only the assessment team triages referrals.")
    if referral.status not in (Referral.Status.NEW, Referral.Status.AWAITING_TRIAGE):
        raise ValidationError({"referral": "This referral has already been triaged"})
    _require_in_hours(referral.spa, "decision")
    now = clock.now()
    referral.triaged_at, referral.triaged_by, referral.triage_note = now, by, note.strip()
    referral.episodes.filter(commissioned_out_of_hours=True, reviewed_in_triage_at=None).update(
        reviewed_in_triage_at=now
    )
    if decision == "assess":
        if assessor is None:
            raise ValidationError({"assessor": "Choose the assessor to allocate"})
        referral.status = Referral.Status.AWAITING_ASSESSMENT
        referral.save()
        allocate_staff(by=by, referral=referral, staff=assessor, purpose="assessment")
    elif decision == "close":
        referral.save()
        close_referral(by=by, referral=referral, reason=note.strip() or "Closed at triage")
    else:
        raise ValidationError({"decision": "Choose what happens next"})
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.REFERRAL_TRIAGED,
        person=referral.person,
        detail=f"referral {referral.pk}: {decision}",
    )
    return referral


@transaction.atomic
def allocate_staff(*, by, referral: Referral, staff, purpose: str) -> Allocation:
    """Allocate a member of staff to a referral: they may see the person while it lasts."""
    allocation = Allocation.objects.create(
        referral=referral, staff=staff, purpose=purpose, started_at=clock.now(), allocated_by=by
    )
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.STAFF_ALLOCATED,
        person=referral.person,
        detail=f"referral {referral.pk}: user {staff.pk} for {purpose}"[:200],
    )
    return allocation


@transaction.atomic
def record_assessment(
    *,
    by,
    referral: Referral,
    needs: str,
    strengths: str = "",
    networks: str = "",
    proposed_services: list[str] = (),
    at_home: bool = False,
) -> Assessment:
    """One assessment, recorded once and accepted by every partner: whose organisation's
    assessor did it is kept with it."""
    _require(by, Permission.TRIAGE_REFERRALS, "Only the assessment team records assessments.")
    if not referral.is_open:
        raise ValidationError({"referral": "This referral is closed"})
    if not needs.strip():
        raise ValidationError({"needs": "Enter the person's needs"})
    assessment = Assessment.objects.create(
        referral=referral,
        assessor=by,
        assessor_organisation=by.organisation,
        trusted_assessment=True,
        at_home=at_home,
        assessed_at=clock.now(),
        needs=needs.strip(),
        strengths=strengths.strip(),
        networks=networks.strip(),
        proposed_services=list(proposed_services),
    )
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.ASSESSMENT_RECORDED,
        person=referral.person,
        detail=f"referral {referral.pk}: assessment {assessment.pk}",
    )
    return assessment


@transaction.atomic
def close_referral(*, by, referral: Referral, reason: str) -> Referral:
    """Close the referral; every allocation to it ends with it."""
    now = clock.now()
    referral.status = Referral.Status.CLOSED
    referral.closed_at = now
    referral.closed_reason = reason.strip()
    referral.save(update_fields=["status", "closed_at", "closed_reason"])
    referral.allocations.filter(ended_at=None).update(ended_at=now)
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.REFERRAL_CLOSED,
        person=referral.person,
        reason=referral.closed_reason,
        detail=f"referral {referral.pk}",
    )
    return referral
