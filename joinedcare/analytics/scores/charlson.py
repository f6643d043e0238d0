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

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from joinedcare.analytics.codelists import charlson_quan
from joinedcare.analytics.scores._windows import (
    hospital_icd10,
    matches_prefix,
    prefix_matches,
)

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


def _prefix_table() -> Table:
    rows = [(p, c.condition) for c in charlson_quan() for p in c.icd10_prefixes]
    data = {"prefix": [p for p, _ in rows], "condition": [c for _, c in rows]}
    return ibis.memtable(pa.table(data))


def _prefix_lengths() -> set[int]:
    return {len(p) for c in charlson_quan() for p in c.icd10_prefixes}


def condition_flags(diagnoses: Table) -> Table:
    """One row per pseudonym with a boolean column per Charlson condition (pre-hierarchy)."""
    found = prefix_matches(diagnoses, _prefix_table(), _prefix_lengths())
    found = found.select("pseudonym", "condition").distinct()
    flags = {c.condition: (found.condition == c.condition).any() for c in charlson_quan()}
    return found.group_by("pseudonym").aggregate(**flags)


def weighted_sum(flags: Table, weights: Mapping[str, int]) -> ibis.Value:
    """Sum of condition weights over the flag columns, applying the hierarchy."""
    suppressed_by = {milder: severe for severe, milder in HIERARCHY}
    total = ibis.literal(0)
    for condition, weight in weights.items():
        present = flags[condition]
        if condition in suppressed_by:
            present = present & ~flags[suppressed_by[condition]]
        total = total + present.ifelse(weight, 0)
    return total


def charlson_table(conditions: Table, index_date: dt.date) -> Table:
    """One row per pseudonym in `conditions`: pseudonym, charlson (Quan 2011 weights).

    Uses ICD-10 codes from hospital sources (inpatient, outpatient, A&E) recorded in the
    365 days up to and including `index_date`; people with none score 0.
    """
    flags = condition_flags(hospital_icd10(conditions, index_date, LOOKBACK_DAYS))
    scored = flags.select("pseudonym", score=weighted_sum(flags, quan_weights()))
    people = conditions.select("pseudonym").distinct()
    joined = people.left_join(scored, "pseudonym")
    return joined.select("pseudonym", charlson=ibis.coalesce(joined.score, 0).cast("int64"))
