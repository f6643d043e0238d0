"""The Single Point of Access's clock: what "now" is for intake, triage and services.

Every action and page of the SPA, services, Discharge to Assess and families asks this
module for the time, never `timezone.now()` directly, so a test can set the server's
time (a call at 3am, the next morning, 91 days later) with one setting:

    settings.JOINEDCARE_CLOCK = datetime(2026, 1, 14, 3, 0, tzinfo=LONDON)

The setting is read on every call (so pytest-django's `settings` fixture works across
the live server's thread) and is refused in production.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current time, aware; the fixed test time when JOINEDCARE_CLOCK is set."""
    fixed = getattr(settings, "JOINEDCARE_CLOCK", None)
    if fixed is None:
        return timezone.now()
    if settings.PRODUCTION:
        raise ImproperlyConfigured("JOINEDCARE_CLOCK fixes the time: never in production.")
    if timezone.is_naive(fixed):
        raise ImproperlyConfigured("JOINEDCARE_CLOCK must be an aware datetime.")
    return fixed


def today() -> date:
    """Today's date in Europe/London (settings.TIME_ZONE)."""
    return timezone.localtime(now()).date()


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment)
