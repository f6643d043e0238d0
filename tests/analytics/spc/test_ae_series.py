"""The XmR chart on real monthly A&E series, against cases worked by hand from the rules.

Data: type 1 A&E attendances and admissions, Apr 2016 - Mar 2019, for RXP (County Durham and
Darlington) and RR8 (Leeds), copied with their attribution into data/ae_type1_rxp_rr8.csv.

Every number asserted below was worked out on paper from the rules in joinedcare/analytics/spc.py
(sums added with a calculator); the working is in each test's docstring. Indices count from 0
(0 = Apr 2016, 35 = Mar 2019).
"""

import csv
from pathlib import Path

import pytest

from joinedcare.analytics.spc import Assurance, Rule, Variation, xmr

DATA = Path(__file__).parent / "data" / "ae_type1_rxp_rr8.csv"


def series(org: str, column: str) -> tuple[list[str], list[float]]:
    with DATA.open() as fh:
        rows = [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
    rows = sorted((r for r in rows if r["org_code"] == org), key=lambda r: r["period"])
    return [r["period"][:7] for r in rows], [float(r[column]) for r in rows]


def fired(chart, rule: Rule) -> list[int]:
    return [p.index for p in chart.points if rule in p.rules]


def test_copied_series_are_complete():
    for org in ("RXP", "RR8"):
        labels, values = series(org, "attendances")
        assert len(values) == 36
        assert labels[0] == "2016-04" and labels[-1] == "2019-03"


def test_rxp_attendances_common_cause_throughout():
    """RXP type 1 attendances (low is good).

    Sum of the 36 months 396,807 -> mean 11,022.417.
    The 35 moving ranges add to 20,629 -> mean moving range 589.4.
    Limits 11,022.417 +- 2.66 x 589.4 = 11,022.417 +- 1,567.804 -> 9,454.613 to 12,590.221.
    Two-thirds lines: 11,022.417 +- 1,045.203 -> 9,977.214 and 12,067.619.

    - Outside the limits: none. Highest 12,487 (Mar 2019) < 12,590.2; lowest 9,468
      (Feb 2017) > 9,454.6 (by 13).
    - Runs (+ above, - below the mean), months 0-35:
      -+-+--+------+++--+++----+++--+-++++ : longest is 6 below (7-12, Nov 2016 - Apr 2017),
      so no run of 7.
    - Trends: the longest strict rise is Feb-May 2018 (9,747, 10,716, 10,773, 11,536), 4 points.
    - Two of three beyond two-thirds: high only Mar 2019 (12,487); Jan 2019 (12,058) is just
      under 12,067.6, so its window (12,058, 11,096, 12,487) has one. Low: Feb 2017 (9,468)
      and Feb 2018 (9,747), a year apart.
    So every point is common cause; the latest icon is common cause.
    """
    labels, values = series("RXP", "attendances")
    chart = xmr(values, labels=labels, low_is_good=True)

    assert chart.mean == pytest.approx(396_807 / 36)
    assert chart.mean_moving_range == pytest.approx(589.4)
    assert chart.upper == pytest.approx(12_590.2207, abs=1e-3)
    assert chart.lower == pytest.approx(9_454.6127, abs=1e-3)
    assert not any(p.special_cause for p in chart.points)
    assert {p.colour for p in chart.points} == {"#A6A6A6"}
    assert chart.variation is Variation.COMMON_CAUSE
    assert chart.assurance is Assurance.NONE


def test_rxp_attendances_run_of_six_as_a_setting():
    """Same series with runs of 6: Nov 2016 - Apr 2017 (months 7-12) are 6 below the mean
    (10,727, 10,593, 10,652, 9,468, 10,733, 10,572; Oct 2016 11,166 and May 2017 11,592 are
    above), so they fire the run rule, on the low side: an improvement as low is good."""
    labels, values = series("RXP", "attendances")
    chart = xmr(values, labels=labels, low_is_good=True, run_length=6)

    assert fired(chart, Rule.RUN) == [7, 8, 9, 10, 11, 12]
    assert {chart.points[i].variation for i in range(7, 13)} == {Variation.IMPROVEMENT}
    assert chart.points[7].colour == "#00B0F0"
    assert chart.variation is Variation.COMMON_CAUSE  # the latest point is not in the run


def test_rxp_admissions_every_rule_worked_by_hand():
    """RXP type 1 admissions (low is good).

    Sum 124,636 -> mean 3,462.111. Moving ranges add to 6,032 -> mean MR 172.343.
    2.66 x 172.343 = 458.432 -> limits 3,003.679 to 3,920.543.
    Two-thirds lines: 3,462.111 +- 305.621 -> 3,156.490 and 3,767.732.

    - Outside: above 3,920.543 are Dec 2018 (32: 3,939), Jan 2019 (33: 4,080) and Mar 2019
      (35: 3,923, by 2.5). Nothing below (lowest 3,071).
    - Runs: ---------+--------++++-+++++++++++++ : 0-8 below (9 points), 9 above
      (3,465 > 3,462.1), 10-17 below (8), 18-21 above (4), 22 below (3,320), 23-35 above (13).
      So runs at 0-8, 10-17 and 23-35.
    - Trends: longest strict rises are Sep 2016 - Jan 2017 (5-9: 3,079 ... 3,465) and
      Oct 2018 - Jan 2019 from Sep (29-33: 3,497 ... 4,080): 5 points each, no trend.
    - Two of three high (> 3,767.732): months 20 (3,869), 27 (3,780), 31 (3,798), 32, 33, 35.
      Windows with two: (30,31,32), (31,32,33), (32,33,34), (33,34,35) -> 31, 32, 33, 35.
      20 and 27 are alone in every window (21 is 3,731, under the line).
      Low (< 3,156.490): 0 (3,071), 2 (3,075), 4 (3,139), 5 (3,079), 10 (3,128).
      Windows (0,1,2), (2,3,4), (3,4,5), (4,5,6) -> 0, 2, 4, 5; 10 is alone.
    Low is good: the early low runs are improvement, the late high run concern. The latest
    point (Mar 2019) is outside the upper limit: special cause concern, high.
    """
    labels, values = series("RXP", "admissions")
    chart = xmr(values, labels=labels, low_is_good=True)

    assert chart.mean == pytest.approx(124_636 / 36)
    assert chart.mean_moving_range == pytest.approx(6_032 / 35)
    assert chart.upper == pytest.approx(3_920.5431, abs=1e-3)
    assert chart.lower == pytest.approx(3_003.6791, abs=1e-3)
    assert fired(chart, Rule.OUTSIDE_LIMITS) == [32, 33, 35]
    assert fired(chart, Rule.RUN) == [*range(0, 9), *range(10, 18), *range(23, 36)]
    assert fired(chart, Rule.TREND) == []
    assert fired(chart, Rule.TWO_OF_THREE) == [0, 2, 4, 5, 31, 32, 33, 35]
    assert chart.points[35].rules == (Rule.OUTSIDE_LIMITS, Rule.RUN, Rule.TWO_OF_THREE)
    assert chart.points[34].rules == (Rule.RUN,)
    common = [p.index for p in chart.points if not p.special_cause]
    assert common == [9, 18, 19, 20, 21, 22]
    assert {chart.points[i].variation for i in range(0, 18) if i != 9} == {Variation.IMPROVEMENT}
    assert {chart.points[i].variation for i in range(23, 36)} == {Variation.CONCERN}
    assert chart.variation is Variation.CONCERN
    assert chart.variation_side == "high"
    assert chart.latest.colour == "#E46C0A"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # Low is good. 4,000 lies above the upper limit 3,920.5: every month of this process
        # falls under it -> pass. 3,000 lies below the lower limit 3,003.7: no month reaches
        # it -> fail. 3,500 lies between the limits -> hit and miss.
        (4_000, Assurance.PASS),
        (3_000, Assurance.FAIL),
        (3_500, Assurance.HIT_AND_MISS),
    ],
)
def test_rxp_admissions_assurance_against_a_target(target, expected):
    _, values = series("RXP", "admissions")
    assert xmr(values, low_is_good=True, target=target).assurance is expected
    # Where high is good the same targets swap pass and fail.
    swapped = {Assurance.PASS: Assurance.FAIL, Assurance.FAIL: Assurance.PASS}
    assert xmr(values, low_is_good=False, target=target).assurance is swapped.get(
        expected, expected
    )


