"""Locality profiles (issue 6): population by LSOA and age band now and 5 and 10 years ahead,
with long-term condition prevalence, deprivation and activity. Pure pandas, no Django.

The reference date ("now") is the last encounter start date in the snapshot (the end of the
extract) unless one is given. The population now is everyone registered with one of the
locality's practices on that day (born, registered from that day or earlier, not deregistered
or dead before it), counted in the LSOA of their record ("not recorded" when it has none).

The projection is a cohort-component projection of that registered population, in expected
(fractional) counts, one year at a time, from rates observed in the snapshot over the year
before the reference date (`observed_rates`; "the year" runs from the same day a year earlier,
`year_start`, to the reference date):

- **Cohorts.** People by LSOA, sex and single year of age (completed years on the reference
  date). Each year every cohort is a year older.
- **Deaths.** A person aged `a` at the start of a year dies in it with probability
  `q(band(a), sex)`: of the people registered on the year's start day in that age band
  (RATE_BANDS) and sex, the share whose death (while registered) fell in the year. A cell
  with fewer than MIN_AT_RISK people at risk in the locality uses the whole place's (every
  practice in the snapshot) instead. Sexes other than female and male use both sexes' rate.
- **Births.** Mothers cannot be linked to their babies in an extract, so fertility is one
  rate for every woman aged 15-44 (the general fertility rate): babies born in the year and
  registered with the locality's practices over the women 15-44 registered on its start day
  (the place's rate when fewer than MIN_AT_RISK women). Each year each LSOA has that rate
  times its women 15-44 at the year's start; babies join age 0 at the year's end (their
  deaths count from the next year), split by sex as the place's babies of the year were.
- **Net migration.** Per age band (AGE_BANDS), the locality's registrations in the year (not
  births) minus its deregistrations in the year that were not by death (no date of death on
  or before the deregistration), age at the move; a constant number a year, pooled over the
  locality because an LSOA's moves are too few. At each year's end a band's net migrants are
  shared over its LSOAs, sexes and single years of age in proportion to the people there
  (those of the reference date when the band is empty); net outflow never takes a band below
  zero. An extract in which nobody leaves a practice other than by death holds current
  registrations only (arrivals without leavers), so its migration is taken as zero.

Every year balances: start + births - deaths + net migration = end (`Projection.changes`).

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
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from . import features, schema
from .metrics.engine import AGE_BANDS
from .suppression import SUPPRESSED_TEXT, suppress

HORIZONS = (0, 5, 10)  # years ahead
NOT_RECORDED = "not recorded"
# Age groups (youngest, oldest) of the observed death rates: finer than the shown bands,
# since mortality at 75 and at 95 differ tenfold.
RATE_BANDS = ((0, 0), (1, 17), (18, 44), (45, 64), (65, 74), (75, 84), (85, 200))
FERTILE_AGES = (15, 44)
# A locality cell (age group and sex, or its women 15-44) with fewer people at risk than this
# uses the whole place's rate: a handful of deaths would otherwise swing it.
MIN_AT_RISK = 1_000
SEXES = ("female", "male")
PERSONS = "persons"  # the rate of both sexes, for people recorded as other or unknown
METHOD_TEXT = (
    "Projection: a cohort-component projection of the people registered on the reference "
    "date, by LSOA, sex and single year of age, one year at a time. Each year everyone is a "
    "year older. Deaths: each year a person dies with the probability observed in the year before "
    "the reference date for their age group and sex (deaths among the people registered at "
    f"its start), the whole place's rate where the locality had fewer than {MIN_AT_RISK:,} "
    "people at risk. Births: mothers cannot be linked to babies in the extract, so every "
    "woman aged 15-44 is assumed equally likely to have a baby: the babies born in that year "
    "over the women 15-44 registered at its start; babies join age 0 at the end of the year. "
    "Net migration: registrations in that year (not births) minus deregistrations not by "
    "death, per age band for the whole locality, assumed the same every year and shared over "
    "the LSOAs in proportion to their people in the band (taken as zero when the extract "
    "records nobody leaving a practice other than by death). These are the registered "
    "population's own trends over one year, not official projections."
)
TABLES = ("people", "practices", "conditions", "encounters")
# The columns profiles use of the two large tables (every column of the others): most of an
# encounters file's bytes are its encounter ids, which no profile needs.
COLUMNS = {
    "conditions": ("pseudonym", "code_system", "code", "recorded_on"),
    "encounters": ("pseudonym", "setting", "admission_method", "start_date"),
}


def age_band(age: int) -> str:
    """The shown age band (AGE_BANDS) of `age`."""
    for name, lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return name
    raise ValueError(f"No age band for age {age}")


def rate_band(age: int) -> str:
    """The age group (RATE_BANDS) whose death rate applies at `age`, as "lo-hi" or "lo+"."""
    for lo, hi in RATE_BANDS:
        if lo <= age <= hi:
            return _rate_label(lo, hi)
    raise ValueError(f"No rate band for age {age}")


def _rate_label(lo: int, hi: int) -> str:
    return f"{lo}+" if hi >= 200 else (str(lo) if lo == hi else f"{lo}-{hi}")


RATE_LABELS = [_rate_label(lo, hi) for lo, hi in RATE_BANDS]


def _rate_bands(ages: pd.Series) -> pd.Series:
    """`rate_band` of every age at once (a projection maps hundreds of thousands)."""
    starts = np.array([lo for lo, _ in RATE_BANDS])
    index = np.searchsorted(starts, ages.to_numpy(), side="right") - 1
    return pd.Series(np.array(RATE_LABELS, dtype=object)[index], index=ages.index)


def year_start(as_of: date) -> date:
    """The same day a year before `as_of` (28 February for 29 February)."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:
        return as_of.replace(year=as_of.year - 1, day=28)


