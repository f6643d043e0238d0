"""The audit trail: who did what to whose record, when and why. Append-only."""

from django.db import models
from django.utils import timezone

from joinedcare.people.models import Person
from joinedcare.staff.roles import role_label


class AppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One view, search or change of a person's record (or of the audit itself).

    The actor's role and organisation are copied at the time of the event, so later
    changes to the user do not rewrite history.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed record"
        SEARCH = "search", "Shown in search results"
        CREATE = "create", "Created record"
        UPDATE = "update", "Changed record"
        DENIED = "denied", "Refused access"
        BREAK_GLASS = "break_glass", "Broke the glass"
        SUBJECT_ACCESS = "subject_access", "Subject access request produced"
        AUDIT_EXPORT = "audit_export", "Audit exported"
        BREAK_GLASS_REVIEWED = "break_glass_reviewed", "Break-glass access reviewed"
        CASE_LIST_PUBLISHED = "case_list_published", "Case lists published"
        CASE_LIST_VIEWED = "case_list_viewed", "Shown on a case list"
        # Single Point of Access, short-term services, Discharge to Assess, families.
        REFERRAL_RECEIVED = "referral_received", "Referral received"
        REFERRAL_TRIAGED = "referral_triaged", "Referral triaged"
        REFERRAL_CLOSED = "referral_closed", "Referral closed"
        STAFF_ALLOCATED = "staff_allocated", "Staff allocated"
        ASSESSMENT_RECORDED = "assessment_recorded", "Assessment recorded"
        SERVICE_ALLOCATED = "service_allocated", "Service allocated (episode booked)"
        EPISODE_EXTENDED = "episode_extended", "Episode extended"
        EPISODE_ENDED = "episode_ended", "Episode ended or cancelled"
        FOLLOW_UP_RECORDED = "follow_up_recorded", "91-day follow-up recorded"
        QUEUE_VIEWED = "queue_viewed", "Shown on a work queue"
        DISCHARGE_STEP = "discharge_step", "Discharge to Assess step recorded"
        FAMILY_REFERRED = "family_referred", "Family referral received"
        FAMILY_TRIAGED = "family_triaged", "Family triaged by the virtual MDT"
        CAPACITY_CHANGED = "capacity_changed", "Service capacity changed"
        # MDT meetings and shared care plans.
        CARE_PLAN_AGREED = "care_plan_agreed", "Care plan agreed (new version)"
        CARE_PLAN_ENDED = "care_plan_ended", "Care plan ended"
        CARE_PLAN_ACTION = "care_plan_action", "Care plan action added or changed"
        CONSENT_RECORDED = "consent_recorded", "Consent to share recorded"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent to share withdrawn"
        MDT_AGENDA = "mdt_agenda", "Put on an MDT agenda"
        MDT_AGENDA_VIEWED = "mdt_agenda_viewed", "Shown on an MDT agenda"
        MDT_OUTCOME = "mdt_outcome", "MDT outcome recorded"
        ESCALATION = "escalation", "Escalation raised, moved or answered"
        MEETING_PACK_VIEWED = "meeting_pack_viewed", "Shown in an MDT meeting pack"

    class Purpose(models.TextChoices):
        # FHIR v3-ActReason purpose of use codes, as carried by FHIR AuditEvent.
        TREATMENT = "TREAT", "Treatment (care relationship)"
        BREAK_THE_GLASS = "BTG", "Break the glass"
        OPERATIONS = "HOPERAT", "Operations (audit, administration)"
        PATIENT_REQUEST = "PATRQT", "Patient requested (subject access)"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "staff.StaffUser", on_delete=models.PROTECT, related_name="audit_events"
    )
    actor_role = models.CharField(max_length=40)
    actor_organisation = models.CharField(max_length=200, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    reason = models.TextField(blank=True)
    # What was touched, e.g. "person page" or "referral 12"; never an identifier.
    detail = models.CharField(max_length=200, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["person", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.action} by user {self.actor_id} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit events cannot be deleted.")

    @property
    def actor_role_label(self) -> str:
        """The role as people read it ("GP", "Privacy officer"); the stored code if a role
        has since been retired."""
        return role_label(self.actor_role)

    @classmethod
    def record_many(
        cls, *, by, action: str, people, purpose: str = Purpose.TREATMENT, detail: str = ""
    ) -> list["AuditEvent"]:
        """One event per person (search results, case lists), in one insert."""
        return cls.objects.bulk_create(
            cls(
                actor=by,
                actor_role=by.role,
                actor_organisation=str(by.organisation) if by.organisation_id else "",
                person=person,
                action=action,
                purpose=purpose,
                detail=detail,
            )
            for person in people
        )

    @classmethod
    def record(
        cls,
        *,
        by,
        action: str,
        person: Person | None = None,
        purpose: str = Purpose.TREATMENT,
        reason: str = "",
        detail: str = "",
    ) -> "AuditEvent":
        """Write one audit event for an action by a staff user."""
        return cls.objects.create(
            actor=by,
            actor_role=by.role,
            actor_organisation=str(by.organisation) if by.organisation_id else "",
            person=person,
            action=action,
            purpose=purpose,
            reason=reason,
            detail=detail,
        )
