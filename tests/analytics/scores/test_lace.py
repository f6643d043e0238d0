"""LACE against van Walraven et al. 2010 (CMAJ 182(6):551-7): points table and maximum."""

import pytest

from joinedcare.analytics.codelists import lace_charlson_weights
from joinedcare.analytics.scores.lace import (
    acuity_points,
    comorbidity_points,
    ed_points,
    lace,
    lace_charlson,
    length_of_stay_points,
)


@pytest.mark.parametrize(
    ("days", "points"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (6, 4), (7, 5), (13, 5), (14, 7), (90, 7)],
)
def test_lace_length_of_stay_points(days, points):
    assert length_of_stay_points(days) == points


def test_lace_acute_admission_is_3_points():
    assert (acuity_points(True), acuity_points(False)) == (3, 0)


@pytest.mark.parametrize(("score", "points"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (12, 5)])
def test_lace_comorbidity_points(score, points):
    assert comorbidity_points(score) == points


@pytest.mark.parametrize(("visits", "points"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (9, 4)])
def test_lace_ed_visit_points(visits, points):
    assert ed_points(visits) == points


def test_lace_maximum_is_19():
    assert lace(30, True, 10, 10) == 19


def test_lace_minimum_is_0():
    assert lace(0, False, 0, 0) == 0


def test_lace_worked_example():
    # 5-day emergency stay, Charlson 2, one ED visit: 4 + 3 + 2 + 1.
    assert lace(5, True, 2, 1) == 10


def test_lace_charlson_uses_the_lace_papers_weights():
    weights = lace_charlson_weights()
    assert weights["dementia"] == 3 and weights["rheumatic_disease"] == 3
    assert weights["metastatic_solid_tumour"] == 6 and weights["aids_hiv"] == 4
    assert lace_charlson(["I219", "F03"]) == 4  # MI 1 + dementia 3


def test_lace_charlson_applies_the_hierarchy():
    assert lace_charlson(["C787", "C189"]) == 6
