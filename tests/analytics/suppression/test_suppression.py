"""Small-number suppression: the boundaries, zero, rates from rounded counts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedcare.analytics.suppression import (
    RULE_TEXT,
    SUPPRESSED_TEXT,
    Figure,
    round_count,
    suppress,
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, None),  # zero is suppressed too (see the module docstring)
        (1, None),
        (7, None),
        (8, 10),
        (10, 10),
        (12, 10),
        (13, 15),
        (17, 15),
        (18, 20),
        (1_234, 1_235),
        (7.5, 10),  # fractional counts (bed days averaged): above 7, rounded
        (12.5, 15),  # halves round up
    ],
)
def test_round_count_boundaries(count, shown):
    assert round_count(count) == shown


def test_missing_count_stays_missing():
    assert round_count(None) is None
    assert round_count(float("nan")) is None


def test_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        round_count(-1)


def test_count_alone():
    assert suppress(12) == Figure(10, None, 10.0, False)
    assert suppress(3) == Figure(None, None, None, True)
    assert suppress(3).text() == SUPPRESSED_TEXT


def test_rate_is_worked_out_from_rounded_counts():
    # 12 of 1,003 per 1,000: published as 10 of 1,005 -> 9.95 per 1,000, not 11.96.
    figure = suppress(12, 1_003, per=1_000)
    assert figure == Figure(10, 1_005, pytest.approx(10 / 1_005 * 1_000), False)
    assert figure.text() == "10.0"


def test_rate_from_a_suppressed_count_is_suppressed():
    assert suppress(5, 1_000, per=100).value is None
    assert suppress(5, 1_000, per=100).suppressed
    # A small denominator hides a large numerator's rate too (e.g. readmissions of 6 stays).
    assert suppress(9, 6, per=100) == Figure(10, None, None, True)


def test_rule_text_states_the_rule():
    assert "7 or fewer" in RULE_TEXT and "nearest 5" in RULE_TEXT and "zero" in RULE_TEXT


@given(st.integers(min_value=0, max_value=10**9))
def test_shown_counts_are_multiples_of_five_within_two_and_a_half(count):
    shown = round_count(count)
    if count <= 7:
        assert shown is None
    else:
        assert shown % 5 == 0
        assert abs(shown - count) <= 2.5
        assert shown >= 10
