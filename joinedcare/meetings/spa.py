"""The seam to the Single Point of Access (referrals and short-term episodes).

MDT meetings use the SPA in two ways: people with an open referral or episode come on
the practice MDT's agenda, and "refer to the SPA" as an outcome makes a real referral
through the referrals app's own action (so its checks, duplicate flag and audit apply).
Everything the meetings app needs from the SPA goes through this module; when the
referrals app is not installed the agenda has no SPA source and a referral outcome is
recorded in the meeting only.
"""

from django.apps import apps
from django.core.exceptions import ValidationError

from joinedcare.referrals import sharing
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission, Role

from .agenda import Candidate, register_source
from .models import Level, Meeting


def referrals_installed() -> bool:
    return apps.is_installed("joinedcare.referrals")


def episodes_installed() -> bool:
    return apps.is_installed("joinedcare.services")


def open_referrals_and_episodes(meeting: Meeting):
    """People at the practice with an open SPA referral or a short-term episode."""
    from joinedcare.referrals.models import Referral

    found: dict[int, str] = {}
    referrals = Referral.objects.filter(
        person__practice=meeting.practice, status__in=Referral.OPEN
    ).order_by("received_at")
    for person_id, status in referrals.values_list("person_id", "status"):
        found.setdefault(person_id, f"Open SPA referral ({Referral.Status(status).label})")
    if episodes_installed():
        from joinedcare.services.models import Episode

        episodes = Episode.objects.filter(
            person__practice=meeting.practice, ended_on__isnull=True
        ).order_by("start")
        for person_id, service, planned_end in episodes.values_list(
            "person_id", "service__name", "planned_end"
        ):
            found.setdefault(
                person_id, f"In a short-term service: {service} until {planned_end:%-d %B %Y}"
            )
    return [Candidate(reason, person_id=person_id) for person_id, reason in found.items()]


def open_summary(person) -> list[str]:
    """One line per open referral (with the basis when sent without the person's
    agreement) or episode, for the meeting pack's summary."""
    if not referrals_installed():
        return []
    from joinedcare.referrals.models import Referral

    # The MDT hears, as the SPA did, when a referral went without the person's agreement.
    lines = [
        f"SPA referral received {r.received_at:%-d %B %Y}: {r.get_status_display()}. "
        f"{r.shared_without_agreement}".strip()
        for r in Referral.objects.filter(person=person, status__in=Referral.OPEN)
    ]
    if episodes_installed():
        from joinedcare.services.models import Episode

        lines += [
            f"{e.service.name} from {e.start:%-d %B %Y} to {e.planned_end:%-d %B %Y}"
            for e in Episode.objects.filter(person=person, ended_on__isnull=True).select_related(
                "service"
            )
        ]
    return lines


# Who refers from a meeting: those who take the SPA's own referrals (GP, social worker,
# assessor, SPA coordinator) and the practice MDT's nurses (REFER_FROM_MDT).
REFERRING = (Permission.TAKE_REFERRALS, Permission.REFER_FROM_MDT)


def may_refer(user) -> bool:
    """Whether `user` may refer someone discussed at a meeting to the SPA (`REFERRING`);
    when the referrals app is not installed a referral is only recorded at the meeting,
    so anyone may."""
    if not referrals_installed():
        return True
    return any(has_permission(user, permission) for permission in REFERRING)


# The SPA's "Referred by" for each referring role (the role is in the referrer's name too,
# so the SPA knows whom it is calling back).
_SOURCE_OF_ROLE = {
    Role.GP: "gp",
    Role.DISTRICT_NURSE: "community_nursing",
    Role.VAWAS_NURSE: "community_nursing",
    Role.SOCIAL_WORKER: "social_care",
    Role.VCS_WORKER: "vcs",
}


def referrer(user) -> tuple[str, str]:
    """The referral's source and the referrer's name as the SPA reads them:
    ("gp", "Karen Dobson, VAWAS nurse"). A role without a source of its own refers as
    the practice does."""
    name = user.get_full_name() or user.get_username()
    return _SOURCE_OF_ROLE.get(user.role, "gp"), f"{name}, {user.role_label()}"


def refer(
    *,
    by,
    meeting: Meeting,
    person,
    reason: str,
    urgency: str,
    medically_stable: bool,
    consent_to_share: bool,
    sharing_basis: str = "",
    sharing_note: str = "",
) -> str:
    """Refer the person to their place's Single Point of Access; returns what to record
    as the outcome. Raises ValidationError (by field) or PermissionError (`may_refer`,
    then the referrals app's own check of who refers)."""
    # Who may refer is asked first: a refusal must not hide behind another error.
    if not may_refer(by):
        raise PermissionError("Your role does not refer to the Single Point of Access.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the person is referred"})
    # Checked here too: without the referrals app nothing else would check it.
    sharing.checked(
        consent_to_share=consent_to_share, sharing_basis=sharing_basis, sharing_note=sharing_note
    )
    if not referrals_installed():
        return "Referred to the Single Point of Access (recorded at the meeting)"
    from joinedcare.referrals import actions
    from joinedcare.referrals.models import Referral, SinglePointOfAccess

    place = person.practice.team.locality.place if person.practice_id else None
    spa = SinglePointOfAccess.objects.filter(
        place=place, kind=SinglePointOfAccess.Kind.ADULTS
    ).first()
    if spa is None:
        raise ValidationError(
            {"reason": "No Single Point of Access is set up for this person's place"}
        )
    source, name = referrer(by)
    referral = actions.receive_referral(
        by=by,
        spa=spa,
        person=person,
        referrer_source=source,
        referrer_name=name,
        referrer_organisation=str(meeting),
        reason=reason,
        urgency=urgency,
        medically_stable=medically_stable,
        consent_to_share=consent_to_share,
        sharing_basis=sharing_basis,
        sharing_note=sharing_note,
        channel=Referral.Channel.MDT,
    )
    return f"Referred to {spa.name}: referral {referral.pk}"


def urgency_choices() -> list[tuple[str, str]]:
    if referrals_installed():
        from joinedcare.referrals.models import Referral

        return list(Referral.Urgency.choices)
    return [("routine", "Routine"), ("today", "Today")]


if referrals_installed():
    register_source(
        "SPA referral or episode", open_referrals_and_episodes, levels=(Level.MICRO,), order=20
    )