def test_rxp_admissions_without_a_direction_is_neutral():
    """No better direction: the same special causes, coloured purple, and no assurance."""
    _, values = series("RXP", "admissions")
    chart = xmr(values, low_is_good=None, target=3_500)
    assert chart.variation is Variation.NEUTRAL
    assert chart.latest.colour == "#490092"
    assert chart.assurance is Assurance.NONE


def test_rxp_admissions_baseline_of_eighteen_months():
    """Limits from Apr 2016 - Sep 2017 (the first 18 points), the rules applied to all 36.

    Sum of the first 18: 58,620 -> mean 3,256.667. Their 17 moving ranges add to 2,331 ->
    mean MR 137.118. 2.66 x 137.118 = 364.733 -> limits 2,891.934 to 3,621.400.
    Above 3,621.400: months 20 (3,869), 21 (3,731), 23 (3,632), 27 (3,780), 30 (3,644),
    31 (3,798), 32 (3,939), 33 (4,080), 35 (3,923).
    Against mean 3,256.667 months 18-35 are all above: a run of 18 points.
    """
    labels, values = series("RXP", "admissions")
    chart = xmr(values, labels=labels, low_is_good=True, baseline=18)

    assert chart.mean == pytest.approx(58_620 / 18)
    assert chart.mean_moving_range == pytest.approx(2_331 / 17)
    assert chart.upper == pytest.approx(3_621.3996, abs=1e-3)
    assert fired(chart, Rule.OUTSIDE_LIMITS) == [20, 21, 23, 27, 30, 31, 32, 33, 35]
    assert set(range(18, 36)) <= set(fired(chart, Rule.RUN))
    assert all(p.mean == chart.mean for p in chart.points)


