"""eFI against Clegg et al. 2016 (Age Ageing 45(3):353-60): deficits, index, categories."""

import csv
from pathlib import Path

import pytest

from joinedcare.analytics.codelists import efi_codelist
from joinedcare.analytics.scores.efi import (
    CODED_DEFICITS,
    DEFICITS,
    coded_deficits,
    efi_category,
    efi_index,
    has_polypharmacy,
)

SYNTHETIC_CONDITIONS = Path("joinedcare/synthetic/data/conditions.csv")

# Demo County's GP SNOMED codes and the eFI deficit each one shows.
DEMO_CODES = {
    "161898004": "falls",
    "82971005": "mobility_transfer_problems",
    "15188001": "hearing_impairment",
    "397540003": "visual_impairment",
    "165232002": "urinary_incontinence",
    "386807006": "memory_cognitive_problems",
    "160689007": "housebound",
    "404640003": "dizziness",
    "89362005": "weight_loss_anorexia",
    "105529008": "social_vulnerability",
    "38341003": "hypertension",
    "44054006": "diabetes",
    "13645005": "respiratory_disease",
    "195967001": "respiratory_disease",
    "414545008": "ischaemic_heart_disease",
    "84114007": "heart_failure",
    "49436004": "atrial_fibrillation",
    "230690007": "cerebrovascular_disease",
    "433144002": "chronic_kidney_disease",
    "396275006": "arthritis",
    "49049000": "parkinsonism_tremor",
    "52448006": "memory_cognitive_problems",
}


def test_efi_has_the_papers_36_deficits():
    assert len(DEFICITS) == len(set(DEFICITS)) == 36
    assert len(CODED_DEFICITS) == 35


def test_efi_every_coded_deficit_has_codes():
    for deficit in CODED_DEFICITS:
        assert efi_codelist(deficit, "snomed"), deficit
        assert efi_codelist(deficit, "read2"), deficit
        assert efi_codelist(deficit, "ctv3"), deficit


@pytest.mark.parametrize(("code", "deficit"), sorted(DEMO_CODES.items()))
def test_efi_demo_county_codes_show_the_right_deficit(code, deficit):
    assert deficit in coded_deficits([("snomed", code)])


def test_efi_demo_county_list_is_covered():
    # Every GP frailty or eFI-relevant code the generator writes is in our table above.
    with SYNTHETIC_CONDITIONS.open() as fh:
        written = {row["snomed"] for row in csv.DictReader(fh)}
    not_efi = {"35489007", "363346000"}  # depression, cancer: not eFI deficits
    assert written - not_efi == set(DEMO_CODES)


def test_efi_read2_code_shows_deficit():
    assert coded_deficits([("read2", "16D..")]) == {"falls"}


@pytest.mark.parametrize(
    ("code", "deficit"),
    [
        ("Xa1GP", "falls"),  # Recurrent falls
        ("XaMGF", "memory_cognitive_problems"),  # Dementia annual review
        ("XE0Uc", "hypertension"),  # Essential hypertension
        ("XaLHI", "chronic_kidney_disease"),  # Chronic kidney disease stage 3
        ("Ua1nH", "mobility_transfer_problems"),  # Reduced mobility
    ],
)
def test_efi_ctv3_code_shows_deficit(code, deficit):
    # TPP SystmOne practices record CTV3: their deficits count like SNOMED and Read v2 ones.
    assert coded_deficits([("ctv3", code)]) == {deficit}


def test_efi_code_in_another_system_does_not_match():
    assert coded_deficits([("read2", "161898004")]) == frozenset()


@pytest.mark.parametrize(
    ("count", "index", "category"),
    [
        (0, 0.0, "fit"),
        (4, 0.111, "fit"),
        (5, 0.139, "mild"),
        (8, 0.222, "mild"),
        (9, 0.25, "moderate"),
        (12, 0.333, "moderate"),
        (13, 0.361, "severe"),
        (36, 1.0, "severe"),
    ],
)
def test_efi_count_index_category(count, index, category):
    value = efi_index(DEFICITS[:count])
    assert round(value, 3) == index
    assert efi_category(value) == category


@pytest.mark.parametrize(
    ("value", "category"),
    [
        (0.12, "fit"),
        (0.1201, "mild"),
        (0.24, "mild"),
        (0.2401, "moderate"),
        (0.36, "moderate"),
        (0.3601, "severe"),
    ],
)
def test_efi_category_thresholds(value, category):
    assert efi_category(value) == category


def test_efi_index_counts_each_deficit_once():
    assert efi_index(["falls", "falls"]) == 1 / 36


def test_efi_index_rejects_unknown_deficits():
    with pytest.raises(ValueError, match="not eFI deficits"):
        efi_index(["frailty"])


@pytest.mark.parametrize(("n", "expected"), [(4, False), (5, True), (12, True)])
def test_efi_polypharmacy_threshold(n, expected):
    assert has_polypharmacy(n) is expected
