"""Electronic Frailty Index (eFI).

Clegg A, Bates C, Young J, et al. Development and validation of an electronic frailty
index using routine primary care electronic health record data. Age Ageing
2016;45(3):353-60. doi:10.1093/ageing/afw039. The index is the number of the paper's 36
deficits (Table 1) present divided by 36; categories (the paper's results): fit 0-0.12,
mild >0.12-0.24, moderate >0.24-0.36, severe >0.36.

35 deficits are read from coded records (SNOMED CT and Read v2 lists in
`codelists/efi/`, see their PROVENANCE.md); a deficit counts if any of its codes was
recorded on or before the index date, at any time, as in the eFI's use of the whole
primary care record. The 36th, polypharmacy, comes from medications: we count it when
five or more distinct medicines (distinct code within a code system) were issued in the
365 days up to and including the index date, our reading of the paper's "polypharmacy"
deficit as current prescription of five or more medicines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import cache
from typing import Literal

import ibis
from ibis.expr.types import Table

from joinedcare.analytics.codelists import EFI_SYSTEMS, efi_codelist
from joinedcare.analytics.scores._codes import ItemCode, match

# Clegg 2016, Table 1, in the paper's order.
DEFICITS = (
    "activity_limitation",
    "anaemia_haematinic_deficiency",
    "arthritis",
    "atrial_fibrillation",
    "cerebrovascular_disease",
    "chronic_kidney_disease",
    "diabetes",
    "dizziness",
    "dyspnoea",
    "falls",
    "foot_problems",
    "fragility_fracture",
    "hearing_impairment",
    "heart_failure",
    "heart_valve_disease",
    "housebound",
    "hypertension",
    "hypotension_syncope",
    "ischaemic_heart_disease",
    "memory_cognitive_problems",
    "mobility_transfer_problems",
    "osteoporosis",
    "parkinsonism_tremor",
    "peptic_ulcer",
    "peripheral_vascular_disease",
    "polypharmacy",
    "requirement_for_care",
    "respiratory_disease",
    "skin_ulcer",
    "sleep_disturbance",
    "social_vulnerability",
    "thyroid_disease",
    "urinary_incontinence",
    "urinary_system_disease",
    "visual_impairment",
    "weight_loss_anorexia",
)
POLYPHARMACY = "polypharmacy"
CODED_DEFICITS = tuple(d for d in DEFICITS if d != POLYPHARMACY)
POLYPHARMACY_MEDICINES = 5
POLYPHARMACY_DAYS = 365
EfiCategory = Literal["fit", "mild", "moderate", "severe"]


def efi_index(deficits: Collection[str]) -> float:
    """eFI = deficits present / 36. Unknown deficit names are an error, not ignored."""
    unknown = set(deficits) - set(DEFICITS)
    if unknown:
        raise ValueError(f"not eFI deficits: {sorted(unknown)}")
    return len(set(deficits)) / len(DEFICITS)


def efi_category(efi: float) -> EfiCategory:
    """Clegg 2016 category: fit <=0.12, mild <=0.24, moderate <=0.36, severe >0.36."""
    if efi <= 0.12:
        return "fit"
    if efi <= 0.24:
        return "mild"
    if efi <= 0.36:
        return "moderate"
    return "severe"


def deficit_codes() -> dict[tuple[str, str], frozenset[str]]:
    """(deficit, code system) -> codes, for every coded deficit and system we hold."""
    return {(d, s): efi_codelist(d, s) for d in CODED_DEFICITS for s in EFI_SYSTEMS}


def coded_deficits(records: Collection[tuple[str, str]]) -> frozenset[str]:
    """Deficits shown by a person's (code_system, code) records."""
    return frozenset(
        deficit
        for (deficit, system), codes in deficit_codes().items()
        if any(s == system and c in codes for s, c in records)
    )


def has_polypharmacy(distinct_medicines: int) -> bool:
    """Polypharmacy deficit: five or more distinct medicines issued in the year."""
    return distinct_medicines >= POLYPHARMACY_MEDICINES


@cache
def item_codes() -> tuple[ItemCode, ...]:
    """The coded deficits as rows of the shared code -> item table (any time, any source).

    Kept once per process: the lists are package data, and building their thousands of
    rows cost a tenth of a second at every index date.
    """
    return tuple(
        ItemCode(system, code, f"efi:{deficit}")
        for (deficit, system), codes in deficit_codes().items()
        for code in sorted(codes)
    )


def polypharmacy_since(index_date: dt.date) -> dt.date:
    """First day of the polypharmacy look-back (365 days up to and including the index)."""
    return index_date - dt.timedelta(days=POLYPHARMACY_DAYS)


def polypharmacy(medications: Table, index_date: dt.date) -> Table:
    """pseudonym, polypharmacy (1) for people with the deficit at the index date."""
    issued = medications.filter(
        medications.issued_on >= ibis.literal(polypharmacy_since(index_date)),
        medications.issued_on <= ibis.literal(index_date),
    )
    medicines = issued.select("pseudonym", "code_system", "code").distinct()
    counts = medicines.group_by("pseudonym").aggregate(n=medicines.count())
    many = counts.filter(counts.n >= POLYPHARMACY_MEDICINES)
    return many.select("pseudonym", polypharmacy=ibis.literal(1))


def scored(deficits: ibis.Value) -> dict[str, ibis.Value]:
    """efi_deficits, efi and efi_category from a person's number of deficits."""
    n = deficits.cast("int64")
    efi = (n / len(DEFICITS)).cast("float64")
    return {"efi_deficits": n, "efi": efi, "efi_category": _category(efi)}


def efi_table(people: Table, conditions: Table, medications: Table, index_date: dt.date) -> Table:
    """One row per person in `people`: pseudonym, efi_deficits, efi, efi_category.

    `people` is the population to score (callers choose it, e.g. registered, alive and
    aged 65 or over at the index date, the population the eFI was validated in).
    """
    found = match(conditions, item_codes(), index_date).table
    coded = found.group_by("pseudonym").aggregate(coded=found.count())
    joined = people.select("pseudonym").left_join(coded, "pseudonym").drop("pseudonym_right")
    joined = joined.left_join(polypharmacy(medications, index_date), "pseudonym")
    n = ibis.coalesce(joined.coded, 0) + ibis.coalesce(joined.polypharmacy, 0)
    return joined.select("pseudonym", **scored(n))


def _category(efi: ibis.Value) -> ibis.Value:
    return ibis.cases(
        (efi <= 0.12, "fit"),
        (efi <= 0.24, "mild"),
        (efi <= 0.36, "moderate"),
        else_="severe",
    )
