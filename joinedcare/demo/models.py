"""A record of which Demo County this database holds, so `make demo` can reuse it."""

from django.db import models


class CountyLoad(models.Model):
    """One load of a generated county into the web app's database."""

    manifest_sha256 = models.CharField(max_length=64, unique=True)
    seed = models.BigIntegerField()
    scale = models.FloatField()
    people = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Demo County seed {self.seed} scale {self.scale} ({self.people} people)"
