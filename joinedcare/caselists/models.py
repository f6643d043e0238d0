"""Case lists: the people a stratification run puts at the top of each practice's list.

They arrive by pseudonym. A name is shown only to staff the access rule allows.
"""

from django.conf import settings
from django.db import models

from joinedcare.organisations.models import Practice


class PublishedRun(models.Model):
    """A stratification run whose case lists went to the MDTs."""

    run_id = models.CharField(max_length=80, unique=True)
    snapshot_fingerprint = models.CharField(max_length=64)
    index_date = models.DateField()
    top_percent = models.DecimalField(max_digits=4, decimal_places=2)
    # The model card's headline figures, so the page can say how good the list is.
    summary = models.JSONField(default=dict)
    # The run's report.html as published: the card stays with the list it justifies,
    # wherever the run's folder was or goes. Empty for runs published before it was kept.
    model_card = models.TextField(blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"run {self.run_id}"

    @property
    def is_first(self) -> bool:
        """No list was published before this one, so nobody on it can be new."""
        earlier = models.Q(published_at__lt=self.published_at) | models.Q(
            published_at=self.published_at, id__lt=self.id
        )
        return not PublishedRun.objects.filter(earlier).exists()

    @property
    def ppv_at_top(self) -> float | None:
        """Of the people in the model's top `top_percent` at validation, the share admitted.

        Runs published before the figure followed the share kept only the 2% figure.
        """
        if "ppv_at_top" in self.summary:
            return self.summary["ppv_at_top"]
        return self.summary.get("ppv_top_2") if self.top_percent == 2 else None


class CaseListEntry(models.Model):
    """One person on one practice's case list for one published run."""

    run = models.ForeignKey(PublishedRun, on_delete=models.CASCADE, related_name="entries")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="case_list")
    pseudonym = models.CharField(max_length=64, db_index=True)
    risk = models.FloatField(help_text="Probability of an emergency admission in 12 months.")
    rank_in_practice = models.PositiveIntegerField()
    segment = models.CharField(max_length=20)
    efi = models.FloatField(null=True)
    efi_category = models.CharField(max_length=20, blank=True)
    hfrs = models.FloatField(null=True)
    hfrs_band = models.CharField(max_length=20, blank=True)
    charlson = models.PositiveSmallIntegerField(null=True)
    lace = models.PositiveSmallIntegerField(null=True)
    top_factors = models.JSONField(default=list)
    # Not on this practice's list in the previously published run.
    new_entrant = models.BooleanField(default=False)

    class Meta:
        ordering = ["rank_in_practice"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "practice", "pseudonym"], name="one_entry_per_person_per_run"
            ),
            models.CheckConstraint(
                condition=models.Q(risk__gte=0, risk__lte=1), name="risk_is_a_probability"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice_id} #{self.rank_in_practice} in {self.run_id}"