def read_tables(path: Path | str) -> dict[str, pd.DataFrame]:
    """The snapshot's Parquet tables this module needs (an absent one read as None; of
    conditions and encounters only the COLUMNS used), their date columns as datetimes once
    here rather than at every comparison."""
    root = Path(path)
    tables = {}
    for name in TABLES:
        file = root / f"{name}.parquet"
        if not file.exists():
            tables[name] = None
            continue
        wanted = COLUMNS.get(name)
        if wanted is not None:
            present = set(pq.read_schema(file).names)
            wanted = [c for c in wanted if c in present]
        frame = pd.read_parquet(file, columns=wanted)
        for column in schema.TABLES[name].columns:
            if column.type == "date" and column.name in frame.columns:
                frame[column.name] = pd.to_datetime(frame[column.name])
        tables[name] = frame
    return tables


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


def _practices(tables: Mapping[str, pd.DataFrame | None], locality_code: str | None) -> set[str]:
    """The locality's practice codes; every practice of the snapshot (the place) for None."""
    practices = tables["practices"]
    if locality_code is not None:
        practices = practices[practices["locality_code"] == locality_code]
    return set(practices["practice_code"])


def _registered(people: pd.DataFrame, day: date) -> pd.Series:
    """Whether each person is registered on `day`: born, registered, not gone before it."""
    ts = pd.Timestamp(day)
    reg_to, death = _dates(people["registered_to"]), _dates(people["date_of_death"])
    return (
        (_dates(people["date_of_birth"]) <= ts)
        & (_dates(people["registered_from"]) <= ts)
        & (reg_to.isna() | (reg_to >= ts))
        & (death.isna() | (death >= ts))
    )


def _sex(people: pd.DataFrame) -> pd.Series:
    if "sex" not in people.columns:
        return pd.Series("unknown", index=people.index, dtype="object")
    return people["sex"].fillna("unknown").astype("object")


def population_now(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str | None, as_of: date
) -> pd.DataFrame:
    """pseudonym, lsoa, imd_decile, sex, age: the locality's registered people on `as_of`
    (the whole place's for `locality_code` None)."""
    people = tables["people"]
    p = people[people["practice_code"].isin(_practices(tables, locality_code))]
    p = p[_registered(p, as_of)]
    lsoa = p["lsoa"] if "lsoa" in p.columns else pd.Series(None, index=p.index, dtype="object")
    return pd.DataFrame(
        {
            "pseudonym": p["pseudonym"].to_numpy(),
            "lsoa": lsoa.fillna(NOT_RECORDED).to_numpy(),
            "imd_decile": p["imd_decile"].to_numpy(),
            "sex": _sex(p).to_numpy(),
            "age": _completed_years(_dates(p["date_of_birth"]), as_of).to_numpy(),
        }
    )


