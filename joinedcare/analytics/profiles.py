"""Locality profiles (issue 6): population by LSOA and age band now and 5 and 10 years ahead,
with long-term condition prevalence, deprivation and activity. Pure pandas, no Django.

The reference date ("now") is the last encounter start date in the snapshot (the end of the
extract) unless one is given. The population now is everyone registered with one of the
locality's practices on that day (born, registered from that day or earlier, not deregistered
or dead before it), counted in the LSOA of their record ("not recorded" when it has none).

The projection is a simple cohort-component projection of that registered population, with
expected (fractional) counts, one year at a time:

- **Ageing.** Everyone is a year older after each year; the age bands are the engine's
  (0-17, 18-64, 65-74, 75+), ages in completed years on the reference date.
- **Deaths.** In each year a person aged `a` at its start survives with probability
  `1 - q(a)`, `q` from MORTALITY: constant annual rates by age group, *illustrative
  assumptions* of the order of England's (ONS national life tables), not official figures.
  After `n` years a person of age `a` counts `(1 - q(a)) x ... x (1 - q(a + n - 1))`.
- **Births: none. Migration: none.** The population is closed: nobody is born, moves in,
  registers, moves out or deregisters. The 0-17 band therefore only shrinks as children age
  out, and the projection is of today's registered people, not of the locality's future
  population.

Activity counts the A&E attendances (setting "ae") and emergency admissions (inpatient,
admission method "emergency") starting in the twelve months up to and including the reference
date, of the people in the population now. LTC prevalence is the share of the population now
with any long-term condition code of `codelists/ltc.snomed.csv` (kind "ltc") recorded on or
before the reference date. An LSOA's IMD decile is the most common decile among its people.

`profile()` gives the raw counts (never shown); `shown()` passes every figure through
`suppression.suppress` for a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from . import features
from .metrics.engine import AGE_BANDS
from .suppression import SUPPRESSED_TEXT, suppress

HORIZONS = (0, 5, 10)  # years ahead
NOT_RECORDED = "not recorded"
# (youngest, oldest, annual probability of dying): illustrative assumptions, not ONS figures.
MORTALITY = (
    (0, 0, 0.004),
    (1, 17, 0.0001),
    (18, 44, 0.0008),
    (45, 64, 0.004),
    (65, 74, 0.015),
    (75, 84, 0.045),
    (85, 200, 0.15),
)
METHOD_TEXT = (
    "Projection: a cohort-component projection of the people registered on the reference "
    "date. Everyone ages one year a year; each year a person dies with a constant probability "
    "for their age (illustrative assumptions of the order of England's rates, not official "
    "figures: "
    + "; ".join(
        f"age {lo}{'+' if hi >= 200 else ('' if hi == lo else f'-{hi}')}: {q:.2%} a year"
        for lo, hi, q in MORTALITY
    )
    + "). No births and no migration are assumed: nobody is born, moves in or registers, "
    "and nobody moves out or deregisters, so the 0-17 band only shrinks as children grow up."
)
TABLES = ("people", "practices", "conditions", "encounters")


def annual_death_rate(age: int) -> float:
    """q(age): the assumed probability of dying within a year for someone of `age`."""
    for lo, hi, q in MORTALITY:
        if lo <= age <= hi:
            return q
    raise ValueError(f"No mortality rate for age {age}")


def age_band(age: int) -> str:
    for name, lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return name
    raise ValueError(f"No age band for age {age}")


def read_tables(path: Path | str) -> dict[str, pd.DataFrame]:
    """The snapshot's Parquet tables this module needs (an absent one read as None)."""
    root = Path(path)
    return {
        name: pd.read_parquet(root / f"{name}.parquet")
        if (root / f"{name}.parquet").exists()
        else None
        for name in TABLES
    }


def reference_date(tables: Mapping[str, pd.DataFrame | None]) -> date:
    """The last encounter start date: the end of the extract."""
    enc = tables.get("encounters")
    if enc is None or enc.empty:
        raise ValueError("The snapshot has no encounters to date it by")
    return pd.Timestamp(enc["start_date"].max()).date()


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series)


def _completed_years(dob: pd.Series, day: date) -> pd.Series:
    not_yet = (dob.dt.month > day.month) | ((dob.dt.month == day.month) & (dob.dt.day > day.day))
    return (day.year - dob.dt.year - not_yet.astype("int64")).astype("int64")


