"""Shared care plans, owned by the person ("no decision about me without me", seed 003).

A person has at most one current `CarePlan`. Its content lives in numbered
`CarePlanVersion`s: agreeing a change makes a new version and supersedes the last, so
what was agreed, and when, is never rewritten. Actions are the plan's living work
(owner, due date, status), so they hang off the plan rather than a version. Consent
records who agreed to what sharing, when.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from joinedcare.organisations.models import Organisation, Team
from joinedcare.people.models import Person


class SupersededVersion(Exception):
    """Raised on any attempt to change or remove a superseded care plan version."""


class CarePlanQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class CarePlan(models.Model):
    """One person's shared care plan, from agreement until it is ended."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_plans")
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)

    objects = CarePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_at__isnull=True),
                name="one_current_care_plan_per_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(ended_reason=""),
                name="ended_care_plan_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"care plan {self.pk}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    @property
    def current_version(self) -> "CarePlanVersion | None":
        return self.versions.filter(superseded_at__isnull=True).first()


class CarePlanVersion(models.Model):
    """What was agreed with the person at one time. Immutable once superseded, and never
    deleted: here, and in the database by trigger (migration 0002) against any other SQL."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    what_matters = models.TextField(
        "What matters to me", help_text="In the person's own words, as they said it."
    )
    contingency = models.TextField(
        "If things get worse",
        help_text="Who to call and what to do, for example: call the district nurse on ...",
    )
    carers_needs = models.TextField(
        "Carers' needs", blank=True, help_text="What the person's carers need to keep going."
    )
    review_date = models.DateField("Review date")
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="key_worker_of",
        verbose_name="Key worker",
    )
    agreed_at = models.DateTimeField(default=timezone.now)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Where it was agreed, for example "practice MDT 12 May".
    agreed_at_meeting = models.CharField(max_length=200, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="care_plan_version_number"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_version_per_care_plan",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_numbers_from_1"),
            models.CheckConstraint(
                condition=~Q(what_matters=""), name="care_plan_says_what_matters"
            ),
        ]

    def __str__(self) -> str:
        return f"care plan {self.plan_id} version {self.number}"

    def save(self, *args, **kwargs) -> None:
        # Superseding is the one change allowed: it sets superseded_at on the current row.
        if self.pk is not None:
            stored = CarePlanVersion.objects.filter(pk=self.pk).values("superseded_at").first()
            if stored and stored["superseded_at"] is not None:
                raise SupersededVersion("A superseded care plan version cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SupersededVersion("Care plan versions are never deleted.")

    def sections(self) -> dict[str, object]:
        """What was agreed, section by section, in a form two versions can be compared in."""
        return {
            "what_matters": self.what_matters,
            "goals": [(g.text, g.self_care) for g in self.goals.all()],
            "key_worker": self.key_worker_id,
            "contingency": self.contingency,
            "carers_needs": self.carers_needs,
            "review_date": self.review_date,
        }


class Goal(models.Model):
    """One of the person's goals, in their words; self-care goals are theirs to do."""

    version = models.ForeignKey(CarePlanVersion, on_delete=models.PROTECT, related_name="goals")
    text = models.TextField()
    self_care = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="goal_not_blank")]

    def __str__(self) -> str:
        return f"goal {self.pk}"


class CarePlanAction(models.Model):
    """Something someone will do: owned by a named person, or waiting in a team's or an
    organisation's queue until a member claims it."""

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_plan_actions",
    )
    owner_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="care_plan_actions"
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_plan_actions",
    )
    due = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Who marked it done or cancelled, so a mistake can be asked about and reopened.
    # Empty on actions closed before this was recorded.
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            # A named owner, or exactly one queue (a claimed queue action keeps its queue).
            models.CheckConstraint(
                condition=Q(owner__isnull=False)
                | Q(owner_team__isnull=False, owner_organisation__isnull=True)
                | Q(owner_team__isnull=True, owner_organisation__isnull=False),
                name="care_plan_action_has_an_owner",
            ),
            models.CheckConstraint(
                condition=~Q(owner_team__isnull=False, owner_organisation__isnull=False),
                name="care_plan_action_one_queue",
            ),
            models.CheckConstraint(
                condition=Q(status="open", completed_at__isnull=True)
                | (~Q(status="open") & Q(completed_at__isnull=False)),
                name="closed_action_has_completion_time",
            ),
            # Reopening clears who closed it: an open action was closed by nobody.
            models.CheckConstraint(
                condition=~Q(status="open") | Q(completed_by__isnull=True),
                name="open_action_has_no_completer",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="care_plan_action_says_what"),
        ]
        indexes = [models.Index(fields=["owner", "status", "due"])]

    def __str__(self) -> str:
        return f"care plan action {self.pk}"

    @property
    def queue(self):
        return self.owner_team or self.owner_organisation

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.username
        return f"{self.queue.name} (to be claimed)"

    @property
    def status_in_words(self) -> str:
        """The status as the plan and the lists say it: "To do", or "Done 3 Dec 2026 by
        Jo Smith" (without "by" for an action closed before the closer was recorded)."""
        status = self.get_status_display()
        if self.status == self.Status.OPEN:
            return status
        when = date_format(timezone.localtime(self.completed_at), "j M Y")
        closer = self.completed_by
        by = f" by {closer.get_full_name() or closer.username}" if closer else ""
        return f"{status} {when}{by}"

    def is_overdue(self, today=None) -> bool:
        return self.status == self.Status.OPEN and self.due < (today or timezone.localdate())


class Consent(models.Model):
    """Who agreed to what sharing of the plan, and when; withdrawn, never deleted."""

    class GivenBy(models.TextChoices):
        PERSON = "person", "The person themselves"
        LASTING_POWER_OF_ATTORNEY = "lpa", "Lasting power of attorney (health and welfare)"
        BEST_INTERESTS = "best_interests", "Best-interests decision (person lacks capacity)"

    class Scope(models.TextChoices):
        CARE_TEAM = "care_team", "Health and social care staff in the person's team"
        VCS = "vcs", "Voluntary and community sector organisations named in the plan"
        CARERS = "carers", "Family and carers (a copy of the plan)"

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="consents")
    given_by = models.CharField(max_length=20, choices=GivenBy.choices)
    given_by_name = models.CharField(
        "Name of whoever agreed", max_length=200, help_text="The person, or their representative."
    )
    scopes = models.JSONField(default=list)
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(given_by_name=""), name="consent_names_who"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_current_consent_per_care_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"consent {self.pk}"

    def covers(self, scope: str) -> bool:
        return self.withdrawn_at is None and scope in self.scopes

    def scope_labels(self) -> list[str]:
        return [self.Scope(s).label for s in self.scopes]
