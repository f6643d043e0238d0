"""What the web layer itself stores: the forms already sent (see `once`)."""

from django.conf import settings
from django.db import models


class SentForm(models.Model):
    """A form that changed something, by the one-time token it carried."""

    token = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    sent_at = models.DateTimeField(auto_now_add=True)
    # Where the user went after it was saved: a second send goes there too.
    next_url = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"form {self.token[:8]} sent by {self.sent_by_id} at {self.sent_at:%Y-%m-%d %H:%M}"