def population_now(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str, as_of: date
) -> pd.DataFrame:
    """pseudonym, lsoa, imd_decile, age: the locality's registered people on `as_of`."""
    people, practices = tables["people"], tables["practices"]
    codes = set(practices.loc[practices["locality_code"] == locality_code, "practice_code"])
    p = people[people["practice_code"].isin(codes)].copy()
    day = pd.Timestamp(as_of)
    dob, death = _dates(p["date_of_birth"]), _dates(p["date_of_death"])
    reg_from, reg_to = _dates(p["registered_from"]), _dates(p["registered_to"])
    keep = (
        (dob <= day)
        & (reg_from <= day)
        & (reg_to.isna() | (reg_to >= day))
        & (death.isna() | (death >= day))
    )
    p, dob = p[keep], dob[keep]
    lsoa = p["lsoa"] if "lsoa" in p.columns else pd.Series(None, index=p.index, dtype="object")
    return pd.DataFrame(
        {
            "pseudonym": p["pseudonym"].to_numpy(),
            "lsoa": lsoa.fillna(NOT_RECORDED).to_numpy(),
            "imd_decile": p["imd_decile"].to_numpy(),
            "age": _completed_years(dob, as_of).to_numpy(),
        }
    )


def project(ages: pd.DataFrame, years: int) -> pd.DataFrame:
    """Expected survivors after `years`: `ages` has group columns, age and count.

    Each year the survivors of age `a` are multiplied by `1 - q(a)` and become `a + 1`.
    """
    groups = [c for c in ages.columns if c not in ("age", "count")]
    frame = ages[[*groups, "age", "count"]].astype({"count": "float64"})
    for _ in range(years):
        survival = 1 - frame["age"].map(annual_death_rate)
        frame = frame.assign(count=frame["count"] * survival, age=frame["age"] + 1)
    return frame


