"""Each special cause rule on a constructed series whose arithmetic is worked in the docstring."""

import pytest

from joinedcare.analytics.spc import Assurance, Rule, Variation, assurance, xmr

# Alternating +1/-1 then a stretch: built so that only the rule under test can fire.
RUN_OF_SIX = [-1, 1, -1, 1, -1, 1, 1, 1, 1, 1, 1, -1, -1, 1, -1, -1, 1, -1, -1, -1]


def fired(chart, rule: Rule) -> list[int]:
    return [p.index for p in chart.points if rule in p.rules]


def special(chart) -> list[int]:
    return [p.index for p in chart.points if p.special_cause]


def test_run_of_six_fires_only_with_the_six_point_setting():
    """20 points, ten +1 and ten -1: mean 0. 10 changes of sign, each a moving range of 2,
    the rest 0: mean MR 20/19 = 1.053, limits +-2.8, two-thirds lines +-1.87: no point is near.
    Points 5-10 are six +1s in a row (4 and 11 are -1): a run of 6, not 7."""
    assert special(xmr(RUN_OF_SIX)) == []
    chart = xmr(RUN_OF_SIX, run_length=6)
    assert special(chart) == fired(chart, Rule.RUN) == [5, 6, 7, 8, 9, 10]
    assert chart.mean == 0
    assert chart.mean_moving_range == pytest.approx(20 / 19)


def test_run_of_seven_fires_by_default():
    """21 points: eleven +1 and ten -1, mean 1/21. Points 5-11 are seven +1s in a row."""
    values = [-1, 1, -1, 1, -1, *[1] * 7, -1, -1, 1, -1, -1, 1, -1, -1, -1]
    chart = xmr(values)
    assert chart.mean == pytest.approx(1 / 21)
    assert fired(chart, Rule.RUN) == [5, 6, 7, 8, 9, 10, 11]
    assert special(chart) == [5, 6, 7, 8, 9, 10, 11]


def test_a_point_on_the_mean_breaks_a_run():
    """As above with point 8 set to 0: ten +1, ten -1 and a 0, so the mean is exactly 0 and
    point 8 lies on it, leaving 3 + 3 points above. With point 8 = 1 the same stretch is a run
    of 7 (mean 1/21, every +1 above it)."""
    broken = [-1, 1, -1, 1, -1, 1, 1, 1, 0, 1, 1, 1, -1, -1, 1, -1, -1, -1, 1, -1, -1]
    assert xmr(broken).mean == 0
    assert special(xmr(broken)) == []
    unbroken = [*broken[:8], 1, *broken[9:]]
    assert fired(xmr(unbroken), Rule.RUN) == [5, 6, 7, 8, 9, 10, 11]


TREND = [5, 4, 6, 4, 6, 1, 2, 3, 4, 5, 6, 7, 4, 5, 3, 6, 4]


def test_seven_points_strictly_rising_is_a_trend():
    """17 points summing to 75: mean 4.412. Moving ranges add to 29: mean MR 1.8125,
    limits 4.412 +- 4.821 (-0.41 to 9.23), two-thirds lines 1.197 and 7.626.
    Points 5-11 (1, 2, 3, 4, 5, 6, 7) rise strictly: a trend of 7. Nothing else fires:
    7 < 7.626; only point 5 (1) is under 1.197; the longest run is 4 below (5-8)."""
    chart = xmr(TREND, low_is_good=True)
    assert chart.mean == pytest.approx(75 / 17)
    assert chart.mean_moving_range == pytest.approx(29 / 16)
    assert special(chart) == fired(chart, Rule.TREND) == [5, 6, 7, 8, 9, 10, 11]
    # A rising trend where low is good: concern, even for points still below the mean.
    assert {chart.points[i].variation for i in range(5, 12)} == {Variation.CONCERN}


def test_six_rising_then_an_equal_point_is_not_a_trend():
    """Point 11 = 6, equal to point 10: 1, 2, 3, 4, 5, 6 rise strictly (6 points) and the 7th
    does not. Sum 74, mean 4.353; ranges add to 27, mean MR 1.6875; two-thirds lines 1.36 and
    7.35: point 5 (1) is alone under. Nothing fires."""
    values = [*TREND[:11], 6, *TREND[12:]]
    assert special(xmr(values)) == []


def test_seven_points_strictly_falling_is_a_trend():
    """The same series negated: the trend falls, on the low side (improvement if low is good)."""
    chart = xmr([-v for v in TREND], low_is_good=True)
    assert fired(chart, Rule.TREND) == [5, 6, 7, 8, 9, 10, 11]
    assert chart.points[11].side == "low"
    assert chart.points[11].variation is Variation.IMPROVEMENT


