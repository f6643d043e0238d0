"""Shared pieces of the score builders: hospital diagnoses, look-back windows, prefixes.

Windows are whole days counted back from a date and include both ends, so the plain
Python reference and the Ibis builders agree exactly; days rather than calendar years
keep the SQL backend-neutral (no engine-specific interval arithmetic on literals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ibis
from ibis.expr.types import Table

# Sources whose ICD-10 codes come from hospital records (HES-like data sets).
HOSPITAL_SOURCES = ("inpatient", "outpatient", "ae")


def window_start(index_date: dt.date, days: int) -> dt.date:
    """First day of a look-back of `days` days ending on (and including) `index_date`."""
    return index_date - dt.timedelta(days=days)


def in_window(recorded_on: dt.date, index_date: dt.date, days: int) -> bool:
    """Whether a date falls in the look-back window (both ends included)."""
    return window_start(index_date, days) <= recorded_on <= index_date


def normalise_icd10(code: str) -> str:
    """Upper case, no dot, no padding: 'j18.1 ' -> 'J181'."""
    return code.strip().upper().replace(".", "")


def matches_prefix(code: str, prefixes: Iterable[str]) -> bool:
    """ICD-10 matching by prefix on the dot-less code, as the papers' tables are written."""
    code = normalise_icd10(code)
    return any(code.startswith(prefix) for prefix in prefixes)


def hospital_icd10(conditions: Table, index_date: dt.date, days: int) -> Table:
    """Hospital ICD-10 diagnoses recorded in the `days` days up to the index date."""
    start = window_start(index_date, days)
    return conditions.filter(
        conditions.code_system == "icd10",
        conditions.source.isin(HOSPITAL_SOURCES),
        conditions.recorded_on >= ibis.literal(start),
        conditions.recorded_on <= ibis.literal(index_date),
    ).mutate(code=_normalised(conditions.code))


def _normalised(code: ibis.Value) -> ibis.Value:
    return code.strip().upper().replace(".", "")


def prefix_matches(diagnoses: Table, mapping: Table, lengths: Iterable[int]) -> Table:
    """Join diagnoses to a (prefix, ...) mapping by prefix, as an equi-join.

    Each code is expanded into its leading substrings of the given lengths and joined on
    equality: this matches `code.startswith(prefix)` for every prefix length present in
    the mapping while staying a plain equi-join that every engine plans well (a
    `startswith` join condition would be a nested-loop join on Spark).
    """
    expanded = [
        diagnoses.select(diagnoses.pseudonym, prefix=diagnoses.code.substr(0, length))
        for length in sorted(set(lengths))
    ]
    prefixes = ibis.union(*expanded, distinct=True) if len(expanded) > 1 else expanded[0]
    return prefixes.join(mapping, "prefix")