def banded(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts per `by` and age band (every band a column, zero where nobody is)."""
    bands = [name for name, _, _ in AGE_BANDS]
    out = frame.assign(band=frame["age"].map(age_band)).pivot_table(
        index=by, columns="band", values="count", aggfunc="sum", fill_value=0.0
    )
    return out.reindex(columns=bands, fill_value=0.0).astype("float64")


def profile(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str, as_of: date | None = None
) -> pd.DataFrame:
    """Raw counts per LSOA: population by band now / +5 / +10, LTC, activity and IMD decile.

    Columns: lsoa, imd_decile, population, `<band>_<h>` for each band and horizon h in
    HORIZONS, ltc, ae_12m, emergency_12m. Never shown as such: see `shown()`.
    """
    as_of = as_of or reference_date(tables)
    pop = population_now(tables, locality_code, as_of)
    by_age = pop.groupby(["lsoa", "age"], as_index=False).size().rename(columns={"size": "count"})
    out = pd.DataFrame(index=pd.Index(sorted(pop["lsoa"].unique()), name="lsoa"))
    for h in HORIZONS:
        bands = banded(project(by_age, h), "lsoa")
        for band in bands.columns:
            out[f"{band}_{h}"] = bands[band].reindex(out.index, fill_value=0.0)
    out["population"] = pop.groupby("lsoa").size().reindex(out.index, fill_value=0)
    out["imd_decile"] = pop.groupby("lsoa")["imd_decile"].agg(_mode).reindex(out.index)
    out["ltc"] = _per_lsoa(pop, _with_ltc(tables.get("conditions"), as_of), out.index)
    enc = _encounters_last_12m(tables.get("encounters"), as_of)
    ae = enc[enc["setting"] == "ae"]
    emergency = enc[(enc["setting"] == "inpatient") & (enc["admission_method"] == "emergency")]
    out["ae_12m"] = _events_per_lsoa(pop, ae, out.index)
    out["emergency_12m"] = _events_per_lsoa(pop, emergency, out.index)
    return out.reset_index()


def _mode(values: pd.Series) -> float:
    modes = values.dropna().mode()
    return float(modes.min()) if len(modes) else float("nan")


def _with_ltc(conditions: pd.DataFrame | None, as_of: date) -> set[str]:
    """Pseudonyms with any LTC code recorded on or before `as_of`."""
    if conditions is None or conditions.empty:
        return set()
    codes = {code for c in features.conditions() if c.kind == "ltc" for code in c.codes}
    c = conditions[
        (conditions["code_system"] == "snomed")
        & conditions["code"].isin(codes)
        & (_dates(conditions["recorded_on"]) <= pd.Timestamp(as_of))
    ]
    return set(c["pseudonym"])


def _per_lsoa(pop: pd.DataFrame, who: set[str], index: pd.Index) -> pd.Series:
    flagged = pop[pop["pseudonym"].isin(who)]
    return flagged.groupby("lsoa").size().reindex(index, fill_value=0).astype("int64")


def _encounters_last_12m(encounters: pd.DataFrame | None, as_of: date) -> pd.DataFrame:
    if encounters is None:
        return pd.DataFrame(columns=["pseudonym", "setting", "admission_method", "start_date"])
    start = _dates(encounters["start_date"])
    after = pd.Timestamp(features.months_before(as_of, 12))
    return encounters[(start > after) & (start <= pd.Timestamp(as_of))]


def _events_per_lsoa(pop: pd.DataFrame, events: pd.DataFrame, index: pd.Index) -> pd.Series:
    joined = events[["pseudonym"]].merge(pop[["pseudonym", "lsoa"]], on="pseudonym")
    return joined.groupby("lsoa").size().reindex(index, fill_value=0).astype("int64")


def deprivation_mix(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str, as_of: date | None = None
) -> pd.DataFrame:
    """quintile ("1" most deprived ... "5", or "unknown"), count: the population now."""
    as_of = as_of or reference_date(tables)
    pop = population_now(tables, locality_code, as_of)
    quintile = ((pop["imd_decile"] + 1) // 2).map(
        lambda q: "unknown" if pd.isna(q) else str(int(q))
    )
    counts = quintile.value_counts()
    order = [q for q in ("1", "2", "3", "4", "5", "unknown") if q in counts.index]
    return pd.DataFrame({"quintile": order, "count": [int(counts[q]) for q in order]})


# --- what a page shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One LSOA (or the locality total) as shown: every figure suppressed, as text."""

    lsoa: str
    imd_decile: str
    bands: dict[int, list[str]]  # horizon -> count text per age band
    population: str
    ltc_percent: str
    ae_12m: str
    ae_per_1000: str
    emergency_12m: str
    emergency_per_1000: str

    @property
    def band_cells(self) -> list[str]:
        """Every band's count, horizon by horizon (now, +5, +10): one table row."""
        return [text for h in HORIZONS for text in self.bands[h]]


@dataclass(frozen=True)
class Shown:
    as_of: date
    bands: list[str]
    rows: list[Row]
    total: Row
    deprivation: list[tuple[str, str, str]]  # quintile, count, % of the population


def _count(value: float) -> str:
    figure = suppress(value)
    return figure.text(0)


def _row(lsoa: str, decile: str, r: Mapping[str, float]) -> Row:
    bands = [name for name, _, _ in AGE_BANDS]
    return Row(
        lsoa=lsoa,
        imd_decile=decile,
        bands={h: [_count(r[f"{b}_{h}"]) for b in bands] for h in HORIZONS},
        population=_count(r["population"]),
        ltc_percent=suppress(r["ltc"], r["population"], per=100).text(1),
        ae_12m=_count(r["ae_12m"]),
        ae_per_1000=suppress(r["ae_12m"], r["population"], per=1000).text(1),
        emergency_12m=_count(r["emergency_12m"]),
        emergency_per_1000=suppress(r["emergency_12m"], r["population"], per=1000).text(1),
    )


def shown(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str, as_of: date | None = None
) -> Shown:
    """The profile as a page shows it: every count and rate through `suppress`.

    An LSOA's IMD decile is a published property of the area, not a count, and is shown as
    is (or "unknown").
    """
    as_of = as_of or reference_date(tables)
    raw = profile(tables, locality_code, as_of)
    rows = [
        _row(r["lsoa"], "unknown" if pd.isna(r["imd_decile"]) else str(int(r["imd_decile"])), r)
        for r in raw.to_dict("records")
    ]
    sums = raw.drop(columns=["lsoa", "imd_decile"]).sum().to_dict()
    total = _row("All LSOAs", "", sums)
    mix = deprivation_mix(tables, locality_code, as_of)
    everyone = int(mix["count"].sum())
    deprivation = [
        (q, _count(n), suppress(n, everyone, per=100).text(1))
        for q, n in zip(mix["quintile"], mix["count"], strict=True)
    ]
    return Shown(as_of, [name for name, _, _ in AGE_BANDS], rows, total, deprivation)


__all__ = ["METHOD_TEXT", "MORTALITY", "SUPPRESSED_TEXT", "profile", "project", "shown"]
