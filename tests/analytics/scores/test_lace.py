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
    # The paper's range: 7 (stay of 14+ days) + 3 + 5 (Charlson 4+) + 4 (4+ ED visits).
    assert lace(30, True, 10, 10) == 19
    assert lace(14, True, 4, 4) == 19


def test_lace_minimum_is_0():
    assert lace(0, False, 0, 0) == 0


def test_lace_every_input_gives_a_score_from_0_to_19():
    scores = {
        lace(days, acute, c, e)
        for days in range(20)
        for acute in (False, True)
        for c in range(8)
        for e in range(6)
    }
    assert scores == set(range(20))


def test_lace_worked_example():
    # 5-day emergency stay (4), acute (3), Charlson 2 (2), one ED visit (1): 10.
    assert lace(5, True, 2, 1) == 10
    # A same-day planned stay with no comorbidity or ED visits scores 0; one day more and
    # an emergency admission give 1 + 3.
    assert lace(0, False, 0, 0) == 0
    assert lace(1, True, 0, 0) == 4


# The LACE paper's comorbidity weights (van Walraven 2010: the Charlson index as LACE
# weights it), keyed by the Quan 2005 condition that carries each row's codes.
LACE_TABLE = {
    "myocardial_infarction": 1,  # previous myocardial infarction
    "cerebrovascular_disease": 1,
    "peripheral_vascular_disease": 1,
    "diabetes_without_complication": 1,
    "congestive_heart_failure": 2,
    "diabetes_with_complication": 2,  # diabetes with end-organ damage
    "chronic_pulmonary_disease": 2,
    "mild_liver_disease": 2,  # mild liver or renal disease
    "any_malignancy": 2,  # any tumour, including lymphoma or leukaemia
    "dementia": 3,
    "rheumatic_disease": 3,  # connective tissue disease
    "aids_hiv": 4,  # AIDS
    "moderate_severe_liver_disease": 4,  # moderate or severe liver or renal disease
    "renal_disease": 4,  # Quan's renal codes: chronic renal failure, dialysis, transplant
    "metastatic_solid_tumour": 6,
    # Not in LACE's table.
    "peptic_ulcer_disease": 0,
    "hemiplegia_paraplegia": 0,
}


def test_lace_charlson_weights_are_the_papers_table():
    assert dict(lace_charlson_weights()) == LACE_TABLE


@pytest.mark.parametrize(
    ("codes", "points"),
    [
        (["I219", "F03"], 4),  # previous MI 1 + dementia 3
        (["N185"], 4),  # chronic kidney disease stage 5: moderate or severe renal disease
        (["Z992"], 4),  # dependence on renal dialysis
        (["K703"], 2),  # alcoholic cirrhosis: mild liver disease
        (["K703", "I850"], 4),  # with oesophageal varices: only the severe form counts
        (["E119", "E112"], 2),  # diabetes with end-organ damage outranks without
        (["C787", "C189"], 6),  # metastatic outranks any tumour
        (["B20"], 4),  # AIDS
        (["G819", "K259"], 0),  # hemiplegia and peptic ulcer: not in LACE's table
    ],
)
def test_lace_charlson_points(codes, points):
    assert lace_charlson(codes) == points


def test_lace_charlson_of_four_or_more_scores_5():
    # CHF 2 + COPD 2 = 4 Charlson points -> C = 5: a 2-day emergency stay, no ED visits.
    points = lace_charlson(["I500", "J449"])
    assert points == 4
    assert lace(2, True, points, 0) == 2 + 3 + 5 + 0
