"""What the outcomes pages compute from the stored results: a unit's inequality breakdowns,
and a dashboard that needs no cells (so a new process's first page only reads the units)."""

from calendar import monthrange

import pytest

from joinedcare.analytics.metrics import catalogue, engine
from joinedcare.analytics.suppression import SUPPRESSED_TEXT, round_count
from joinedcare.outcomes import figures
from joinedcare.staff.roles import Role
from tests import factories

from .conftest import CODES


def _expected(metric, numerator, denominator, months) -> tuple[str, str, str]:
    """A group's numerator, denominator and value texts, worked out again from the rule.

    Was `figures.shown` of the twelve months' sums: that judged one person registered all
    year as 12 and showed a numerator beside a hidden denominator. Now people registered
    and things open at a month end are averaged per month, and a group's counts and value
    are shown together or not at all.
    """

    def published(side, total):
        spec = metric.query[side]
        counted_each_month = spec.get("population") or "open_at_month_end" in spec
        return round_count(total / len(months) if counted_each_month else total)

    top = published("numerator", numerator)
    if metric.unit == catalogue.PER_WEEK:
        bottom = sum(monthrange(*map(int, m.split("-")))[1] for m in months)
        value = None if top is None else top * 7 / bottom
    else:
        bottom = published("denominator", denominator)
        value = None if top is None or bottom is None else top / bottom * metric.multiplier
    if value is None:
        return (SUPPRESSED_TEXT,) * 3
    return f"{top:,}", f"{bottom:,}", f"{value:,.1f}"


@pytest.mark.django_db  # the operations metrics read the web app's records
@pytest.mark.parametrize(
    ("level", "code"), [("team", "T1"), ("practice", "P3"), ("locality", "L1"), ("place", None)]
)
def test_a_units_inequalities_are_its_share_of_every_cell(analytics_dir, level, code):
    computed = figures.current(analytics_dir)
    key = figures.unit_key(level, CODES.get(code, ""))
    shown_any = False
    for metric in computed.computed:
        got = figures.inequalities(computed, metric, level, key)
        assert figures.inequalities(computed, metric, level, key) is got  # worked out once

        cells = computed.results[metric.slug].cells
        cells = cells[cells.month.isin(figures.period(computed))]
        for breakdown in got.breakdowns:
            dimension = breakdown.dimension
            frame = engine.by_group(metric, cells, dimension, level=level, per_month=False)
            frame = frame[frame.unit == key].sort_values("group")
            months = figures.period(computed)
            want = [
                (
                    figures._group_label(r.group),
                    *_expected(metric, r.numerator, r.denominator, months),
                )
                for r in frame.itertuples()
            ]
            assert breakdown.rows == want, (metric.slug, dimension)
            shown_any |= any(row[3] != "[c]" for row in want)
    assert shown_any, "some figure must be large enough to show"


@pytest.mark.django_db
def test_a_dashboard_reads_no_cells(client, units, analytics_dir):
    from joinedcare.analytics.store import Store

    figures._cache.clear()  # as in a new process
    client.force_login(factories.staff(Role.TAP_LEAD, teams=[units["teams"]["T1"]]))
    client.get(f"/outcomes/team/{units['teams']['T1'].code}/")  # stores results if missing
    figures._cache.clear()

    response = client.get(f"/outcomes/team/{units['teams']['T1'].code}/")

    assert response.status_code == 200
    computed = figures.current(analytics_dir)
    assert computed.snapshot == Store(analytics_dir).current()
    assert "results" not in vars(computed)  # the cells were never read
    assert computed.results  # and are there when a page asks
