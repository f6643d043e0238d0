"""The hierarchy people are cared for in: practice -> Team Around Patients -> locality -> place,
and the organisations that employ the staff who work in it."""

from django.db import models

# Durham's Teams Around Patients serve 30,000-50,000 registered people; rural teams may be
# smaller (seed 001). A team outside the band is marked, never rejected.
TEAM_BAND = (30_000, 50_000)


class Organisation(models.Model):
    """An employing or commissioning body, identified by its ODS-style code."""

    class Kind(models.TextChoices):
        ICB = "icb", "Integrated care board / CCG"
        ADULT_SOCIAL_CARE = "council_adult_social_care", "Council adult social care"
        CHILDRENS_SERVICES = "council_childrens_services", "Council children's services"
        ACUTE_TRUST = "acute_trust", "Acute trust"
        COMMUNITY_TRUST = "community_trust", "Community trust"
        GP_PRACTICE = "gp_practice", "GP practice"
        VCS = "vcs", "Voluntary and community sector organisation"

    code = models.CharField("ODS code", max_length=12, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=Kind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Place(models.Model):
    """A county or borough: the footprint of one health and care partnership."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Locality(models.Model):
    """A group of Teams Around Patients within a place (the macro MDT level)."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="localities")
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """An electoral ward (or a stand-in area) from which a locality is built."""

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="wards")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A Team Around Patients: a cluster of GP practices and the staff working around them."""

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="teams")
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)
    rural = models.BooleanField(
        default=False, help_text="Rural teams may serve fewer than 30,000 people."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def band_status(self, registered: int) -> str:
        """Where a registered population stands against the 30,000-50,000 band."""
        low, high = TEAM_BAND
        if registered > high:
            return "above"
        if registered >= low:
            return "inside"
        return "below (rural)" if self.rural else "below"


class Practice(models.Model):
    """A GP practice: where people are registered, and so which team they belong to."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="practice",
        limit_choices_to={"kind": Organisation.Kind.GP_PRACTICE},
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="practices")
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def code(self) -> str:
        return self.organisation.code

    @property
    def name(self) -> str:
        return self.organisation.name