def test_rr8_admissions_screening_drops_the_october_2016_step():
    """RR8 type 1 admissions: a step down in Oct 2016 (6,265 -> 5,086).

    Sum 186,836 -> mean 5,189.889. Moving ranges add to 10,704 -> mean MR 305.829.
    Unscreened limits 5,189.889 +- 813.504 -> 4,376.385 to 6,003.393.
    Screening: 3.267 x 305.829 = 999.142; only the Oct 2016 range (1,179) is larger, so it is
    left out: (10,704 - 1,179) / 34 = 9,525 / 34 = 280.147 -> limits 5,189.889 +- 745.191
    -> 4,444.698 to 5,935.080.
    Outside either way: Apr-Sep 2016 (0-5: 6,258 ... 6,265, all above 6,003.4), Feb 2018
    (22: 4,314) and Feb 2019 (34: 4,264); no other month lies between the two sets of limits.
    Runs: ++++++-----+-+-+---------+-+--+----- : 0-5 are 6 above (no run of 7),
    16-24 are 9 below (run).
    """
    labels, values = series("RR8", "admissions")
    plain = xmr(values, labels=labels, low_is_good=True)
    screened = xmr(values, labels=labels, low_is_good=True, screen=True)

    assert plain.mean_moving_range == pytest.approx(10_704 / 35)
    assert plain.upper == pytest.approx(6_003.3929, abs=1e-3)
    assert plain.excluded_moving_ranges == ()
    assert screened.excluded_moving_ranges == (6,)
    assert screened.mean_moving_range == pytest.approx(9_525 / 34)
    assert screened.upper == pytest.approx(5_935.0798, abs=1e-3)
    assert screened.lower == pytest.approx(4_444.6980, abs=1e-3)
    for chart in (plain, screened):
        assert fired(chart, Rule.OUTSIDE_LIMITS) == [0, 1, 2, 3, 4, 5, 22, 34]
        assert fired(chart, Rule.RUN) == list(range(16, 25))
    # With runs of 6 the first six months are also a run above the mean.
    assert fired(xmr(values, run_length=6), Rule.RUN)[:6] == [0, 1, 2, 3, 4, 5]


def test_fourteen_months_show_no_limits_fifteen_do():
    """RXP admissions, Apr 2016 - Jun 2017 (15 points): sum 48,667 -> mean 3,244.467;
    14 moving ranges add to 1,979 -> mean MR 141.357 -> limits 2,868.457 to 3,620.477.
    Nothing outside, longest run 4 (-+-+----++-++++), nothing beyond two-thirds
    (3,495.140 / 2,993.793): common cause. With 14 points: no limits, nothing judged."""
    labels, values = series("RXP", "admissions")
    fifteen = xmr(values[:15], labels=labels[:15], low_is_good=True)
    fourteen = xmr(values[:14], labels=labels[:14], low_is_good=True, target=3_000)

    assert fifteen.has_limits and fifteen.note is None
    assert fifteen.upper == pytest.approx(3_620.4767, abs=1e-3)
    assert fifteen.lower == pytest.approx(2_868.4567, abs=1e-3)
    assert fifteen.variation is Variation.COMMON_CAUSE
    assert not fourteen.has_limits
    assert fourteen.upper is None and fourteen.lower is None
    assert fourteen.mean == pytest.approx(sum(values[:14]) / 14)
    assert "Fewer than 15 points" in fourteen.note
    assert fourteen.variation is Variation.NOT_ENOUGH_POINTS
    assert fourteen.assurance is Assurance.NONE
    assert not any(p.special_cause for p in fourteen.points)
