"""The family referrals a person is a member of, for their subject access report."""

from joinedcare.audit.subject_access import Record, Section, details, readable, register

from .models import FamilyMember

FAMILY = [
    "household",
    "status",
    "referrer",
    "reason",
    "emotional_wellbeing",
    "what_matters",
    "key_worker",
    "closed_at",
]


def _memberships(person) -> list[Record]:
    found = FamilyMember.objects.filter(person=person).select_related(
        "family__access_point", "family__key_worker"
    )
    return [
        Record(
            f"Family referral to {m.family.access_point.name}, {readable(m.family.referred_at)}",
            [
                ("Your place in the family", m.get_role_display()),
                *details(m.family, FAMILY),
                ("Notes from the virtual MDT", readable(m.family.mdt_notes)),
            ],
        )
        for m in found
    ]


register(Section("Family referrals", _memberships, order=60))
