"""Charlson comorbidity index with the updated (Quan 2011) ICD-10 weights.

Conditions are found with the ICD-10 coding algorithms of Quan H, Sundararajan V,
Halfon P, et al. Coding algorithms for defining comorbidities in ICD-9-CM and ICD-10
administrative data. Med Care 2005;43(11):1130-9 (Table 1, ICD-10 column). They are
weighted as in Quan H, Li B, Couris CM, et al. Updating and validating the Charlson
comorbidity index and score for risk adjustment in hospital discharge abstracts using
data from 6 countries. Am J Epidemiol 2011;173(6):676-82 (Table 3): congestive heart
failure 2, dementia 2, chronic pulmonary disease 1, rheumatic disease 1, mild liver
disease 2, diabetes with chronic complications 1, hemiplegia/paraplegia 2, renal
disease 1, any malignancy 2, moderate/severe liver disease 4, metastatic solid tumour 6,
AIDS/HIV 4, the other five conditions 0; the maximum is 24.

Hierarchy (Quan 2005, following Charlson 1987): when both the milder and the more severe
form are present only the more severe counts (diabetes without vs with chronic
complications; mild vs moderate/severe liver disease; any malignancy vs metastatic solid
tumour). Without it a person with everything would score 30, not the paper's 24.

The same condition finder serves the LACE index, which weights the conditions with its
own table (see `lace.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import ibis
from ibis.expr.types import Table

from joinedcare.analytics.codelists import charlson_quan
from joinedcare.analytics.scores._codes import ItemCode, Matched, match
from joinedcare.analytics.scores._windows import matches_prefix, window_start

# Quan 2011 scores diagnoses on the index discharge abstract; with a population snapshot
# we take hospital diagnoses from the year up to the index date (as NHS England's SHMI
# does with the index spell and the previous year).
LOOKBACK_DAYS = 365

# (more severe, milder): only the more severe is counted when both are present.
HIERARCHY = (
    ("diabetes_with_complication", "diabetes_without_complication"),
    ("moderate_severe_liver_disease", "mild_liver_disease"),
    ("metastatic_solid_tumour", "any_malignancy"),
)


def quan_weights() -> dict[str, int]:
    """Charlson condition -> Quan 2011 weight."""
    return {c.condition: c.weight for c in charlson_quan()}


def charlson_conditions(icd10_codes: Iterable[str]) -> frozenset[str]:
    """Charlson conditions present (Quan 2005 codes), after the hierarchy rules."""
    codes = list(icd10_codes)
    found = {c.condition for c in charlson_quan() if _any_match(codes, c.icd10_prefixes)}
    suppressed = {milder for severe, milder in HIERARCHY if severe in found}
    return frozenset(found - suppressed)


def _any_match(codes: list[str], prefixes: tuple[str, ...]) -> bool:
    return any(matches_prefix(code, prefixes) for code in codes)


def charlson(icd10_codes: Iterable[str], weights: Mapping[str, int] | None = None) -> int:
    """Charlson score for one person's ICD-10 codes (Quan 2011 weights by default)."""
    weights = quan_weights() if weights is None else weights
    return sum(weights[condition] for condition in charlson_conditions(icd10_codes))


def item_codes(index_date: dt.date | None) -> list[ItemCode]:
    """The conditions' Quan 2005 prefixes as rows of the shared code -> item table, for
    hospital diagnoses in the look-back to `index_date` (None: any time; LACE windows its
    own)."""
    since = None if index_date is None else window_start(index_date, LOOKBACK_DAYS)
    return [
        ItemCode("icd10", prefix, f"charlson:{c.condition}", since, hospital_only=True)
        for c in charlson_quan()
        for prefix in c.icd10_prefixes
    ]


def flag_aggregates(found: Matched) -> dict[str, ibis.Value]:
    """Per-person aggregates over `found` rows: one boolean per Charlson condition."""
    t = found.table
    return {
        c.condition: (t.item == found.ids[f"charlson:{c.condition}"]).any() for c in charlson_quan()
    }


def weighted_sum(flags: Table | Mapping[str, Any], weights: Mapping[str, int]) -> ibis.Value:
    """Sum of condition weights over boolean flags (columns or expressions), applying the
    hierarchy. A null flag counts as absent."""
    suppressed_by = {milder: severe for severe, milder in HIERARCHY}
    total = ibis.literal(0)
    for condition, weight in weights.items():
        present = flags[condition].fill_null(False)
        if condition in suppressed_by:
            present = present & ~flags[suppressed_by[condition]].fill_null(False)
        total = total + present.ifelse(weight, 0)
    return total


def charlson_table(people: Table, conditions: Table, index_date: dt.date) -> Table:
    """One row per person in `people`: pseudonym, charlson (Quan 2011 weights).

    Uses ICD-10 codes from hospital sources (inpatient, outpatient, A&E) recorded in the
    365 days up to and including `index_date`; people with none score 0.
    """
    found = match(conditions, item_codes(index_date), index_date)
    flags = found.table.group_by("pseudonym").aggregate(**flag_aggregates(found))
    joined = people.select("pseudonym").left_join(flags, "pseudonym")
    return joined.select("pseudonym", charlson=weighted_sum(joined, quan_weights()).cast("int64"))
