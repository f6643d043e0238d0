"""Changes to access: every one with an actor and an audit event."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from joinedcare.audit.models import AuditEvent
from joinedcare.people.models import Person

from .models import BreakGlass

MIN_REASON_LENGTH = 10


class BreakGlassRefused(Exception):
    """Break glass was not allowed; the message says why, for the user."""


@transaction.atomic
def break_glass(*, by, person: Person, reason: str, password: str) -> BreakGlass:
    """Open one person's record for a limited time, alerting the privacy officer."""
    from .rules import decide

    reason = reason.strip()
    if not decide(by, person).may_break_glass:
        raise BreakGlassRefused("Your role cannot use emergency access to records.")
    if len(reason) < MIN_REASON_LENGTH:
        raise BreakGlassRefused(
            f"Give a reason of at least {MIN_REASON_LENGTH} characters: it is reviewed."
        )
    if not by.check_password(password):
        raise BreakGlassRefused("Your password is not right.")
    now = timezone.now()
    grant = BreakGlass.objects.create(
        user=by,
        person=person,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.BREAK_GLASS,
        person=person,
        purpose=AuditEvent.Purpose.BREAK_THE_GLASS,
        reason=reason,
        detail=f"access until {grant.expires_at:%Y-%m-%d %H:%M %Z}",
    )
    return grant


@transaction.atomic
def review_break_glass(*, by, grant: BreakGlass, note: str) -> BreakGlass:
    """The privacy officer's review clears the alert; the note says what they found."""
    grant.reviewed_by = by
    grant.reviewed_at = timezone.now()
    grant.review_note = note.strip()
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.BREAK_GLASS_REVIEWED,
        person=grant.person,
        purpose=AuditEvent.Purpose.OPERATIONS,
        reason=grant.review_note,
        detail=f"break glass {grant.pk}",
    )
    return grant
