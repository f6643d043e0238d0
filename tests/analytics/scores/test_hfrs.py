"""HFRS against Gilbert et al. 2018 (Lancet 391:1775-82): groups, weights, bands."""

import pytest

from joinedcare.analytics.codelists import hfrs_weights
from joinedcare.analytics.scores.hfrs import hfrs, hfrs_band, hfrs_groups


def test_hfrs_has_the_papers_109_groups():
    assert len(hfrs_weights()) == 109


def test_hfrs_weights_sum_to_173_2():
    assert round(sum(hfrs_weights().values()), 1) == 173.2


@pytest.mark.parametrize(
    ("group", "weight"),
    [
        ("F00", 7.1),
        ("G81", 4.4),
        ("G30", 4.0),
        ("I69", 3.7),
        ("R29", 3.6),
        ("N39", 3.2),
        ("F05", 3.2),
        ("W19", 3.2),
        ("S00", 3.2),
        ("R31", 3.0),
        ("F03", 2.1),
        ("Z74", 1.1),
        ("R50", 0.1),
    ],
)
def test_hfrs_named_weights_match_the_paper(group, weight):
    assert hfrs_weights()[group] == weight


def test_hfrs_counts_each_group_once():
    assert hfrs(["F000", "F001", "F009"]) == 7.1


def test_hfrs_matches_on_the_dotless_three_character_prefix():
    assert hfrs(["R296", "r29.6"]) == 3.6
    assert hfrs_groups(["J181", "I500"]) == {"J18"}


def test_hfrs_sums_weights_exactly():
    # F00 7.1 + G81 4.4 + R29 3.6 = 15.1: a float sum would give 15.099999999999998
    assert hfrs(["F001", "G810", "R296"]) == 15.1


def test_hfrs_of_every_group_is_173_2():
    assert hfrs(list(hfrs_weights())) == 173.2


def test_hfrs_ignores_codes_outside_the_groups():
    assert hfrs(["I10", "E119"]) == 0


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "low"), (4.99, "low"), (5, "intermediate"), (15, "intermediate"), (15.01, "high")],
)
def test_hfrs_band_boundaries(score, band):
    assert hfrs_band(score) == band
