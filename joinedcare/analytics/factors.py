"""Each person's top contributing factors in plain English ("3 emergency admissions in the
last 12 months", "moderate frailty (eFI 0.31)"), and the kind of reason each phrase gives.

Kept apart from the fitted model so the web app can read the phrases without importing
LightGBM.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from joinedcare.analytics import features as F

# Frailty category thresholds of the electronic frailty index (Clegg et al. 2016).
EFI_CATEGORIES = ((0.36, "severe frailty"), (0.24, "moderate frailty"), (0.12, "mild frailty"))

_ENCOUNTER_PHRASES = {
    "ae_attendances": ("A&E attendance", "A&E attendances"),
    "emergency_admissions": ("emergency admission", "emergency admissions"),
    "elective_admissions": ("planned admission", "planned admissions"),
    "outpatient_attendances": ("outpatient appointment", "outpatient appointments"),
    "gp_contacts": ("GP contact", "GP contacts"),
    "community_contacts": (
        "community nursing or therapy contact",
        "community nursing or therapy contacts",
    ),
}


_SOCIAL_CARE_SERVICES = ("social care service", "social care services")


def factor_groups(columns: Sequence[str]) -> dict[str, list[int]]:
    """Inputs that say one thing to a reader, grouped: every window of a count is one factor
    (its contributions are added), both sex flags are one."""
    groups: dict[str, list[int]] = {}
    for i, col in enumerate(columns):
        groups.setdefault(_group_of(col), []).append(i)
    return groups


def _group_of(col: str) -> str:
    if col in ("sex_male", "sex_female"):
        return "sex"
    # Only the counts kept for several windows are grouped: medicines_12m and
    # reablement_12m are one input each and are phrased under their own names.
    stem, _, window = col.rpartition("_")
    windowed = stem in F.ENCOUNTER_COUNTS or stem == "bed_days"
    if windowed and window.endswith("m") and window[:-1].isdigit():
        return stem
    return col


@cache
def _condition_names() -> dict[str, str]:
    """Condition key -> name (built once: `phrase` runs for every factor of every person)."""
    return {c.key: c.name for c in F.conditions()}


def _in_sentence(name: str) -> str:
    """A condition's name inside a phrase: "Heart failure" -> "heart failure", but a name
    that begins with a person's name keeps its capital ("Parkinson's disease")."""
    first = name.split(" ", 1)[0]
    return name if first.endswith("'s") else name[:1].lower() + name[1:]


def _plural(n: int, words: tuple[str, str]) -> str:
    return f"{n} {words[0] if n == 1 else words[1]}"


def phrase(group: str, row: _Row, windows: Sequence[int]) -> str | None:
    """A plain-English phrase for a factor from this person's own values, or None when the
    value says nothing worth showing (e.g. a count of zero)."""
    longest = max(windows)
    names = _condition_names()
    if group in _ENCOUNTER_PHRASES:
        n = _int(row.get(f"{group}_{longest}m"))
        return (
            f"{_plural(n, _ENCOUNTER_PHRASES[group])} in the last {longest} months" if n else None
        )
    if group == "bed_days":
        n = _int(row.get(f"bed_days_{longest}m"))
        return (
            f"{_plural(n, ('day', 'days'))} in hospital in the last {longest} months" if n else None
        )
    if group == "age":
        return f"aged {_int(row.get('age'))}"
    if group == "sex":
        return {"male": "male", "female": "female"}.get(row.get("sex"))
    if group == "imd_decile":
        d = _int(row.get("imd_decile"))
        return f"lives in a deprived area (IMD decile {d})" if 1 <= d <= 4 else None
    if group.startswith("ltc_") and group != "ltc_count":
        return _in_sentence(names[group[4:]]) if _int(row.get(group)) else None
    if group == "ltc_count":
        n = _int(row.get("ltc_count"))
        return f"{n} long-term conditions" if n >= 2 else None
    if group.startswith("frailty_") and group != "frailty_deficit_count":
        return _in_sentence(names[group[8:]]) if _int(row.get(group)) else None
    if group == "frailty_deficit_count":
        n = _int(row.get(group))
        return f"{n} signs of frailty recorded" if n >= 2 else None
    return _other_phrase(group, row)