# --- rates observed in the year before the reference date ----------------------------------


@dataclass(frozen=True)
class Observed:
    """One observed rate: events over people at risk, and whether it is the place's."""

    events: float
    at_risk: float
    pooled: bool = False

    @property
    def rate(self) -> float:
        return self.events / self.at_risk if self.at_risk else 0.0


@dataclass(frozen=True)
class Rates:
    """What the projection assumes each year, as observed in the snapshot."""

    year_start: date
    as_of: date
    deaths: dict[tuple[str, str], Observed]  # (rate band, sex or PERSONS) -> q
    fertility: Observed  # babies per woman aged 15-44
    female_births: float  # share of babies who are girls
    registrations: dict[str, int]  # shown age band -> people registering in the year
    deregistrations: dict[str, int]  # shown age band -> people leaving, not by death
    # False when the extract records nobody leaving a practice other than by death: it then
    # holds arrivals only (an extract of current registrations), so migration is taken as 0.
    migration_measured: bool = True

    def death_rate(self, age: int, sex: str) -> float:
        """q: the probability that someone of `age` and `sex` dies within a year."""
        key = (rate_band(age), sex if sex in SEXES else PERSONS)
        return self.deaths[key].rate

    @property
    def net_migration(self) -> dict[str, int]:
        """Per shown age band: registrations minus deregistrations not by death, a year."""
        return {
            band: self.registrations.get(band, 0) - self.deregistrations.get(band, 0)
            for band, _, _ in AGE_BANDS
        }


