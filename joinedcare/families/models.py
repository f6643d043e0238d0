"""Havering's children's access point (seed 004): a family referral (children and adults
in one household), triaged by a virtual MDT that names one key worker for the family,
with a focus on emotional wellbeing."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedcare.people.models import Person
from joinedcare.referrals.models import SinglePointOfAccess


class FamilyReferral(models.Model):
    class Status(models.TextChoices):
        AWAITING_MDT = "awaiting_mdt", "Awaiting the virtual MDT"
        KEY_WORKER_NAMED = "key_worker_named", "Key worker named"
        CLOSED = "closed", "Closed"

    access_point = models.ForeignKey(
        SinglePointOfAccess, on_delete=models.PROTECT, related_name="family_referrals"
    )
    household = models.CharField(
        "Household name",
        max_length=200,
        help_text="How the family is known, e.g. 'the Smith household'.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_MDT)
    referred_at = models.DateTimeField()
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referrer = models.CharField("Who referred", max_length=200)
    reason = models.TextField("Reason for referral")
    emotional_wellbeing = models.TextField(
        "Emotional wellbeing", help_text="What the family says about their emotional wellbeing."
    )
    what_matters = models.TextField("What matters to the family", blank=True)
    # The virtual MDT's decision.
    mdt_members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    mdt_decided_at = models.DateTimeField(null=True, blank=True)
    mdt_notes = models.TextField(blank=True)
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="families_key_worker",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="awaiting_mdt") | Q(key_worker__isnull=False),
                name="family_triaged_has_key_worker",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="family_referral_reason"),
        ]

    def __str__(self) -> str:
        return f"family referral {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class FamilyMember(models.Model):
    class Role(models.TextChoices):
        CHILD = "child", "Child or young person"
        PARENT = "parent", "Parent"
        CARER = "carer", "Carer"
        OTHER_ADULT = "other_adult", "Other adult in the household"

    family = models.ForeignKey(FamilyReferral, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="family_memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "person"], name="person_once_per_family")
        ]

    def __str__(self) -> str:
        return f"member {self.pk} of family referral {self.family_id}"
