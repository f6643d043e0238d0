"""What the outcomes pages compute from the stored results: a unit's inequality breakdowns,
and a dashboard that needs no cells (so a new process's first page only reads the units)."""

import pytest

from joinedcare.analytics.metrics import engine
from joinedcare.outcomes import figures
from joinedcare.staff.roles import Role
from tests import factories

from .conftest import CODES


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
            want = []
            for r in frame.itertuples():
                f = figures.shown(metric, r.numerator, r.denominator)
                want.append((figures._group_label(r.group), figures._shown_count(f.numerator),
                             figures._shown_count(f.denominator), f.text()))  # fmt: skip
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
