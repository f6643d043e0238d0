"""Referrals to the Single Point of Access (seed 002 para 11; seed 001 paras 35-38).

A referral records the person's story once: who referred and from where, the reason in
the referrer's words, what matters to the person, their networks and strengths. It
moves through the queues new -> awaiting triage -> awaiting assessment -> allocated ->
closed. There is no diagnosis field on purpose: eligibility never depends on one.
"""

import hashlib
import secrets
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedcare.organisations.models import Organisation, Place
from joinedcare.people.models import Person

from . import clock
from .sharing import NOTE_MAX, SharingBasis

# The multidisciplinary assessment team's default hours (seed 002 para 11: 8am-8pm).
DEFAULT_OPENS = time(8, 0)
DEFAULT_CLOSES = time(20, 0)


class SinglePointOfAccess(models.Model):
    """One place's 24/7 Single Point of Access and its assessment team's hours.

    The staff listed work in it: they see its queues, and the people with a referral
    open at it (a legitimate relationship that ends when the referral closes).
    """

    class Kind(models.TextChoices):
        ADULTS = "adults", "Single Point of Access (adults)"
        CHILDREN_AND_FAMILIES = "families", "Children's access point (families)"

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="access_points")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ADULTS)
    assessment_opens = models.TimeField(
        default=DEFAULT_OPENS, help_text="When the assessment team starts triage (local time)."
    )
    assessment_closes = models.TimeField(
        default=DEFAULT_CLOSES, help_text="When the assessment team stops (local time)."
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="access_points"
    )

    class Meta:
        verbose_name = "single point of access"
        verbose_name_plural = "single points of access"
        constraints = [
            models.UniqueConstraint(fields=["place", "kind"], name="one_access_point_per_kind"),
            models.CheckConstraint(
                condition=Q(assessment_opens__lt=models.F("assessment_closes")),
                name="assessment_hours_open_before_close",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def in_hours(self, moment=None) -> bool:
        """Whether the assessment team is working at this moment (Europe/London)."""
        local = clock.local(moment or clock.now()).time()
        return self.assessment_opens <= local < self.assessment_closes

    @property
    def hours_label(self) -> str:
        return f"{self.assessment_opens:%H:%M} to {self.assessment_closes:%H:%M}"


class Referral(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New (arrived out of hours)"
        AWAITING_TRIAGE = "awaiting_triage", "Awaiting triage"
        AWAITING_ASSESSMENT = "awaiting_assessment", "Awaiting assessment"
        ALLOCATED = "allocated", "Allocated"
        CLOSED = "closed", "Closed"

    OPEN = (Status.NEW, Status.AWAITING_TRIAGE, Status.AWAITING_ASSESSMENT, Status.ALLOCATED)

    class Source(models.TextChoices):
        GP = "gp", "GP"
        # District and VAWAS nurses (seed 000, Appendix 2), from a visit or the practice MDT.
        COMMUNITY_NURSING = "community_nursing", "Community nursing"
        HOSPITAL_WARD = "hospital_ward", "Hospital ward"
        AE = "ae", "A&E"
        AMBULANCE = "ambulance", "Ambulance service"
        SOCIAL_CARE = "social_care", "Social care"
        FAMILY_OR_CARER = "family_or_carer", "Family or carer"
        SELF = "self", "Self-referral"
        VCS = "vcs", "Voluntary and community sector"

    HOSPITAL_SOURCES = (Source.HOSPITAL_WARD, Source.AE)

    class Urgency(models.TextChoices):
        IMMEDIATE = "immediate", "Immediate (within 2 hours)"
        TODAY = "today", "Today"
        TWO_DAYS = "two_days", "Within 2 days"
        ROUTINE = "routine", "Routine"

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone call or form"
        API = "api", "From another system"
        MDT = "mdt", "At an MDT meeting"

    spa = models.ForeignKey(SinglePointOfAccess, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=30, choices=Status.choices, db_index=True)
    received_at = models.DateTimeField(db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_taken"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)
    received_out_of_hours = models.BooleanField(default=False)
    # Who referred and from where.
    referrer_source = models.CharField("Referred by", max_length=20, choices=Source.choices)
    referrer_name = models.CharField("Referrer's name", max_length=200)
    referrer_organisation = models.CharField(
        "Where from", max_length=200, blank=True, help_text="For example, a ward or a practice."
    )
    referrer_contact = models.CharField("Referrer's phone or email", max_length=200, blank=True)
    # The story, once, in the referrer's and the person's words.
    reason = models.TextField("Reason for referral")
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    medically_stable = models.BooleanField("Medically stable")
    consent_to_share = models.BooleanField("Consent to share information")
    # Without the person's agreement, on what basis the referral goes ahead and why (see
    # `sharing`); both empty when they agreed.
    sharing_basis = models.CharField(
        "Basis for referring without the person's agreement",
        max_length=20,
        choices=SharingBasis.choices,
        blank=True,
        default="",
    )
    sharing_note = models.CharField(
        "Why the referral went ahead without the person's agreement",
        max_length=NOTE_MAX,
        blank=True,
        default="",
    )
    what_matters = models.TextField("What matters to the person", blank=True)
    networks = models.TextField("Networks (family, friends, carers)", blank=True)
    strengths = models.TextField(blank=True)
    requested_service = models.CharField(
        max_length=30, blank=True, help_text="A service asked for by the referrer (a GP bed)."
    )
    # Another open referral for the same person at intake: flagged and linked, not merged.
    possible_duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="possible_duplicates"
    )
    # A retried submission from another system with the same key is the same referral.
    api_client = models.ForeignKey(
        "ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    idempotency_key = models.CharField(max_length=200, blank=True)
    # SHA-256 of the first submission's body: a key reused for a different body is refused.
    request_hash = models.CharField(max_length=64, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_triaged",
    )
    triage_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["spa", "status", "received_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["api_client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="one_referral_per_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="closed_referral_has_closing_time",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="referral_reason_not_blank"),
            # Sent without the person's agreement: on a stated basis. With it: no basis.
            models.CheckConstraint(
                condition=Q(consent_to_share=True) | ~Q(sharing_basis=""),
                name="referral_without_agreement_has_basis",
            ),
            models.CheckConstraint(
                condition=Q(consent_to_share=False) | Q(sharing_basis="", sharing_note=""),
                name="referral_with_agreement_has_no_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}"

    @property
    def channel_in_words(self) -> str:
        """How it came, for the middle of a sentence: "phone call or form", "at an MDT
        meeting" (a lower-cased label would read "mdt")."""
        label = self.get_channel_display()
        return label[:1].lower() + label[1:]

    @property
    def shared_without_agreement(self) -> str:
        """What everyone receiving the referral is told when the person did not agree to
        share: "Sent without the person's agreement to share: <basis>. <note>"; "" when
        they agreed."""
        if self.consent_to_share:
            return ""
        said = f"Sent without the person's agreement to share: {self.get_sharing_basis_display()}."
        return f"{said} {self.sharing_note}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def open_episodes(self) -> list:
        """Open episodes, from the prefetched episodes where the page prefetched them."""
        return [e for e in self.episodes.all() if e.ended_on is None]

    @property
    def from_hospital(self) -> bool:
        return self.referrer_source in self.HOSPITAL_SOURCES


class Allocation(models.Model):
    """A member of staff allocated to a referral: a relationship while it lasts."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="allocations")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referral_allocations"
    )
    purpose = models.CharField(max_length=100, default="assessment")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="allocation_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"allocation {self.pk} to referral {self.referral_id}"


class Assessment(models.Model):
    """Needs, strengths and networks, and the services proposed. A trusted assessor's
    assessment is accepted by every partner organisation: whose assessor it was is kept."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    assessor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trusted_assessment = models.BooleanField(
        default=True, help_text="Accepted by every partner organisation."
    )
    at_home = models.BooleanField("Assessed at home", default=False)
    assessed_at = models.DateTimeField()
    needs = models.TextField()
    strengths = models.TextField(blank=True)
    networks = models.TextField(blank=True)
    proposed_services = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["assessed_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(needs=""), name="assessment_needs")]

    def __str__(self) -> str:
        return f"assessment {self.pk}"

    @property
    def proposed_service_names(self) -> list[str]:
        """The services proposed as people read them ("Intermediate care bed")."""
        from joinedcare.services.models import Service  # services builds on referrals

        kinds = dict(Service.Kind.choices)
        return [kinds.get(kind, kind) for kind in self.proposed_services]


class ApiClient(models.Model):
    """Another system sending referrals (a ward's discharge list, a GP system).

    Its token is stored hashed; `acts_as` is the staff account its actions are audited as.
    """

    name = models.CharField(max_length=200)
    spa = models.ForeignKey(SinglePointOfAccess, on_delete=models.PROTECT, related_name="+")
    acts_as = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, **fields) -> tuple["ApiClient", str]:
        """A new client and its token (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        return cls.objects.create(token_hash=cls.hash(token), **fields), token
