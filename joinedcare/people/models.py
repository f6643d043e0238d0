"""People cared for: patients and service users, identified by their NHS number."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from joinedcare import nhs_numbers
from joinedcare.organisations.models import Practice
from joinedcare.pseudonym import pseudonymise


def validate_nhs_number(value: str) -> None:
    problem = nhs_numbers.problem_with(value)
    if problem:
        raise ValidationError(problem, code="invalid_nhs_number")


class Person(models.Model):
    """A person registered with a practice. Reads go through `joinedcare.access` only."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Not known"

    class EthnicCategory(models.TextChoices):
        """NHS Data Dictionary ethnic category codes (2001 census classification)."""

        WHITE_BRITISH = "A", "White: British"
        WHITE_IRISH = "B", "White: Irish"
        WHITE_OTHER = "C", "White: any other White background"
        MIXED_WHITE_BLACK_CARIBBEAN = "D", "Mixed: White and Black Caribbean"
        MIXED_WHITE_BLACK_AFRICAN = "E", "Mixed: White and Black African"
        MIXED_WHITE_ASIAN = "F", "Mixed: White and Asian"
        MIXED_OTHER = "G", "Mixed: any other mixed background"
        ASIAN_INDIAN = "H", "Asian or Asian British: Indian"
        ASIAN_PAKISTANI = "J", "Asian or Asian British: Pakistani"
        ASIAN_BANGLADESHI = "K", "Asian or Asian British: Bangladeshi"
        ASIAN_OTHER = "L", "Asian or Asian British: any other Asian background"
        BLACK_CARIBBEAN = "M", "Black or Black British: Caribbean"
        BLACK_AFRICAN = "N", "Black or Black British: African"
        BLACK_OTHER = "P", "Black or Black British: any other Black background"
        CHINESE = "R", "Other ethnic groups: Chinese"
        OTHER = "S", "Other ethnic groups: any other ethnic group"
        NOT_STATED = "Z", "Not stated"
        NOT_KNOWN = "99", "Not known"

    # URLs carry this opaque id, never the NHS number, so request logs hold no identifier.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nhs_number = models.CharField(
        "NHS number", max_length=10, unique=True, validators=[validate_nhs_number]
    )
    pseudonym = models.CharField(max_length=64, unique=True, editable=False)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, db_index=True)
    date_of_birth = models.DateField(db_index=True)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    postcode = models.CharField(max_length=10, blank=True)
    lsoa = models.CharField("LSOA", max_length=9, blank=True)
    imd_decile = models.PositiveSmallIntegerField(
        "IMD decile", null=True, blank=True, help_text="1 = most deprived 10% of England."
    )
    ethnic_category = models.CharField(max_length=2, blank=True, choices=EthnicCategory.choices)
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="registered", null=True, blank=True
    )
    registered_from = models.DateField("Registered with the practice from", null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            # Answers the registered-population counts without reading the table.
            models.Index(
                fields=["practice", "date_of_birth", "date_of_death"],
                name="person_registered_population",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imd_decile__isnull=True)
                | models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="imd_decile_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(date_of_death__isnull=True)
                | models.Q(date_of_death__gte=models.F("date_of_birth")),
                name="death_not_before_birth",
            ),
        ]

    def __str__(self) -> str:
        # Deliberately not the name: str() ends up in logs and admin messages.
        return f"person {self.public_id}"

    def save(self, *args, **kwargs) -> None:
        self.nhs_number = nhs_numbers.normalise(self.nhs_number)
        self.pseudonym = pseudonymise(self.nhs_number, settings.PSEUDONYM_KEY)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name.upper()}"

    @property
    def formatted_nhs_number(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"

    @property
    def team(self):
        return self.practice.team if self.practice else None

    def age_on(self, day) -> int:
        """Age in whole years on a day."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