class Place:
    """The whole place's figures (every practice of the snapshot) that a locality's profile
    uses: its rates and its people's conditions and activity. Each is worked out on first use
    and kept, so profiling every locality with one `Place` works them out once, not once a
    locality (they are most of a profile's work on a large snapshot)."""

    def __init__(self, tables: Mapping[str, pd.DataFrame | None], as_of: date) -> None:
        self.tables = tables
        self.as_of = as_of
        self.year_start = year_start(as_of)

    @cached_property
    def deaths(self) -> dict[tuple[str, str], Observed]:
        """The place's deaths and people at risk in the year, per (rate band, sex)."""
        return _death_counts(self.tables, None, self.year_start, self.as_of)

    @cached_property
    def fertility(self) -> Observed:
        """The place's babies in the year over its women 15-44 at the year's start."""
        return _fertility(self.tables, None, self.year_start, self.as_of)

    @cached_property
    def female_births(self) -> float:
        """The share of the place's babies of the year who are girls."""
        return _female_share(_babies(self.tables, None, self.year_start, self.as_of))

    @cached_property
    def migration_measured(self) -> bool:
        """Whether the snapshot records anyone leaving a practice other than by death."""
        return _records_leavers(self.tables)

    @cached_property
    def with_ltc(self) -> pd.DataFrame:
        """pseudonym: each person with a long-term condition recorded by the reference date."""
        return _with_ltc(self.tables.get("conditions"), self.as_of)

    @cached_property
    def activity(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The A&E attendances and emergency admissions of the 12 months to the reference
        date (pseudonym of each), picked from every encounter once."""
        enc = self.tables.get("encounters")
        if enc is None:
            return pd.DataFrame(columns=["pseudonym"]), pd.DataFrame(columns=["pseudonym"])
        in_year = _in_last_12m(enc["start_date"], self.as_of)
        ae = in_year & (enc["setting"] == "ae")
        emergency = in_year & (enc["setting"] == "inpatient")
        emergency &= enc["admission_method"] == "emergency"
        # Only the pseudonym column of the matching rows: taking every column of millions of
        # encounters costs more than finding them.
        return enc.loc[ae, ["pseudonym"]], enc.loc[emergency, ["pseudonym"]]


def _place(tables: Mapping[str, pd.DataFrame | None], as_of: date, place: Place | None) -> Place:
    """`place`, or the place of `tables` on `as_of` when None; a place of other tables or
    another day would give another locality's profile the wrong figures, so it is refused."""
    if place is None:
        return Place(tables, as_of)
    if place.tables is not tables or place.as_of != as_of:
        raise ValueError("The place was worked out from other tables or for another day")
    return place


def observed_rates(
    tables: Mapping[str, pd.DataFrame | None],
    locality_code: str,
    as_of: date,
    *,
    min_at_risk: int = MIN_AT_RISK,
    place: Place | None = None,
) -> Rates:
    """Death, fertility and migration over the year to `as_of`, for the locality (deaths and
    fertility from the whole place where the locality has fewer than `min_at_risk` at risk).
    Pass the `place` of `tables` and `as_of` to reuse its figures across localities."""
    place = _place(tables, as_of, place)
    start = place.year_start
    local = _death_counts(tables, locality_code, start, as_of)
    deaths = {
        key: local[key] if local[key].at_risk >= min_at_risk else _pooled(place.deaths[key])
        for key in local
    }
    fertility = _fertility(tables, locality_code, start, as_of)
    if fertility.at_risk < min_at_risk:
        fertility = _pooled(place.fertility)
    moves_in, moves_out = _moves(tables, locality_code, start, as_of)
    if not place.migration_measured:
        moves_in = moves_out = dict.fromkeys(moves_in, 0)
    return Rates(
        year_start=start,
        as_of=as_of,
        deaths=deaths,
        fertility=fertility,
        female_births=place.female_births,
        registrations=moves_in,
        deregistrations=moves_out,
        migration_measured=place.migration_measured,
    )


def _records_leavers(tables: Mapping[str, pd.DataFrame | None]) -> bool:
    """Whether anyone in the snapshot left a practice other than by death."""
    p = tables["people"]
    reg_to, death = _dates(p["registered_to"]), _dates(p["date_of_death"])
    return bool((reg_to.notna() & (death.isna() | (death > reg_to))).any())


def _pooled(observed: Observed) -> Observed:
    return Observed(observed.events, observed.at_risk, pooled=True)


def _death_counts(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str | None, start: date, end: date
) -> dict[tuple[str, str], Observed]:
    """Per (rate band, sex): people registered on `start` and those of them who died while
    registered in [start, end): the day `population_now` stops counting them."""
    people = tables["people"]
    p = people[people["practice_code"].isin(_practices(tables, locality_code))]
    p = p[_registered(p, start)]
    death, reg_to = _dates(p["date_of_death"]), _dates(p["registered_to"])
    died = (
        (death >= pd.Timestamp(start))
        & (death < pd.Timestamp(end))
        & (reg_to.isna() | (reg_to >= death))
    )
    frame = pd.DataFrame(
        {
            "band": _rate_bands(_completed_years(_dates(p["date_of_birth"]), start)),
            "sex": _sex(p),
            "died": died.astype("int64"),
        }
    )
    out = {}
    for lo, hi in RATE_BANDS:
        in_band = frame[frame["band"] == _rate_label(lo, hi)]
        for sex in (*SEXES, PERSONS):
            cell = in_band if sex == PERSONS else in_band[in_band["sex"] == sex]
            out[(_rate_label(lo, hi), sex)] = Observed(cell["died"].sum(), len(cell))
    return out


def _babies(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str | None, start: date, end: date
) -> pd.DataFrame:
    """People born in (start, end] who registered with the locality's practices by `end`."""
    people = tables["people"]
    p = people[people["practice_code"].isin(_practices(tables, locality_code))]
    dob = _dates(p["date_of_birth"])
    born = (dob > pd.Timestamp(start)) & (dob <= pd.Timestamp(end))
    return p[born & (_dates(p["registered_from"]) <= pd.Timestamp(end))]


def _fertility(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str | None, start: date, end: date
) -> Observed:
    women = population_now(tables, locality_code, start)
    lo, hi = FERTILE_AGES
    at_risk = ((women["sex"] == "female") & women["age"].between(lo, hi)).sum()
    return Observed(len(_babies(tables, locality_code, start, end)), int(at_risk))


def _female_share(babies: pd.DataFrame) -> float:
    sex = _sex(babies)
    girls, boys = (sex == "female").sum(), (sex == "male").sum()
    return girls / (girls + boys) if girls + boys else 0.5


def _moves(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str, start: date, end: date
) -> tuple[dict[str, int], dict[str, int]]:
    """Per shown band: registrations in (start, end] of people born before the year, and
    deregistrations in [start, end) not by death, each at the age on the day of the move."""
    people = tables["people"]
    p = people[people["practice_code"].isin(_practices(tables, locality_code))]
    dob, death = _dates(p["date_of_birth"]), _dates(p["date_of_death"])
    reg_from, reg_to = _dates(p["registered_from"]), _dates(p["registered_to"])
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    joined = (reg_from > s) & (reg_from <= e) & (dob <= s)
    left = (reg_to >= s) & (reg_to < e) & (death.isna() | (death > reg_to))
    return _by_band(dob[joined], reg_from[joined]), _by_band(dob[left], reg_to[left])


def _by_band(dob: pd.Series, on: pd.Series) -> dict[str, int]:
    not_yet = (dob.dt.month > on.dt.month) | (
        (dob.dt.month == on.dt.month) & (dob.dt.day > on.dt.day)
    )
    ages = on.dt.year - dob.dt.year - not_yet.astype("int64")
    counts = ages.map(age_band).value_counts()
    return {band: int(counts.get(band, 0)) for band, _, _ in AGE_BANDS}


# --- the projection ----------------------------------------------------------------------------

COHORT = ["lsoa", "sex", "age"]


@dataclass(frozen=True)
class Projection:
    """Cohorts (lsoa, sex, age, count) at each year ahead, and each year's changes."""

    cohorts: dict[int, pd.DataFrame]  # years ahead -> cohorts
    changes: pd.DataFrame = field(repr=False)  # year, start, births, deaths, net_migration, end


def project(cohorts: pd.DataFrame, years: int, rates: Rates) -> Projection:
    """Project `cohorts` (lsoa, sex, age, count) `years` ahead, a year at a time: deaths at
    the observed rates, ageing, births at age 0, then the year's net migration per band."""
    frame = cohorts[[*COHORT, "count"]].astype({"count": "float64"})
    reference = frame
    out, changes = {0: frame}, []
    for year in range(1, years + 1):
        before = frame["count"].sum()
        frame, births, deaths = _one_year(frame, rates)
        frame, moved = _migrate(frame, reference, rates.net_migration)
        changes.append((year, before, births, deaths, moved, frame["count"].sum()))
        out[year] = frame
    columns = ["year", "start", "births", "deaths", "net_migration", "end"]
    return Projection(out, pd.DataFrame(changes, columns=columns))


def _one_year(frame: pd.DataFrame, rates: Rates) -> tuple[pd.DataFrame, float, float]:
    sex = frame["sex"].where(frame["sex"].isin(SEXES), PERSONS)
    keys = pd.MultiIndex.from_arrays([_rate_bands(frame["age"]), sex])
    q = pd.Series({key: observed.rate for key, observed in rates.deaths.items()})
    dying = frame["count"] * q.reindex(keys).to_numpy()
    lo, hi = FERTILE_AGES
    women = frame[(frame["sex"] == "female") & frame["age"].between(lo, hi)]
    babies = women.groupby("lsoa")["count"].sum() * rates.fertility.rate
    newborn = pd.DataFrame(
        [
            (lsoa, sex, 0, n * share)
            for lsoa, n in babies.items()
            for sex, share in (("female", rates.female_births), ("male", 1 - rates.female_births))
        ],
        columns=[*COHORT, "count"],
    )
    survivors = frame.assign(count=frame["count"] - dying, age=frame["age"] + 1)
    grown = pd.concat([survivors, newborn], ignore_index=True)
    grown = grown.groupby(COHORT, as_index=False)["count"].sum()
    return grown, float(babies.sum()), float(dying.sum())


def _migrate(
    frame: pd.DataFrame, reference: pd.DataFrame, net: Mapping[str, float]
) -> tuple[pd.DataFrame, float]:
    """Add each band's net migrants in proportion to its people (the reference date's when
    the band is empty); an outflow empties a band at most. Returns (cohorts, net added)."""
    frame = frame.copy()
    bands = frame["age"].map(age_band)
    moved = 0.0
    for band, n in net.items():
        people = bands == band
        total = frame.loc[people, "count"].sum()
        if total > 0:
            applied = max(float(n), -total)
            frame.loc[people, "count"] *= 1 + applied / total
        elif n > 0:
            seed = reference[reference["age"].map(age_band) == band]
            if seed["count"].sum() == 0:
                continue  # nobody of this band to model arrivals on
            applied = float(n)
            frame = (
                pd.concat([frame, seed.assign(count=seed["count"] * applied / seed["count"].sum())])
                .groupby(COHORT, as_index=False)["count"]
                .sum()
            )
            bands = frame["age"].map(age_band)
        else:
            continue
        moved += applied
    return frame, moved


def banded(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts per `by` and age band (every band a column, zero where nobody is)."""
    bands = [name for name, _, _ in AGE_BANDS]
    out = frame.assign(band=frame["age"].map(age_band)).pivot_table(
        index=by, columns="band", values="count", aggfunc="sum", fill_value=0.0
    )
    return out.reindex(columns=bands, fill_value=0.0).astype("float64")


def projection(
    tables: Mapping[str, pd.DataFrame | None],
    locality_code: str,
    as_of: date | None = None,
    *,
    place: Place | None = None,
) -> tuple[Projection, Rates]:
    """The locality's registered population projected HORIZONS years ahead, and the rates
    (`place`: see `observed_rates`)."""
    as_of = as_of or reference_date(tables)
    pop = population_now(tables, locality_code, as_of)
    cohorts = pop.groupby(COHORT, as_index=False).size().rename(columns={"size": "count"})
    rates = observed_rates(tables, locality_code, as_of, place=place)
    return project(cohorts, max(HORIZONS), rates), rates


def profile(
    tables: Mapping[str, pd.DataFrame | None], locality_code: str, as_of: date | None = None
) -> pd.DataFrame:
    """Raw counts per LSOA: population by band now / +5 / +10, LTC, activity and IMD decile.

    Columns: lsoa, imd_decile, population, `<band>_<h>` for each band and horizon h in
    HORIZONS, ltc, ae_12m, emergency_12m. Never shown as such: see `shown()`.
    """
    as_of = as_of or reference_date(tables)
    place = Place(tables, as_of)
    projected = projection(tables, locality_code, as_of, place=place)[0]
    return _profile(tables, locality_code, as_of, projected, place)


def _profile(
    tables: Mapping[str, pd.DataFrame | None],
    locality_code: str,
    as_of: date,
    projected: Projection,
    place: Place,
) -> pd.DataFrame:
    pop = population_now(tables, locality_code, as_of)
    lsoas = sorted(set(pop["lsoa"]) | set(projected.cohorts[max(HORIZONS)]["lsoa"]))
    out = pd.DataFrame(index=pd.Index(lsoas, name="lsoa"))
    for h in HORIZONS:
        bands = banded(projected.cohorts[h], "lsoa")
        for band in bands.columns:
            out[f"{band}_{h}"] = bands[band].reindex(out.index, fill_value=0.0)
    out["population"] = pop.groupby("lsoa").size().reindex(out.index, fill_value=0)
    out["imd_decile"] = pop.groupby("lsoa")["imd_decile"].agg(_mode).reindex(out.index)
    # One row per person with an LTC: counted per LSOA like events (a merge, as `isin` with
    # the place's hundreds of thousands of pseudonyms converts each one, every locality).
    out["ltc"] = _events_per_lsoa(pop, place.with_ltc, out.index)
    ae, emergency = place.activity
    out["ae_12m"] = _events_per_lsoa(pop, ae, out.index)
    out["emergency_12m"] = _events_per_lsoa(pop, emergency, out.index)
    return out.reset_index()


def _mode(values: pd.Series) -> float:
    modes = values.dropna().mode()
    return float(modes.min()) if len(modes) else float("nan")


def _with_ltc(conditions: pd.DataFrame | None, as_of: date) -> pd.DataFrame:
    """pseudonym: each person with any LTC code recorded on or before `as_of`, once."""
    if conditions is None or conditions.empty:
        return pd.DataFrame(columns=["pseudonym"])
    codes = {code for c in features.conditions() if c.kind == "ltc" for code in c.codes}
    c = conditions[
        (conditions["code_system"] == "snomed")
        & conditions["code"].isin(codes)
        & (_dates(conditions["recorded_on"]) <= pd.Timestamp(as_of))
    ]
    return c[["pseudonym"]].drop_duplicates()


def _in_last_12m(start_date: pd.Series, as_of: date) -> pd.Series:
    """Whether each date falls in the 12 months up to and including `as_of`."""
    start = _dates(start_date)
    after = pd.Timestamp(features.months_before(as_of, 12))
    return (start > after) & (start <= pd.Timestamp(as_of))


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
    # period ("years 1-5"), people at its start, births, deaths, net migration, at its end
    changes: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    assumptions: str = ""  # the rates this locality's projection used, suppressed


def _count(value: float) -> str:
    figure = suppress(value)
    return figure.text(0)


def _signed(value: float) -> str:
    """A net figure: its size suppressed like any count, its direction shown."""
    text = _count(abs(value))
    return text if text == SUPPRESSED_TEXT else ("-" if value < 0 else "+") + text


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


def _changes(changes: pd.DataFrame) -> list[tuple[str, str, str, str, str, str]]:
    out = []
    for before, last in pairwise(HORIZONS):
        years = changes[changes["year"].between(before + 1, last)]
        out.append(
            (
                f"years {before + 1}-{last}",
                _count(years["start"].iloc[0]),
                _count(years["births"].sum()),
                _count(years["deaths"].sum()),
                _signed(years["net_migration"].sum()),
                _count(years["end"].iloc[-1]),
            )
        )
    return out


def _rate(observed: Observed) -> str:
    text = suppress(observed.events, observed.at_risk, per=1000).text(1)
    return f"{text} (whole place)" if observed.pooled else text


def _assumptions(rates: Rates, changes: pd.DataFrame) -> str:
    deaths = "; ".join(
        f"{_rate_label(lo, hi)}: {_rate(rates.deaths[(_rate_label(lo, hi), 'female')])} / "
        f"{_rate(rates.deaths[(_rate_label(lo, hi), 'male')])}"
        for lo, hi in RATE_BANDS
    )
    moves = "; ".join(f"{band}: {_signed(n)}" for band, n in rates.net_migration.items())
    if not rates.migration_measured:
        moves = (
            "not estimated, taken as 0 (the extract records nobody leaving a practice other "
            "than by death, so its arrivals alone would overstate growth)"
        )
    return (
        f"Rates observed in the year from {rates.year_start:%-d %B %Y} to {rates.as_of:%-d %B %Y}"
        f" and assumed every year. Births: {_rate(rates.fertility)} a year per 1,000 women "
        f"aged 15-44. Deaths a year per 1,000 people by age (women / men): {deaths}. Net "
        f"migration a year by age band: {moves}. Over the ten years: births "
        f"{_count(changes['births'].sum())}, deaths {_count(changes['deaths'].sum())}, net "
        f"migration {_signed(changes['net_migration'].sum())}. Every figure is rounded and "
        "suppressed like the tables."
    )


def shown(
    tables: Mapping[str, pd.DataFrame | None],
    locality_code: str,
    as_of: date | None = None,
    *,
    place: Place | None = None,
) -> Shown:
    """The profile as a page shows it: every count and rate through `suppress`.

    An LSOA's IMD decile is a published property of the area, not a count, and is shown as
    is (or "unknown"). Profiling many localities, pass each the same `Place(tables, as_of)`:
    the whole place's figures are then worked out once.
    """
    as_of = as_of or reference_date(tables)
    place = _place(tables, as_of, place)
    projected, rates = projection(tables, locality_code, as_of, place=place)
    raw = _profile(tables, locality_code, as_of, projected, place)
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
    return Shown(
        as_of,
        [name for name, _, _ in AGE_BANDS],
        rows,
        total,
        deprivation,
        changes=_changes(projected.changes),
        assumptions=_assumptions(rates, projected.changes),
    )


__all__ = [
    "METHOD_TEXT",
    "SUPPRESSED_TEXT",
    "Place",
    "observed_rates",
    "profile",
    "project",
    "projection",
    "shown",
]
