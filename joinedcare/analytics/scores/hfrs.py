"""Hospital Frailty Risk Score (HFRS).

Gilbert T, Neuburger J, Kraindler J, et al. Development and validation of a Hospital
Frailty Risk Score focusing on older people in acute care settings using electronic
hospital records: an observational study. Lancet 2018;391(10132):1775-82.
doi:10.1016/S0140-6736(18)30668-8. The 109 ICD-10 three-character groups and their
weights (summing to 173.2) are the paper's appendix table (Gilbert 2018, appendix,
table of ICD-10 codes and points); the risk bands (<5 low, 5-15 intermediate, >15 high)
are from the paper's results. The weights live in `codelists/hfrs/hfrs.csv`.

A person scores each group's weight once if any hospital ICD-10 diagnosis in the look-back
starts with that group's three characters; the score is the sum. The paper looks at the
index admission and the hospital records of the previous two years; we use hospital
diagnoses recorded in the 730 days up to and including the index date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import ibis
from ibis.expr.types import Table

from joinedcare.analytics.codelists import hfrs_weights
from joinedcare.analytics.scores._codes import ItemCode, match
from joinedcare.analytics.scores._windows import normalise_icd10, window_start

LOOKBACK_DAYS = 730  # two years of hospital records (Gilbert 2018, methods)
HfrsBand = Literal["low", "intermediate", "high"]


def _tenths(weight: float) -> int:
    # Weights have one decimal place; summing whole tenths makes the score exact, so the
    # band boundaries at 5 and 15 never hinge on floating-point error.
    return round(weight * 10)


def hfrs_groups(icd10_codes: Iterable[str]) -> frozenset[str]:
    """The HFRS groups present among a person's ICD-10 codes (each counts once)."""
    present = {normalise_icd10(code)[:3] for code in icd10_codes}
    return frozenset(present & hfrs_weights().keys())


def hfrs(icd10_codes: Iterable[str]) -> float:
    """HFRS for one person's hospital ICD-10 codes (dot-less, any length)."""
    tenths = sum(_tenths(hfrs_weights()[group]) for group in hfrs_groups(icd10_codes))
    return tenths / 10


def hfrs_band(score: float) -> HfrsBand:
    """Gilbert 2018 risk band: low <5, intermediate 5-15, high >15."""
    if score < 5:
        return "low"
    if score <= 15:
        return "intermediate"
    return "high"


def item_codes(index_date: dt.date) -> list[ItemCode]:
    """The 109 groups as rows of the shared code -> item table (weights in tenths)."""
    since = window_start(index_date, LOOKBACK_DAYS)
    return [
        ItemCode("icd10", group, f"hfrs:{group}", since, hospital_only=True, tenths=_tenths(w))
        for group, w in sorted(hfrs_weights().items())
    ]


def scored(tenths: ibis.Value) -> dict[str, ibis.Value]:
    """hfrs and hfrs_band from a person's summed weights in tenths."""
    score = (tenths / 10).cast("float64")
    return {"hfrs": score, "hfrs_band": _band(score)}


def hfrs_table(people: Table, conditions: Table, index_date: dt.date) -> Table:
    """One row per person in `people`: pseudonym, hfrs, hfrs_band.

    Uses ICD-10 codes from hospital sources (inpatient, outpatient, A&E) recorded in the
    730 days up to and including `index_date`; people with none score 0 ("low").
    """
    found = match(conditions, item_codes(index_date), index_date).table
    summed = found.group_by("pseudonym").aggregate(tenths=found.tenths.sum())
    joined = people.select("pseudonym").left_join(summed, "pseudonym")
    return joined.select("pseudonym", **scored(ibis.coalesce(joined.tenths, 0)))


def _band(score: ibis.Value) -> ibis.Value:
    return ibis.cases(
        (score < 5, "low"),
        (score <= 15, "intermediate"),
        else_="high",
    )