BASE = [1, -1, 1, -1, 1, -1, 1, -1]
TAIL = [-1, 1, -1, 1, -1, 1, -1, 1, -1]


def test_two_of_three_beyond_two_thirds_on_the_same_side():
    """Points 8 and 10 are 7, point 9 is -1; 20 points summing to 12: mean 0.6.
    Moving ranges: 7 x 2 before, 4 x 8 around the sevens, 8 x 2 after = 62; mean MR 3.263;
    2.66 x 3.263 = 8.680: limits -8.08 to 9.28, two-thirds line 0.6 + 5.787 = 6.387.
    Both 7s lie beyond it (and inside the limits): 2 of 3 -> points 8 and 10 fire, 9 does not."""
    chart = xmr([*BASE, 7, -1, 7, *TAIL])
    assert chart.mean == pytest.approx(0.6)
    assert chart.mean_moving_range == pytest.approx(62 / 19)
    assert special(chart) == fired(chart, Rule.TWO_OF_THREE) == [8, 10]
    assert chart.points[8].side == "high"


def test_two_of_three_on_opposite_sides_does_not_fire():
    """Point 8 is 7 and point 10 is -7: sum -2, mean -0.1; ranges 14 + (8+8+6+6) + 16 = 58,
    mean MR 3.053, two-thirds lines -0.1 +- 5.413: 7 is beyond the upper one, -7 beyond the
    lower one, but each side has only one of the three."""
    assert special(xmr([*BASE, 7, -1, -7, *TAIL])) == []


SPIKE = [-2, 2] * 8 + [30]


def test_a_point_outside_the_limits():
    """Sixteen -2/+2 alternations then 30: 17 points summing to 30, mean 1.765 (every +2 above
    it, every -2 below: no run). Ranges 15 x 4 and 28 = 88, mean MR 5.5, upper limit
    1.765 + 14.63 = 16.39: 30 lies above it, alone beyond the two-thirds line (11.52)."""
    chart = xmr(SPIKE, low_is_good=False)
    assert chart.mean == pytest.approx(30 / 17)
    assert chart.upper == pytest.approx(30 / 17 + 2.66 * 88 / 16)
    assert special(chart) == [16]
    assert chart.points[16].rules == (Rule.OUTSIDE_LIMITS,)
    assert chart.variation is Variation.IMPROVEMENT
    assert chart.variation_side == "high"


def test_screening_leaves_out_large_moving_ranges():
    """The same series screened: 3.267 x 5.5 = 17.97; the range 28 is left out and the mean
    MR becomes 60 / 15 = 4: upper limit 1.765 + 10.64 = 12.40."""
    chart = xmr(SPIKE, screen=True)
    assert chart.excluded_moving_ranges == (16,)
    assert chart.mean_moving_range == 4
    assert chart.upper == pytest.approx(30 / 17 + 2.66 * 4)


def test_fourteen_points_show_nothing_even_far_out():
    chart = xmr([0, 1] * 6 + [0, 100], low_is_good=True)
    assert len(chart.points) == 14
    assert not chart.has_limits
    assert special(chart) == []
    assert chart.variation is Variation.NOT_ENOUGH_POINTS


def test_a_flat_series_has_zero_width_limits_and_no_special_cause():
    chart = xmr([5.0] * 20, low_is_good=True, screen=True)
    assert chart.upper == chart.lower == 5.0
    assert special(chart) == []


@pytest.mark.parametrize(
    ("target", "low_is_good", "expected"),
    [
        (12, True, Assurance.PASS),  # whole process under a ceiling
        (12, False, Assurance.FAIL),  # whole process under a floor it should exceed
        (-2, True, Assurance.FAIL),
        (-2, False, Assurance.PASS),
        (10, True, Assurance.HIT_AND_MISS),  # on the limit counts as within
        (0, True, Assurance.HIT_AND_MISS),
        (5, None, Assurance.NONE),
        (None, True, Assurance.NONE),
    ],
)
def test_assurance(target, low_is_good, expected):
    assert assurance(10.0, 0.0, target, low_is_good) is expected


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        ([], {}, "non-empty"),
        ([1.0, float("nan")], {}, "missing"),
        (RUN_OF_SIX, {"run_length": 8}, "run_length"),
        (RUN_OF_SIX, {"baseline": 10}, "baseline"),
        (RUN_OF_SIX, {"labels": ["a"]}, "labels"),
    ],
)
def test_bad_input_is_refused(values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        xmr(values, **kwargs)


def test_baseline_longer_than_the_series_uses_every_point():
    assert xmr(RUN_OF_SIX, baseline=30).mean_moving_range == xmr(RUN_OF_SIX).mean_moving_range
