"""Short-term intervention services (seed 002 para 11): the catalogue per place, capacity
by date, and episodes of up to 6 weeks with an outcome and a 91-day follow-up."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from joinedcare.organisations.models import Organisation, Place
from joinedcare.people.models import Person

# "Access to all those who will benefit for up to 6 weeks" (seed 002 para 11).
MAX_WEEKS = 6
MAX_DAYS = MAX_WEEKS * 7
# Better Care Fund: still at home 91 days after discharge into reablement/rehabilitation.
FOLLOW_UP_DAYS = 91


class Service(models.Model):
    class Kind(models.TextChoices):
        INTERMEDIATE_CARE_BED = "intermediate_care_bed", "Intermediate care bed"
        STEP_UP_BED = "step_up_bed", "Step-up bed"
        STEP_DOWN_BED = "step_down_bed", "Step-down bed"
        TIME_TO_THINK_BED = "time_to_think_bed", "Time-to-think bed"
        GP_BED = "gp_bed", "GP bed"
        TELECARE = "telecare", "Telecare"
        TELEHEALTH = "telehealth", "Telehealth"
        IV_THERAPY = "iv_therapy", "IV fluids and antibiotics in the community"
        EQUIPMENT = "equipment", "Community equipment"
        REHABILITATION = "rehabilitation", "Rehabilitation therapy"
        REABLEMENT = "reablement", "Reablement"
        SITTING = "sitting", "Sitting service"

    # The SPA coordinator may commission these directly out of hours (seed 002 para 11).
    OUT_OF_HOURS_KINDS = (Kind.INTERMEDIATE_CARE_BED, Kind.SITTING)
    # Discharge into these is followed up at 91 days (Better Care Fund metric).
    FOLLOWED_UP_KINDS = (Kind.REABLEMENT, Kind.REHABILITATION)

    class Unit(models.TextChoices):
        BEDS = "beds", "beds"
        VISITS_PER_DAY = "visits_per_day", "visits per day"
        HOURS_PER_WEEK = "hours_per_week", "hours per week"
        ITEMS = "items", "items"

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="services")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200)
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services_provided"
    )
    unit = models.CharField(max_length=20, choices=Unit.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="service_name_unique_in_place")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider.name})"

    @property
    def commissionable_out_of_hours(self) -> bool:
        return self.kind in self.OUT_OF_HOURS_KINDS


class ServiceDay(models.Model):
    """A service's capacity on one date, and how much of it episodes fill."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    capacity = models.PositiveIntegerField()
    filled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["service", "day"]
        constraints = [
            models.UniqueConstraint(fields=["service", "day"], name="one_capacity_per_service_day"),
            models.CheckConstraint(condition=Q(capacity__gte=0), name="capacity_not_negative"),
            models.CheckConstraint(condition=Q(filled__gte=0), name="filled_not_negative"),
            models.CheckConstraint(
                condition=Q(filled__lte=F("capacity")), name="filled_at_most_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} on {self.day}"

    @property
    def free(self) -> int:
        return self.capacity - self.filled


class Episode(models.Model):
    """A person's time in one service: up to 6 weeks unless extended with a reason."""

    class Outcome(models.TextChoices):
        HOME_NO_SUPPORT = "home_no_support", "Home with no support"
        HOME_REDUCED_SUPPORT = "home_reduced_support", "Home with reduced support"
        HOME_ONGOING_SUPPORT = "home_ongoing_support", "Home with ongoing support"
        RESIDENTIAL_CARE = "residential_care", "Residential care"
        NURSING_CARE = "nursing_care", "Nursing care"
        HOSPITAL_ADMISSION = "hospital_admission", "Hospital admission"
        DIED = "died", "Died"
        OTHER = "other", "Other"
        # The place is given back; the episode never ran, so outcome measures leave it out.
        CANCELLED = "cancelled", "Cancelled before it started"

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="episodes"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="episodes")
    start = models.DateField()
    planned_end = models.DateField()
    extended = models.BooleanField(default=False)
    amount = models.PositiveSmallIntegerField(default=1, help_text="Units of the service used.")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="episodes_led",
        help_text="The worker allocated to the episode.",
    )
    commissioned_out_of_hours = models.BooleanField(default=False)
    reviewed_in_triage_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    # 91 days after discharge from hospital into reablement or rehabilitation.
    follow_up_due = models.DateField(null=True, blank=True, db_index=True)
    still_at_home = models.BooleanField(null=True, blank=True)
    follow_up_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gt=F("start")), name="episode_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(extended=True) | Q(planned_end__lte=F("start") + timedelta(MAX_DAYS)),
                name="episode_at_most_6_weeks_unless_extended",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, outcome="")
                | (Q(ended_on__isnull=False) & ~Q(outcome="")),
                name="ended_episode_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(ended_on__gte=F("start"))
                | Q(outcome="cancelled"),
                name="episode_not_ended_before_start",
            ),
            models.CheckConstraint(
                condition=Q(still_at_home__isnull=True) | Q(follow_up_due__isnull=False),
                name="follow_up_only_when_due",
            ),
            models.CheckConstraint(condition=Q(amount__gte=1), name="episode_uses_a_unit"),
        ]

    def __str__(self) -> str:
        return f"episode {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def week_on(self, day: date) -> int:
        """Which week of the episode a day falls in: 1 on the first day."""
        return (day - self.start).days // 7 + 1

    @property
    def week_on_today(self) -> int:
        from joinedcare.referrals import clock

        return self.week_on(clock.today())

    @property
    def planned_weeks(self) -> int:
        return -(-(self.planned_end - self.start).days // 7)

    @property
    def past_planned_end(self) -> str:
        """How long an open episode has run past its planned end, in whole weeks (days in
        the first week): "3 days", "33 weeks"; empty when it has not."""
        from joinedcare.referrals import clock

        days = (clock.today() - self.planned_end).days
        if self.ended_on is not None or days <= 0:
            return ""
        count, unit = (days, "day") if days < 7 else (days // 7, "week")
        return f"{count} {unit}{'' if count == 1 else 's'}"


class Extension(models.Model):
    """An episode's planned end moved later: always with a reason, and counted. Each moves
    it by up to 6 weeks; a longer stay needs another extension with its own reason."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="extensions")
    previous_end = models.DateField()
    new_end = models.DateField()
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
            models.CheckConstraint(
                condition=Q(new_end__gt=F("previous_end")), name="extension_extends"
            ),
            models.CheckConstraint(
                condition=Q(new_end__lte=F("previous_end") + timedelta(MAX_DAYS)),
                name="extension_at_most_6_weeks",
            ),
        ]

    def __str__(self) -> str:
        return f"extension {self.pk} of episode {self.episode_id}"
