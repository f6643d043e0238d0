"""Registered population counts for practices, teams and localities."""

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from joinedcare.organisations.models import Practice
from joinedcare.people.models import Person

EMPTY = {"registered": 0, "aged_65_plus": 0, "aged_75_plus": 0}


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def registered(on: date | None = None) -> QuerySet[Person]:
    """People alive and registered at a practice on a day."""
    on = on or timezone.localdate()
    return Person.objects.filter(practice__isnull=False).exclude(date_of_death__lte=on)


def by_practice(on: date | None = None) -> dict[int, dict]:
    """{practice id: {"registered", "aged_65_plus", "aged_75_plus"}}.

    Grouped by practice alone (no join), which the (practice, date of birth, date of
    death) index answers without reading the table.
    """
    on = on or timezone.localdate()
    rows = (
        registered(on)
        .values("practice")
        .annotate(
            registered=Count("pk"),
            aged_65_plus=Count("pk", filter=Q(date_of_birth__lte=_years_before(on, 65))),
            aged_75_plus=Count("pk", filter=Q(date_of_birth__lte=_years_before(on, 75))),
        )
    )
    return {row.pop("practice"): row for row in rows}


def by_team(on: date | None = None) -> dict[int, dict]:
    """{team id: counts}, summed from the practices."""
    practices = by_practice(on)
    teams: dict[int, dict] = defaultdict(lambda: dict(EMPTY))
    for practice_id, team_id in Practice.objects.values_list("pk", "team_id"):
        for key, n in practices.get(practice_id, EMPTY).items():
            teams[team_id][key] += n
    return dict(teams)
