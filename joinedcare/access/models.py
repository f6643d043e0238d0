"""Break-glass grants: emergency, time-limited access to one person's record."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from joinedcare.people.models import Person


class BreakGlassQuerySet(models.QuerySet):
    def active(self, at=None):
        return self.filter(expires_at__gt=at or timezone.now())

    def awaiting_review(self):
        return self.filter(reviewed_at__isnull=True)


class BreakGlass(models.Model):
    """A user's stated reason for opening a record without a care relationship.

    Each grant is an alert in the privacy officer's queue until they review it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="break_glass")
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="break_glass_reviews",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = BreakGlassQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "break-glass access"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("started_at")),
                name="break_glass_expires_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="break_glass_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"break glass by {self.user} at {self.started_at:%Y-%m-%d %H:%M}"
