"""Shared pieces of the score builders: hospital diagnoses, look-back windows, prefixes.

Windows are whole days counted back from a date and include both ends, so the plain
Python reference and the Ibis builders agree exactly; days rather than calendar years
keep the SQL backend-neutral (no engine-specific interval arithmetic on literals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ibis

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


def normalised(code: ibis.Value) -> ibis.Value:
    """`normalise_icd10` as an Ibis expression."""
    return code.strip().upper().replace(".", "")
