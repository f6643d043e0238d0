"""Registered population counts for practices, teams and localities."""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from joinedcare.people.models import Person


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def registered(on: date | None = None) -> QuerySet[Person]:
    """People alive and registered at a practice on a day."""
    on = on or timezone.localdate()
    return Person.objects.filter(practice__isnull=False).exclude(date_of_death__lte=on)


def counts_by(field: str, on: date | None = None) -> dict:
    """{value of `field`: {"registered", "aged_65_plus", "aged_75_plus"}}."""
    on = on or timezone.localdate()
    rows = (
        registered(on)
        .values(field)
        .annotate(
            registered=Count("pk"),
            aged_65_plus=Count("pk", filter=Q(date_of_birth__lte=_years_before(on, 65))),
            aged_75_plus=Count("pk", filter=Q(date_of_birth__lte=_years_before(on, 75))),
        )
    )
    return {row.pop(field): row for row in rows}
