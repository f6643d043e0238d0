"""Roles are lists of permissions; checks ask for a permission, never for a role."""

from django.db import models


class Role(models.TextChoices):
    GP = "gp", "GP"
    PRACTICE_MANAGER = "practice_manager", "Practice manager"
    DISTRICT_NURSE = "district_nurse", "District nurse"
    VAWAS_NURSE = "vawas_nurse", "VAWAS nurse"
    SOCIAL_WORKER = "social_worker", "Social worker"
    SPA_COORDINATOR = "spa_coordinator", "SPA coordinator"
    ASSESSOR = "assessor", "Trusted assessor"
    THERAPIST = "therapist", "Therapist"
    VCS_WORKER = "vcs_worker", "VCS worker"
    TAP_LEAD = "tap_lead", "TAP lead"
    LOCALITY_MANAGER = "locality_manager", "Locality manager"
    ANALYST = "analyst", "Analyst"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    ADMINISTRATOR = "administrator", "Administrator"


class Permission(models.TextChoices):
    # Identifiable records of people the user has a legitimate relationship with.
    VIEW_PERSON_RECORD = "view_person_record"
    # Emergency access, with a reason, to a record without a relationship.
    BREAK_GLASS = "break_glass"
    VIEW_TEAM_AGGREGATES = "view_team_aggregates"
    VIEW_PSEUDONYMS = "view_pseudonyms"
    REVIEW_AUDIT = "review_audit"
    SUBJECT_ACCESS_REQUEST = "subject_access_request"
    MANAGE_REFERENCE_DATA = "manage_reference_data"
    # Single Point of Access (seed 002 para 11): take referrals 24/7 (phone or form).
    TAKE_REFERRALS = "take_referrals"
    # Refer someone discussed at an MDT meeting to the SPA (seed 000 Appendix 2: the
    # practice MDT's clinicians). Narrower than TAKE_REFERRALS: no intake form, no queues.
    REFER_FROM_MDT = "refer_from_mdt"
    # The assessment team's work: triage, assess, allocate services, end episodes.
    TRIAGE_REFERRALS = "triage_referrals"
    # Out of hours the SPA coordinator commissions intermediate care beds and sitting.
    COMMISSION_OUT_OF_HOURS = "commission_out_of_hours"
    # GPs keep admission rights to GP beds through the SPA.
    REQUEST_GP_BED = "request_gp_bed"
    # Publish each service's capacity by date.
    MANAGE_CAPACITY = "manage_capacity"


def role_label(code: str) -> str:
    """A role as people read it ("GP", "Privacy officer"); a retired or empty code as it is."""
    return Role(code).label if code in Role.values else code


def label_in_sentence(label: str) -> str:
    """A role's label as it reads mid-sentence: "District nurse" -> "district nurse", but
    an initialism keeps its capitals ("VAWAS nurse", "GP", "VCS worker"), which `lower`
    would turn into "vawas nurse"."""
    first = label.split(" ", 1)[0]
    if sum(letter.isupper() for letter in first) > 1:
        return label
    return label[:1].lower() + label[1:]


_CARE = [
    Permission.VIEW_PERSON_RECORD,
    Permission.BREAK_GLASS,
    Permission.VIEW_TEAM_AGGREGATES,
]
_LEAD = [*_CARE]

# The clinical members of a practice MDT (GPs, district nurse, VAWAS nurse; social care
# joins for the most vulnerable) refer the people they discuss there.
_MDT_CLINICIAN = [*_CARE, Permission.REFER_FROM_MDT]

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.GP: frozenset([*_MDT_CLINICIAN, Permission.TAKE_REFERRALS, Permission.REQUEST_GP_BED]),
    Role.PRACTICE_MANAGER: frozenset(_CARE),
    Role.DISTRICT_NURSE: frozenset(_MDT_CLINICIAN),
    Role.VAWAS_NURSE: frozenset(_MDT_CLINICIAN),
    Role.SOCIAL_WORKER: frozenset(
        [*_MDT_CLINICIAN, Permission.TAKE_REFERRALS, Permission.TRIAGE_REFERRALS]
    ),
    Role.SPA_COORDINATOR: frozenset(
        [
            *_CARE,
            Permission.TAKE_REFERRALS,
            Permission.COMMISSION_OUT_OF_HOURS,
            Permission.MANAGE_CAPACITY,
        ]
    ),
    Role.ASSESSOR: frozenset(
        [*_CARE, Permission.TAKE_REFERRALS, Permission.TRIAGE_REFERRALS, Permission.MANAGE_CAPACITY]
    ),
    Role.THERAPIST: frozenset([*_CARE, Permission.TRIAGE_REFERRALS]),
    Role.VCS_WORKER: frozenset(_CARE),
    Role.TAP_LEAD: frozenset(_LEAD),
    # Locality managers look across teams at aggregates, not at individuals' records.
    Role.LOCALITY_MANAGER: frozenset([Permission.VIEW_TEAM_AGGREGATES]),
    Role.ANALYST: frozenset([Permission.VIEW_TEAM_AGGREGATES, Permission.VIEW_PSEUDONYMS]),
    Role.PRIVACY_OFFICER: frozenset([Permission.REVIEW_AUDIT, Permission.SUBJECT_ACCESS_REQUEST]),
    Role.ADMINISTRATOR: frozenset([Permission.MANAGE_REFERENCE_DATA]),
}

# Roles whose sign-in needs a second factor (TOTP).
TWO_FACTOR_ROLES = frozenset([Role.ADMINISTRATOR, Role.PRIVACY_OFFICER])


def roles_with(permission: str) -> list[str]:
    """The roles that grant `permission`."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
