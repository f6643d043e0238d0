"""A person's referrals to the Single Point of Access and their assessments, for their
subject access report."""

from joinedcare.audit.subject_access import Record, Section, details, readable, register

from .models import Assessment, Referral

# The referrer's phone or email is the referrer's data, not the person's; the intake
# machinery (idempotency keys, request hashes) is ours.
REFERRAL = [
    "status",
    "referrer_source",
    "referrer_name",
    "referrer_organisation",
    "reason",
    "urgency",
    "medically_stable",
    "consent_to_share",
    "what_matters",
    "networks",
    "strengths",
    "triaged_at",
    "triage_note",
    "closed_at",
    "closed_reason",
]
# Asked only when the person did not agree to share: with agreement they are empty, and a
# "Not recorded" about something never asked would read as if something were missing.
WITHOUT_AGREEMENT = ["sharing_basis", "sharing_note"]
ASSESSMENT = ["assessor", "at_home", "needs", "strengths", "networks"]


def _referrals(person) -> list[Record]:
    found = (
        Referral.objects.filter(person=person)
        .select_related("spa", "triaged_by")
        .prefetch_related("assessments__assessor")
    )
    records = []
    for referral in found:
        title = f"Referral to {referral.spa.name}, received {readable(referral.received_at)}"
        names = REFERRAL if referral.consent_to_share else _with_sharing_basis(REFERRAL)
        records.append(Record(title, details(referral, names)))
        records += [_assessment(a) for a in referral.assessments.all()]
    return records


def _with_sharing_basis(names: list[str]) -> list[str]:
    """The referral's fields with the basis and note right after the consent they explain."""
    at = names.index("consent_to_share") + 1
    return [*names[:at], *WITHOUT_AGREEMENT, *names[at:]]


def _assessment(assessment: Assessment) -> Record:
    proposed = assessment.proposed_service_names
    rows = [*details(assessment, ASSESSMENT), ("Services proposed", readable(proposed))]
    return Record(f"Assessment, {readable(assessment.assessed_at)}", rows)


register(Section("Referrals and assessments", _referrals, order=10))
