"""Charlson (Quan 2005 ICD-10 codes, Quan 2011 weights): weights, hierarchy, maximum."""

import pytest

from joinedcare.analytics.codelists import charlson_quan
from joinedcare.analytics.scores.charlson import charlson, charlson_conditions, quan_weights

# Quan et al. 2011, Am J Epidemiol 173(6):676-82, updated Charlson weights.
QUAN_2011 = {
    "myocardial_infarction": 0,
    "congestive_heart_failure": 2,
    "peripheral_vascular_disease": 0,
    "cerebrovascular_disease": 0,
    "dementia": 2,
    "chronic_pulmonary_disease": 1,
    "rheumatic_disease": 1,
    "peptic_ulcer_disease": 0,
    "mild_liver_disease": 2,
    "diabetes_without_complication": 0,
    "diabetes_with_complication": 1,
    "hemiplegia_paraplegia": 2,
    "renal_disease": 1,
    "any_malignancy": 2,
    "moderate_severe_liver_disease": 4,
    "metastatic_solid_tumour": 6,
    "aids_hiv": 4,
}
# One code per condition (Quan 2005, Table 1, ICD-10 column).
EXAMPLE_CODE = {
    "myocardial_infarction": "I219",
    "congestive_heart_failure": "I500",
    "peripheral_vascular_disease": "I702",
    "cerebrovascular_disease": "I64",
    "dementia": "F03",
    "chronic_pulmonary_disease": "J449",
    "rheumatic_disease": "M069",
    "peptic_ulcer_disease": "K259",
    "mild_liver_disease": "K703",
    "diabetes_without_complication": "E119",
    "diabetes_with_complication": "E112",
    "hemiplegia_paraplegia": "G819",
    "renal_disease": "N183",
    "any_malignancy": "C189",
    "moderate_severe_liver_disease": "I850",
    "metastatic_solid_tumour": "C787",
    "aids_hiv": "B20",
}


def test_charlson_has_17_conditions_with_quan_2011_weights():
    assert quan_weights() == QUAN_2011


@pytest.mark.parametrize(("condition", "weight"), sorted(QUAN_2011.items()))
def test_charlson_single_condition_scores_its_weight(condition, weight):
    code = EXAMPLE_CODE[condition]
    assert charlson_conditions([code]) == {condition}
    assert charlson([code]) == weight


def test_charlson_aids_hiv_weighs_4_not_2():
    # comorbidipy weights AIDS/HIV as 2; Quan 2011 Table 3 gives 4.
    assert charlson(["B24"]) == 4


def test_charlson_maximum_is_24():
    assert charlson(EXAMPLE_CODE.values()) == 24


@pytest.mark.parametrize(
    ("severe", "milder"),
    [
        ("E112", "E119"),  # diabetes with vs without chronic complications
        ("I850", "K703"),  # moderate/severe vs mild liver disease
        ("C787", "C189"),  # metastatic solid tumour vs any malignancy
    ],
)
def test_charlson_hierarchy_counts_only_the_more_severe(severe, milder):
    assert charlson([severe, milder]) == charlson([severe])
    assert len(charlson_conditions([severe, milder])) == 1


def test_charlson_matches_dotted_and_lower_case_codes():
    assert charlson(["i50.0", "J44.9"]) == 3


def test_charlson_four_character_prefixes_are_exact():
    assert charlson(["I252"]) == 0 and charlson_conditions(["I252"]) == {"myocardial_infarction"}
    assert charlson_conditions(["I251"]) == frozenset()  # I25.1 is not in Quan 2005


def test_charlson_code_list_has_no_empty_prefixes():
    assert all(p and p == p.upper() for c in charlson_quan() for p in c.icd10_prefixes)
