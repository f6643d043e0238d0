"""Discharge to Assess (seed 001 paras 35-38): once medically fit for discharge, a trusted
assessor assesses the person at home, not in hospital. Each person on a hospital's list
is tracked medically fit -> trusted assessor allocated -> assessed at home -> services
started, with the delay in days at each step and a reason whenever a step is late."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedcare.organisations.models import Organisation
from joinedcare.people.models import Person
from joinedcare.referrals import clock


@dataclass(frozen=True)
class Step:
    name: str  # the field holding when the step happened
    label: str
    target_days: int  # days after the previous step before the step is late
    reason_field: str


# Targets are data: change them here, with a reason in the commit.
STEPS = [
    Step("assessor_allocated_at", "Trusted assessor allocated", 1, "allocation_late_reason"),
    Step("assessed_at", "Assessed at home", 2, "assessment_late_reason"),
    Step("services_started_at", "Services started", 1, "services_late_reason"),
]


def days_between(earlier, later) -> int:
    """Whole calendar days between two moments, as dates in Europe/London.

    Counting dates, not 24-hour periods, keeps the answer right across the clock
    changes (a 23- or 25-hour day is still one day) and across month ends.
    """
    return (clock.local(later).date() - clock.local(earlier).date()).days


class DischargeCase(models.Model):
    hospital = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    ward = models.CharField(max_length=200)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="discharges")
    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discharge",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    medically_fit_at = models.DateTimeField(db_index=True)
    trusted_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discharges_assessing",
    )
    assessor_allocated_at = models.DateTimeField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    services_started_at = models.DateTimeField(null=True, blank=True)
    allocation_late_reason = models.TextField(blank=True)
    assessment_late_reason = models.TextField(blank=True)
    services_late_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["medically_fit_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessor_allocated_at__isnull=True)
                | Q(
                    assessor_allocated_at__gte=models.F("medically_fit_at"),
                    trusted_assessor__isnull=False,
                ),
                name="d2a_allocated_after_fit",
            ),
            models.CheckConstraint(
                condition=Q(assessed_at__isnull=True)
                | Q(assessed_at__gte=models.F("assessor_allocated_at")),
                name="d2a_assessed_after_allocated",
            ),
            models.CheckConstraint(
                condition=Q(services_started_at__isnull=True)
                | Q(services_started_at__gte=models.F("assessed_at")),
                name="d2a_services_after_assessed",
            ),
        ]

    def __str__(self) -> str:
        return f"discharge {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.services_started_at is None

    def step_times(self) -> list:
        return [self.medically_fit_at, *(getattr(self, s.name) for s in STEPS)]

    def next_step(self) -> Step | None:
        return next((s for s in STEPS if getattr(self, s.name) is None), None)

    def delays(self, now=None) -> list[dict]:
        """Each step: when it happened, the days it took (or has taken so far), late or
        not, and the reason given."""
        now = now or clock.now()
        rows, previous = [], self.medically_fit_at
        for step in STEPS:
            at = getattr(self, step.name)
            if previous is None:
                rows.append({"step": step, "at": None, "days": None, "late": False, "reason": ""})
                continue
            days = days_between(previous, at or now)
            rows.append(
                {
                    "step": step,
                    "at": at,
                    "days": days,
                    "waiting": at is None,
                    "late": days > step.target_days,
                    "reason": getattr(self, step.reason_field),
                }
            )
            previous = at
        return rows

    def total_days(self, now=None) -> int:
        return days_between(self.medically_fit_at, self.services_started_at or now or clock.now())
