"""The inequality breakdowns judge small numbers by the people (or events) a count stands
for, never by monthly counts added up, and say what each column counts.

A population metric's denominator is the people registered on each month's first day: added
up over twelve months, one person registered all year counts 12. These tests give a unit's
cells by hand (as `engine.cells` makes them: one row per practice, month and group) and read
the breakdowns as the inequality page shows them.
"""

import re

import pandas as pd
import pytest

from joinedcare.analytics.metrics import catalogue, engine
from joinedcare.analytics.store import Snapshot
from joinedcare.analytics.suppression import SUPPRESSED_TEXT
from joinedcare.outcomes import figures
from joinedcare.staff.roles import Role
from tests import factories

PRACTICE = "A83626"
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
C = SUPPRESSED_TEXT


def _cell(month: str, numerator: int, denominator: int, **groups: str) -> dict:
    """One cell of the practice: white women aged 18-64 in quintile 3 unless `groups` say."""
    return {
        "practice_code": PRACTICE,
        "team_code": "T1",
        "locality_code": "LOC1",
        "month": month,
        "imd_quintile": "3",
        "age_band": "18-64",
        "sex": "female",
        "ethnic_group": "White",
        **groups,
        "numerator": numerator,
        "denominator": denominator,
    }


def _inequalities(tmp_path, slug: str, rows: list[dict]) -> figures.Inequalities:
    metric = catalogue.get(slug)
    result = engine.Result(metric, engine.COMPUTED, cells=pd.DataFrame(rows))
    computed = figures.Computed.of(Snapshot(tmp_path), {slug: result})
    return figures.inequalities(computed, metric, "practice", PRACTICE)


def _rows(got: figures.Inequalities, dimension: str) -> dict[str, tuple[str, str, str]]:
    """Group -> (numerator, denominator, value) texts of one breakdown."""
    (breakdown,) = [b for b in got.breakdowns if b.dimension == dimension]
    return {group: (n, d, v) for group, n, d, v in breakdown.rows}


def test_inequalities_group_of_one_person_registered_all_year_is_suppressed(tmp_path):
    # 30 white people and one black person registered all year; 2 A&E attendances a month.
    rows = [_cell(m, 2, 30) for m in MONTHS]
    rows += [_cell(m, 0, 1, ethnic_group="Black or Black British") for m in MONTHS]

    got = _inequalities(tmp_path, "ae_attendances_per_1000", rows)

    # Summed, the one person is 12 person-months and would read "10".
    assert _rows(got, "ethnic_group")["Black or Black British"] == (C, C, C)


@pytest.mark.parametrize(("people", "shown"), [(7, C), (8, "10")])
def test_inequalities_people_are_judged_by_their_average_per_month(tmp_path, people, shown):
    rows = [_cell(m, 1, people) for m in MONTHS]  # 12 attendances in the year

    got = _inequalities(tmp_path, "ae_attendances_per_1000", rows)

    assert _rows(got, "sex")["Female"][1] == shown


def test_inequalities_numerator_is_never_shown_beside_a_suppressed_denominator(tmp_path):
    # Three Asian referrals triaged in the year, 740 minutes' wait between them.
    rows = [_cell(m, 600, 10) for m in MONTHS]
    rows += [_cell(MONTHS[0], 740, 3, ethnic_group="Asian or Asian British")]

    got = _inequalities(tmp_path, "referral_to_triage_hours", rows)

    assert _rows(got, "ethnic_group")["Asian or Asian British"] == (C, C, C)
    assert _rows(got, "ethnic_group")["White"] == ("7,200", "120", "1.0")


@pytest.mark.django_db  # the operations metrics read the web app's records
def test_inequalities_no_numerator_beside_a_suppressed_denominator_on_any_metric(analytics_dir):
    computed = figures.current(analytics_dir)
    checked = 0
    for metric in computed.computed:
        for level, key in [("place", engine.PLACE), ("practice", "OUTP1")]:
            for breakdown in figures.inequalities(computed, metric, level, key).breakdowns:
                for group, numerator, denominator, value in breakdown.rows:
                    if C in (numerator, denominator, value):
                        assert (numerator, denominator, value) == (C, C, C), (metric.slug, group)
                    checked += 1
    assert checked


def test_inequalities_population_denominator_counts_people_not_person_months(tmp_path):
    # 30 people all year in the most deprived quintile, 40 in the least; 2 and 1 A&E
    # attendances a month.
    rows = [_cell(m, 2, 30, imd_quintile="1") for m in MONTHS]
    rows += [_cell(m, 1, 40, imd_quintile="5") for m in MONTHS]

    got = _inequalities(tmp_path, "ae_attendances_per_1000", rows)

    quintiles = _rows(got, "imd_quintile")
    # 24 attendances -> 25 shown; 30 people (not 360): 25 / 30 x 1,000 a year.
    assert quintiles["1"] == ("25", "30", "833.3")
    assert quintiles["5"] == ("10", "40", "250.0")
    assert got.value_unit == "per 1,000 people a year"
    # The gap is still taken between the values shown.
    assert got.gap == "583.3 per 1,000 people a year"
    assert got.ratio == "3.33"


def test_inequalities_things_open_at_each_month_end_are_averaged(tmp_path):
    # 20 people on the case list all year, 14 of them with a care plan.
    rows = [_cell(m, 14, 20) for m in MONTHS]

    got = _inequalities(tmp_path, "top2_with_care_plan", rows)

    assert _rows(got, "sex")["Female"] == ("15", "20", "75.0")
    assert got.numerator_label == "Counted at each month end (average per month)"


def test_inequalities_events_are_counted_over_the_months(tmp_path):
    # A proportion of events: 3 of 10 discharges a month readmitted, 36 of 120 in the year.
    rows = [_cell(m, 3, 10) for m in MONTHS]

    got = _inequalities(tmp_path, "emergency_readmissions_30_days", rows)

    assert _rows(got, "sex")["Female"] == ("35", "120", "29.2")
    assert (got.numerator_label, got.denominator_label) == (
        "Events in the 12 months",
        "Events in the 12 months",
    )
    assert got.value_unit == "%"


@pytest.mark.django_db
def test_inequalities_page_labels_say_what_is_counted(client, units):
    client.force_login(factories.staff(Role.ANALYST))

    body = client.get(f"/outcomes/place/{units['place'].code}/inequalities/").text

    headers = re.findall(r'<th scope="col" class="nhsuk-table__header">([^<]*)</th>', body)
    assert "Numerator" not in headers and "Denominator" not in headers
    for label in (
        "People registered (average per month)",
        "Events in the 12 months",
        "Bed days in the 12 months",
        "Minutes in total in the 12 months",
        "Counted at each month end (average per month)",
        "Value (per 1,000 people a year)",
        "Value (%)",
    ):
        assert label in headers, label
    # Not "every metric summed over" the months: rates are not sums, people are averages.
    assert not re.search(r"summed over \w+ \d{4} to", body)
    assert "averages per month" in body