_LEADING_COUNT = re.compile(r"^\d+ ")
_TRAILING_FIGURE = re.compile(r" \d+(\.\d+)?$")
_SINGULAR_PLURAL = (*_ENCOUNTER_PHRASES.values(), ("day", "days"), _SOCIAL_CARE_SERVICES)


def reason_kind(text: str) -> str:
    """The kind of reason a `phrase` gives, without the person's own figures, so a list's
    reasons can be counted together: "aged 89" -> "age", "1 GP contact in the last 12
    months" and "13 GP contacts in the last 12 months" -> "GP contacts in the last 12
    months", "mild frailty (eFI 0.22)" -> "mild frailty"."""
    text = text.split(" (")[0]
    if text.startswith("aged "):
        return "age"
    text = _TRAILING_FIGURE.sub("", text)
    if not _LEADING_COUNT.match(text):
        return text
    text = _LEADING_COUNT.sub("", text)
    for singular, plural in _SINGULAR_PLURAL:
        if text == singular or text.startswith(f"{singular} "):
            return plural + text[len(singular) :]
    return text


def _other_phrase(group: str, row: _Row) -> str | None:
    value = row.get(group)
    if group == "medicines_12m":
        n = _int(value)
        return f"{n} different medicines in the last 12 months" if n >= 2 else None
    if group == "care_home":
        return "lives in a care home" if _int(value) else None
    if group == "home_care":
        return "receives home care" if _int(value) else None
    if group == "reablement_12m":
        return "had reablement in the last 12 months" if _int(value) else None
    if group == "social_care_services":
        n = _int(value)
        return _plural(n, _SOCIAL_CARE_SERVICES) if n else None
    if group == "efi":
        return _efi_phrase(value)
    if group == "hfrs":
        return f"hospital frailty risk score {value:.1f}" if _num(value) and value >= 5 else None
    if group == "charlson":
        return f"Charlson comorbidity index {_int(value)}" if _int(value) else None
    return None


def _efi_phrase(value: object) -> str | None:
    if not _num(value):
        return None
    for threshold, label in EFI_CATEGORIES:
        if value > threshold:
            return f"{label} (eFI {value:.2f})"
    return None


def _num(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _int(value: object) -> int:
    return int(value) if _num(value) else 0


class _Row:
    """One person's values, read lazily from column arrays (a pandas row per person is
    too slow for a million people)."""

    __slots__ = ("i", "values")

    def __init__(self, values: dict[str, np.ndarray], i: int) -> None:
        self.values = values
        self.i = i

    def get(self, col: str) -> object:
        arr = self.values.get(col)
        if arr is None:
            return None
        v = arr[self.i]
        return None if v is pd.NA else v


def top_factors(
    frame: pd.DataFrame,
    contributions: np.ndarray,
    columns: Sequence[str],
    *,
    windows: Sequence[int] = F.DEFAULT_WINDOWS,
    k: int = 3,
) -> list[list[str]]:
    """Up to `k` phrases per person for the factors that RAISE their risk most.

    Contributions of a factor's inputs are added (all windows of a count), factors with a
    total above zero are ranked, and the first `k` with something to say are kept.
    """
    groups = factor_groups(columns)
    names = list(groups)
    summed = np.column_stack([contributions[:, idx].sum(axis=1) for idx in groups.values()])
    # Stable sort on the negated totals: equal contributions keep column order, so the
    # phrases are the same on every run.
    order = np.argsort(-summed, axis=1, kind="stable")
    values = {c: frame[c].to_numpy() for c in frame.columns}
    out: list[list[str]] = []
    for i in range(len(frame)):
        row = _Row(values, i)
        found: list[str] = []
        for g in order[i]:
            if summed[i, g] <= 0 or len(found) == k:
                break
            text = phrase(names[g], row, windows)
            if text:
                found.append(text)
        out.append(found)
    return out


def age_band(age: int) -> str:
    """The 5-year band a pseudonymised view shows instead of an age ("85 to 89")."""
    low = age // 5 * 5
    return "90 or over" if low >= 90 else f"{low} to {low + 4}"


_AGE_PHRASE = re.compile(r"^aged (\d+)$")


def pseudonymised_factor(text: str) -> str:
    """A factor fit for a pseudonymised view: an exact age ("aged 88", as `phrase` writes
    it) becomes its 5-year band ("age 85 to 89"); other factors are unchanged."""
    match = _AGE_PHRASE.match(text.strip())
    return f"age {age_band(int(match.group(1)))}" if match else text
