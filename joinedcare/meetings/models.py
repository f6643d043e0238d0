"""MDT meetings at the three levels of seed 000 (Appendix 2), their agendas, the outcome
for each person discussed, and escalations that move up the levels.

* micro: the practice MDT (GPs, district nurse, VAWAS nurse), working from the top 2%;
* intermediate: the Team Around Patients MDT (patient flow and support concerns;
  social care and VCS support for the most vulnerable);
* macro: the locality meeting (locality-wide issues, commissioning).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from joinedcare.caselists.models import PublishedRun
from joinedcare.organisations.models import Locality, Practice, Team
from joinedcare.people.models import Person


class Level(models.TextChoices):
    MICRO = "micro", "Practice MDT"
    INTERMEDIATE = "intermediate", "Team Around Patients MDT"
    MACRO = "macro", "Locality meeting"


# Where an item raised at a level goes next.
NEXT_LEVEL = {Level.MICRO: Level.INTERMEDIATE, Level.INTERMEDIATE: Level.MACRO}
PREVIOUS_LEVEL = {upper: lower for lower, upper in NEXT_LEVEL.items()}


class Meeting(models.Model):
    """One MDT meeting of a practice, a team or a locality."""

    level = models.CharField(max_length=20, choices=Level.choices)
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    held_on = models.DateField("Date")
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_chaired"
    )
    minutes = models.TextField(blank=True)
    # Counts saves of the minutes: a save based on an older version is refused, so two
    # people writing at once never lose each other's text.
    minutes_version = models.PositiveIntegerField(default=0)
    # The case list the agenda was built from, so the next meeting knows who is new.
    case_list_run = models.ForeignKey(
        PublishedRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agenda_built_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            # A meeting belongs to exactly the unit of its level.
            models.CheckConstraint(
                condition=Q(
                    level="micro",
                    practice__isnull=False,
                    team__isnull=True,
                    locality__isnull=True,
                )
                | Q(
                    level="intermediate",
                    practice__isnull=True,
                    team__isnull=False,
                    locality__isnull=True,
                )
                | Q(
                    level="macro",
                    practice__isnull=True,
                    team__isnull=True,
                    locality__isnull=False,
                ),
                name="meeting_belongs_to_the_unit_of_its_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} of {self.unit} on {self.held_on:%-d %B %Y}"

    @property
    def unit(self):
        return self.practice or self.team or self.locality

    @property
    def unit_team(self) -> Team | None:
        """The team a practice or team meeting works in (escalations go to it)."""
        if self.practice_id:
            return self.practice.team
        return self.team

    @property
    def unit_locality(self) -> Locality:
        if self.locality_id:
            return self.locality
        return self.unit_team.locality

    @property
    def has_begun(self) -> bool:
        """Whether the meeting's day has come: its outcomes are recorded from then on."""
        return self.held_on <= timezone.localdate()

    def not_yet_held(self) -> str:
        """Why an outcome cannot be recorded yet, in words."""
        return f"This meeting is on {self.held_on:%-d %B %Y}: outcomes are recorded from that day"


class MeetingMember(models.Model):
    """Someone invited to a meeting, from whichever organisation; attended or not."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_memberships"
    )
    attended = models.BooleanField(null=True, help_text="Unknown until the meeting is held.")

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_membership_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.user} at meeting {self.meeting_id}"


class Escalation(models.Model):
    """A concern raised at one level for the level above; it moves micro -> intermediate
    -> macro, and the level above can answer it and send it back down."""

    class Kind(models.TextChoices):
        PATIENT_FLOW = "patient_flow", "Patient flow concern"
        SUPPORT = "support", "Support concern"
        COMMISSIONING = "commissioning", "Commissioning issue"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the level above"
        ANSWERED = "answered", "Answered and sent back"
        CLOSED = "closed", "Closed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    summary = models.TextField(help_text="What the level above is asked to help with.")
    # Where it is now: a team's MDT or a locality meeting (or back at a practice).
    level = models.CharField(max_length=20, choices=Level.choices)
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    locality = models.ForeignKey(
        Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="escalations_owned",
        help_text="Who carries it now.",
    )
    raised_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="escalations_raised"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(summary=""), name="escalation_says_what"),
            models.CheckConstraint(
                condition=Q(level="micro", practice__isnull=False)
                | Q(level="intermediate", team__isnull=False)
                | Q(level="macro", locality__isnull=False),
                name="escalation_sits_with_a_unit_of_its_level",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(answer=""),
                name="answered_escalation_has_an_answer",
            ),
        ]
        indexes = [models.Index(fields=["level", "status"])]

    def __str__(self) -> str:
        return f"escalation {self.pk}"

    @property
    def unit(self):
        return {"micro": self.practice, "intermediate": self.team, "macro": self.locality}[
            self.level
        ]


class EscalationStep(models.Model):
    """One move of an escalation: the trail that shows where it stands and how it got
    there."""

    class Move(models.TextChoices):
        RAISED = "raised", "Raised"
        ESCALATED = "escalated", "Escalated further"
        ANSWERED = "answered", "Answered and sent back"
        CLOSED = "closed", "Closed"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="steps")
    move = models.CharField(max_length=20, choices=Move.choices)
    from_level = models.CharField(max_length=20, choices=Level.choices)
    to_level = models.CharField(max_length=20, choices=Level.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.move} {self.from_level}->{self.to_level}"


# The source of an item a member put on the agenda, with a reason they typed.
ADDED_BY_HAND = "added by hand"


class AgendaItem(models.Model):
    """A person (or an escalated item) on a meeting's agenda, and what was decided."""

    class Outcome(models.TextChoices):
        NO_ACTION = "no_action", "No action"
        CARE_PLAN = "care_plan", "Care plan created or updated"
        SPA_REFERRAL = "spa_referral", "Referral to the Single Point of Access"
        ESCALATE = "escalate", "Escalate to the next level"
        REMOVE = "remove", "Remove from the case list"
        ANSWERED = "answered", "Answered and sent back"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    escalation = models.ForeignKey(
        Escalation, on_delete=models.PROTECT, null=True, blank=True, related_name="agenda_items"
    )
    # The agenda source's name, for example "case list" or "added by hand".
    source = models.CharField(max_length=40)
    reason = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn = models.BooleanField(default=False, help_text="Taken off this agenda.")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalation_raised = models.ForeignKey(
        Escalation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(escalation__isnull=False),
                name="agenda_item_is_about_someone_or_something",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False, escalation__isnull=True),
                name="one_agenda_item_per_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "escalation"],
                condition=Q(escalation__isnull=False),
                name="one_agenda_item_per_escalation",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", outcome_at__isnull=True)
                | (~Q(outcome="") & Q(outcome_at__isnull=False)),
                name="outcome_has_a_time",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="remove") | ~Q(outcome_note=""),
                name="removal_from_case_list_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"agenda item {self.pk}"

    @property
    def why(self) -> str:
        """The reason, with its source only where the reason does not already say it
        ("Patient flow concern escalated", not "... escalated (escalated)")."""
        if self.source and self.source.lower() not in self.reason.lower():
            return f"{self.reason} ({self.source})"
        return self.reason


class CaseListRemoval(models.Model):
    """A practice MDT took someone off its case list, with a reason; they do not come
    back on the agenda from the case list until someone puts them back by hand."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    pseudonym = models.CharField(max_length=64)
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "pseudonym"], name="one_removal_per_person_per_practice"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="removal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"removal {self.pk}"
