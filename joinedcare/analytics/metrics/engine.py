"""The metrics engine: every analytics-sourced definition, for every unit and month.

```
snapshot Parquet --Ibis--> spans (a person's range of months) and events (person, month, amount)
                 --Ibis--> cells: numerator and denominator per practice, month, deprivation
                           quintile, age band, sex and ethnic group        (one query a side)
                 --pandas-> units (practice, team, locality, place) and inequality breakdowns
```

Counts and sums add up, so each metric is computed once at the finest grain (the cells) and
every unit and breakdown is a sum of cells; the ratio is taken last. Cells hold small numbers
and never leave the analytics side: pages show figures through `suppression.suppress`.

The population of a month is the people registered with a practice on its first day (born,
registered from that day or earlier, not yet deregistered or dead). A person belongs to the
practice in their record (and its team and locality) for every month. Ages and age bands are
ages on the first day of the month. Events count only for people in the month's population,
so every numerator is a part of its denominator's population.
"""

from __future__ import annotations

import csv
import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

from . import catalogue
from .catalogue import Metric

CODELISTS_DIR = Path(__file__).parent / "codelists"

LEVELS = ("practice", "team", "locality", "place")
PLACE = "all"  # the one unit of the place level: everyone in the snapshot
DIMENSIONS = ("imd_quintile", "age_band", "sex", "ethnic_group")
# Inclusive age bands, the locality profiles' bands (seed 004, Appendix B, plus 65-74).
AGE_BANDS = (("0-17", 0, 17), ("18-64", 18, 64), ("65-74", 65, 74), ("75+", 75, 200))
UNKNOWN = "unknown"
MOST_DEPRIVED, LEAST_DEPRIVED = "1", "5"
# NHS Data Dictionary ethnic category letters grouped into the five 2001 census groups.
ETHNIC_GROUPS = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian or Asian British"),
    **dict.fromkeys("MNP", "Black or Black British"),
    **dict.fromkeys("RS", "Other ethnic group"),
    "Z": "Not stated",
}
KEYS = ("practice_code", "month", *DIMENSIONS)
# Grouped with KEYS but determined by the practice: carried so roll-ups need no join.
CELL_COLUMNS = ("practice_code", "team_code", "locality_code", "month", *DIMENSIONS)

# The table of months (see `calendar`) the engine adds for rows counting in several months.
CALENDAR = "calendar"
COMPUTED = "computed"
SKIPPED = "skipped"
OPERATIONS_SKIP_REASON = (
    "counted from the web app's records (source = operations), which were not given: "
    "joinedcare.outcomes.operations.compute exports them beside the snapshot (missing: {})"
)


@dataclass(frozen=True)
class Result:
    """One metric's outcome: its cells when computed, or why it was skipped."""

    metric: Metric
    status: str
    reason: str | None = None
    cells: pd.DataFrame | None = None
    seconds: float = 0.0

    def by_unit(self, levels: Sequence[str] = LEVELS) -> pd.DataFrame:
        """Numerator, denominator and value per level, unit and month."""
        return by_unit(self.metric, self._cells(), levels)

    def by_group(self, dimension: str, **kw: Any) -> pd.DataFrame:
        """The inequality breakdown by one of DIMENSIONS."""
        return by_group(self.metric, self._cells(), dimension, **kw)

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels the metric is measured for: ("place",) for a metric not about people."""
        return self.metric.levels

    def _cells(self) -> pd.DataFrame:
        if self.cells is None:
            raise ValueError(f"{self.metric.slug} was not computed: {self.reason}")
        return self.cells


# --- reading a snapshot ---------------------------------------------------------------------


def read_snapshot(path: Path | str, con: Any = None) -> dict[str, ibis.Table]:
    """The snapshot's tables as Ibis tables (DuckDB in memory unless `con` is given)."""
    con = con or ibis.duckdb.connect()
    root = Path(path)
    tables = {}
    for name in ("people", "practices", "conditions", "encounters", "social_care"):
        file = root / f"{name}.parquet"
        if file.exists():
            tables[name] = con.read_parquet(str(file))
    missing = {"people", "practices"} - set(tables)
    if missing:
        raise FileNotFoundError(f"Snapshot {root} lacks tables: {', '.join(sorted(missing))}")
    return tables


def snapshot_months(tables: Mapping[str, ibis.Table]) -> list[date]:
    """Every complete month the snapshot's encounters cover (first days of the months).

    A month is complete when the encounters start on or before its first day and run to its
    last day: a partial first or last month would look like a fall in every rate.
    """
    enc = tables["encounters"]
    row = enc.aggregate(first=enc.start_date.min(), last=enc.start_date.max()).execute()
    first, last = pd.Timestamp(row["first"][0]).date(), pd.Timestamp(row["last"][0]).date()
    month = first if first.day == 1 else next_month(first)
    last_is_month_end = next_month(last) == _add_days(last, 1)
    stop = next_month(last) if last_is_month_end else _month_start(last)
    months = []
    while month < stop:
        months.append(month)
        month = next_month(month)
    return months


def _month_start(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    """The first day of the month after `d`'s."""
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _add_days(d: date, n: int) -> date:
    return date.fromordinal(d.toordinal() + n)


def practices_frame(tables: Mapping[str, ibis.Table]) -> pd.DataFrame:
    """practice_code, team_code, locality_code: the hierarchy units roll up along."""
    p = tables["practices"]
    return p.select("practice_code", "team_code", "locality_code").execute()


# --- the Ibis part: cells -------------------------------------------------------------------


def _people(tables: Mapping[str, ibis.Table]) -> ibis.Table:
    """Each person with their practice's team and locality, and the attributes that do not
    change with the month (deprivation quintile, sex, ethnic group)."""
    people = tables["people"]
    hierarchy = tables["practices"].select("practice_code", "team_code", "locality_code")
    people = people.left_join(hierarchy, "practice_code").drop("practice_code_right")
    return people.select(
        "pseudonym",
        "date_of_birth",
        "registered_from",
        "registered_to",
        "date_of_death",
        "practice_code",
        "team_code",
        "locality_code",
        imd_quintile=_imd_quintile(people.imd_decile),
        sex=people.sex.fill_null(UNKNOWN),
        ethnic_group=people.ethnic_category.substitute(ETHNIC_GROUPS, else_="Not stated"),
    )


def _imd_quintile(decile: ibis.Value) -> ibis.Value:
    """IMD deciles 1-2 -> quintile 1 (most deprived) ... 9-10 -> 5."""
    return ((decile + 1) // 2).cast("int64").cast("string").fill_null(UNKNOWN)


def _age_band(age: ibis.Value) -> ibis.Value:
    return ibis.cases(*((age.between(lo, hi), name) for name, lo, hi in AGE_BANDS))


# A person's months in the population form one unbroken range (from birth or registration,
# whichever is later, to deregistration or death), and their age band changes at most three
# times in it. So the engine works with month indexes (consecutive months, consecutive
# numbers) and ranges of them, never with one row per person and month.


def month_index(day: date) -> int:
    """The month's index: months since January of year 0 (the Ibis twin: `_month_index`)."""
    return day.year * 12 + day.month - 1


def _month_index(d: ibis.Value) -> ibis.Value:
    return d.year().cast("int64") * 12 + d.month().cast("int64") - 1


def _first_month_from(d: ibis.Value) -> ibis.Value:
    """The index of the first month whose first day is on or after `d`."""
    return _month_index(d) + (d.day() > 1).cast("int64")


def _month_table(months: Sequence[date]) -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "month": pa.array(list(months), pa.date32()),
                "month_index": pa.array([month_index(m) for m in months], pa.int64()),
            }
        )
    )


# The cell columns that do not change with the month.
_STILL = ("practice_code", "team_code", "locality_code", "imd_quintile", "sex", "ethnic_group")


def spans(
    tables: Mapping[str, ibis.Table],
    months: Sequence[date],
    *,
    age_min: int | None = None,
    age_max: int | None = None,
) -> ibis.Table:
    """Each person's months in `population` as a range of month indexes, one row a person.

    first_index and last_index bound the range (inclusive; people with no month in it are
    left out); born_index is the first month the person is alive on its first day, so their
    age in month i is (i - born_index) // 12, their completed years on its first day.
    Months between first and last that are not in `months` are not in the population.
    """
    people = _people(tables)
    # A null birth or registration date never compares true with a month: never counted.
    people = people.filter(people.date_of_birth.notnull(), people.registered_from.notnull())
    indexes = [month_index(m) for m in months]
    lo, hi = (min(indexes), max(indexes)) if indexes else (0, -1)
    born = _first_month_from(people.date_of_birth)
    first = ibis.greatest(born, _first_month_from(people.registered_from), lo)
    # Registered to / died on a day of month m: still in the population on m's first day.
    last = ibis.least(
        _month_index(people.registered_to).fill_null(hi),
        _month_index(people.date_of_death).fill_null(hi),
        hi,
    )
    if age_min is not None:
        first = ibis.greatest(first, born + 12 * age_min)
    if age_max is not None:
        last = ibis.least(last, born + 12 * (age_max + 1) - 1)
    out = people.select(
        "pseudonym",
        *_STILL,
        born_index=born,
        first_index=first,
        last_index=last,
    )
    return out.filter(out.first_index <= out.last_index)


def _band_ranges(spans_: ibis.Table) -> ibis.Table:
    """People counted per range of months spent in one age band, with their cell columns.

    Most people are in the population for the whole period in one band, so the rows here are
    few (tens of thousands in Demo County) and expanding them to months is cheap.
    """
    parts = []
    for name, lo, hi in AGE_BANDS:
        s = spans_.select(
            *_STILL,
            age_band=ibis.literal(name),
            first_index=ibis.greatest(spans_.first_index, spans_.born_index + 12 * lo),
            last_index=ibis.least(spans_.last_index, spans_.born_index + 12 * (hi + 1) - 1),
        )
        parts.append(s.filter(s.first_index <= s.last_index))
    ranges = ibis.union(*parts, distinct=False)
    return ranges.group_by(list(ranges.columns)).aggregate(people=ranges.count())


def events(
    tables: Mapping[str, ibis.Table], spec: Mapping[str, Any], *, keep: Sequence[str] = ()
) -> ibis.Table:
    """pseudonym, month and amount of each event a query side counts (and the `keep` columns).

    Tables of the web app's records have no pseudonym when they are not about people
    (service_days): their events are (month, amount) only.
    """
    t = tables[spec["events"]]
    t = _where(t, spec.get("where", {}))
    t = _exclude(t, spec.get("exclude", {}))
    if "diagnoses" in spec:
        t = _with_diagnoses(t, tables["conditions"], spec["diagnoses"])
    if "followed_by" in spec:
        t = _followed_by(t, tables, spec["events"], spec["followed_by"])
    if "not_followed_by" in spec:
        t = _followed_by(t, tables, spec["events"], spec["not_followed_by"], keep=False)
    if "interval" in spec:
        t = _interval(t, spec["interval"])
    if "state_on" in spec:
        t = _state_on(t, tables, spec["state_on"])
    who = [c for c in ("pseudonym",) if c in t.columns]
    amount = spec.get("amount", "count")
    if "open_at_month_end" in spec or (isinstance(amount, Mapping) and "nights" in amount):
        t = _per_month(t, tables[CALENDAR], spec, [*who, *keep])
    else:
        day = t[spec["date"]]
        if "months_of_year" in spec:
            t = t.filter(day.month().isin(list(spec["months_of_year"])))
        t = t.filter(day.notnull()).select(*who, *keep, day=day, amount=_amount(t, amount))
        if spec.get("first_per_person"):
            # A person's first ever event of this kind (later ones are moves or repeats).
            t = t.group_by("pseudonym").aggregate(day=t.day.min(), amount=t.amount.min())
        t = t.select(*who, *keep, month=t.day.truncate("M").cast("date"), amount=t.amount)
    if "person_has" in spec:
        has = events(tables, spec["person_has"]).select(has_person="pseudonym", has_month="month")
        t = t.semi_join(has.distinct(), [t.pseudonym == has.has_person, t.month == has.has_month])
    return t


def _amount(t: ibis.Table, amount: Any) -> ibis.Value:
    """What one event adds to its side (see catalogue.AMOUNTS and AMOUNT_KINDS)."""
    if amount == "length_of_stay":
        return t.end_date.delta(t.start_date, unit="day")
    if not isinstance(amount, Mapping):
        return ibis.literal(1, type="int64")
    ((kind, columns),) = amount.items()
    if kind == "column":
        return t[columns].cast("int64")
    start, end = (t[c] for c in columns)
    if kind == "days_between":
        return end.delta(start, unit="day")
    # minutes_between: whole minutes between two timestamps (cells sum integers).
    return ((end.epoch_seconds() - start.epoch_seconds()) // 60).cast("int64")


def _interval(t: ibis.Table, spec: Mapping[str, Any]) -> ibis.Table:
    """Rows whose `to` is at most `at_most_days` days after `from` (a missing `to` fails)."""
    start, end = t[spec["from"]], t[spec["to"]]
    return t.filter(end.notnull(), end.delta(start, unit="day") <= int(spec["at_most_days"]))


def _state_on(
    t: ibis.Table, tables: Mapping[str, ibis.Table], spec: Mapping[str, Any]
) -> ibis.Table:
    """Rows whose person is, on the day in column `date` (plus `days_after` days, if given):
    alive (when `alive`; dead on or before the day in the snapshot's people or the row's own
    date_of_death fails) and in none of the `not_during` events (started on or before the
    day, not ended by it: a stay ending on the day counts as over). `covered = true` also
    needs the day on or before the last day of the hospital data (its latest encounter's
    start, as `snapshot_months` reads it): a later day's state is not known yet."""
    day = t[spec["date"]]
    if "days_after" in spec:
        day = day + ibis.interval(days=int(spec["days_after"]))
    t = t.mutate(state_day=day)
    t = t.filter(t.state_day.notnull())
    if spec.get("covered"):
        enc = tables["encounters"]
        data_end = enc.aggregate(data_end=enc.start_date.max())
        t = t.cross_join(data_end)
        t = t.filter(t.state_day <= t.data_end).drop("data_end")
    if spec.get("alive"):
        if "date_of_death" in t.columns:
            t = t.filter(t.date_of_death.isnull() | (t.date_of_death > t.state_day))
        people = tables["people"].select(dead="pseudonym", died="date_of_death")
        people = people.filter(people.died.notnull())
        t = t.anti_join(people, [t.pseudonym == people.dead, people.died <= t.state_day])
    for other in spec.get("not_during", ()):
        o = _where(tables[other["events"]], other.get("where", {}))
        o = o.select(o_person="pseudonym", o_start="start_date", o_end="end_date")
        on = t.state_day
        t = t.anti_join(
            o, [t.pseudonym == o.o_person, o.o_start <= on, o.o_end.isnull() | (o.o_end > on)]
        )
    return t.drop("state_day")


def _per_month(
    t: ibis.Table, calendar: ibis.Table, spec: Mapping[str, Any], keep: Sequence[str]
) -> ibis.Table:
    """Rows that count in several months: a state at each month's end, or nights spread.

    `open_at_month_end = {from, to}`: the row counts (amount 1) in every month whose last day
    is on or after `from` (if given) and before `to` (if given; a missing value is still
    open); `before_month_end = column` also needs that column on or before the last day.
    `amount = {nights = [a, b]}`: the nights from date a to the night before b (missing: still
    going) counted in the month each night falls in.
    """
    j = t.cross_join(calendar)
    amount = spec.get("amount", "count")
    if isinstance(amount, Mapping) and "nights" in amount:
        start, end = (j[c] for c in amount["nights"])
        stop = ibis.least(end.fill_null(j.next_month), j.next_month)
        nights = stop.delta(ibis.greatest(start, j.month), unit="day")
        return j.filter(start.notnull(), nights > 0).select(*keep, "month", amount=nights)
    state = spec["open_at_month_end"]
    if "from" in state:
        j = j.filter(j[state["from"]] <= j.last_day)
    if "to" in state:
        j = j.filter(j[state["to"]].isnull() | (j[state["to"]] > j.last_day))
    if "before_month_end" in spec:
        j = j.filter(j[spec["before_month_end"]] <= j.last_day)
    return j.select(*keep, "month", amount=ibis.literal(1, type="int64"))


def calendar(months: Sequence[date]) -> ibis.Table:
    """month, last_day, next_month of each month: what rows counting per month join to."""
    nexts = [next_month(m) for m in months]
    return ibis.memtable(
        pa.table(
            {
                "month": pa.array(list(months), pa.date32()),
                "last_day": pa.array([_add_days(n, -1) for n in nexts], pa.date32()),
                "next_month": pa.array(nexts, pa.date32()),
            }
        )
    )


def _where(t: ibis.Table, where: Mapping[str, Any]) -> ibis.Table:
    for column, values in where.items():
        t = t.filter(t[column].isin(_as_list(values)))
    return t


def _exclude(t: ibis.Table, exclude: Mapping[str, Any]) -> ibis.Table:
    for column, values in exclude.items():
        t = t.filter(t[column].isnull() | ~t[column].isin(_as_list(values)))
    return t


def _as_list(values: Any) -> list:
    return list(values) if isinstance(values, list | tuple) else [values]


def _with_diagnoses(t: ibis.Table, conditions: ibis.Table, spec: Mapping[str, Any]) -> ibis.Table:
    """Events with a listed diagnosis recorded (by `source`) on their start date."""
    codes = codelist(spec["codelist"])
    c = conditions.filter(conditions.code_system == spec["code_system"])
    if "source" in spec:
        c = c.filter(c.source == spec["source"])
    code = c.code.upper().replace(".", "")
    by_length = {n: sorted(k for k in codes if len(k) == n) for n in {len(k) for k in codes}}
    listed = ibis.or_(*(code.left(n).isin(keys) for n, keys in by_length.items()))
    c = c.filter(listed).select(dx_person="pseudonym", dx_day="recorded_on").distinct()
    return t.semi_join(c, [t.pseudonym == c.dx_person, t.start_date == c.dx_day])


def _followed_by(
    t: ibis.Table,
    tables: Mapping[str, ibis.Table],
    events_: str,
    spec: Mapping[str, Any],
    *,
    keep: bool = True,
) -> ibis.Table:
    """Events (ending on end_date) followed by a matching row 0 to within_days - 1 days on.

    Without `any_of`, the follower is another event of the same table (another encounter_id)
    matching `where`: a readmission. With `any_of`, it is a row of any of the listed tables
    (each `{events, date, where}`) whose `date` falls in the window: reablement after a
    discharge, from the council's social care records or the SPA's own episodes. Either way
    an event counts once, however many followers it has. `keep=False` (`not_followed_by`)
    keeps the events with no such follower instead.
    """
    if "any_of" in spec:
        later = ibis.union(
            *(
                _followers(tables[f["events"]], f["date"], f.get("where", {}))
                for f in spec["any_of"]
            ),
            distinct=True,
        )
        different = []
    else:
        source = _where(tables[events_], spec.get("where", {}))
        later = source.select(
            next_person="pseudonym", next_id="encounter_id", next_start="start_date"
        )
        different = [t.encounter_id != later.next_id]
    gap = later.next_start.delta(t.end_date, unit="day")
    on = [t.pseudonym == later.next_person, *different, gap >= 0, gap < int(spec["within_days"])]
    return t.semi_join(later, on) if keep else t.anti_join(later, on)


def _followers(t: ibis.Table, date_column: str, where: Mapping[str, Any]) -> ibis.Table:
    """next_person, next_start: the rows of one `any_of` table that may follow an event."""
    t = _where(t, where)
    return t.select(next_person="pseudonym", next_start=t[date_column].cast("date"))


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of `codelists/<name>.csv`, without dots, upper case."""
    with (CODELISTS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return frozenset(r["code"].replace(".", "").upper() for r in csv.DictReader(fh))


def side(
    tables: Mapping[str, ibis.Table],
    spec: Mapping[str, Any],
    spans_: ibis.Table,
    months: Sequence[date],
) -> ibis.Table:
    """One side of a metric (numerator or denominator) summed per cell.

    `spans_` is `spans(...)` for the metric's ages: the population is counted by expanding
    its age-band ranges to the months they cover; an event counts when its month is one of
    `months` within its person's range, in the age band of that month.
    """
    month_table = _month_table(months)
    if spec.get("population"):
        ranges = _band_ranges(spans_)
        joined = ranges.join(
            month_table,
            [
                ranges.first_index <= month_table.month_index,
                ranges.last_index >= month_table.month_index,
            ],
        )
        return joined.group_by(list(CELL_COLUMNS)).aggregate(total=joined.people.sum())
    ev = events(tables, spec)
    joined = ev.join(month_table, "month").join(spans_, "pseudonym")
    joined = joined.filter(
        joined.month_index >= joined.first_index, joined.month_index <= joined.last_index
    )
    joined = joined.mutate(age_band=_age_band((joined.month_index - joined.born_index) // 12))
    return joined.group_by(list(CELL_COLUMNS)).aggregate(total=joined.amount.sum())


class _Populations:
    """Each age filter's spans, materialised once, and its population counts per cell.

    Six metrics share the all-ages spans and denominator: a temporary DuckDB table of one row
    a person is joined to each metric's events.
    """

    def __init__(self, tables: Mapping[str, ibis.Table], months: Sequence[date]) -> None:
        self.tables, self.months = tables, months
        self._spans: dict[tuple, ibis.Table] = {}
        self._counts: dict[tuple, pd.DataFrame] = {}

    def table(self, age_min: int | None, age_max: int | None) -> ibis.Table:
        key = (age_min, age_max)
        if key not in self._spans:
            expr = spans(self.tables, self.months, age_min=age_min, age_max=age_max)
            con = self.tables["people"].get_backend()
            name = f"jc_spans_{next(_table_ids)}"
            self._spans[key] = con.create_table(name, expr, temp=True)
        return self._spans[key]

    def counts(self, age_min: int | None, age_max: int | None) -> pd.DataFrame:
        key = (age_min, age_max)
        if key not in self._counts:
            spans_ = self.table(age_min, age_max)
            population_side = {"population": True}
            self._counts[key] = side(self.tables, population_side, spans_, self.months).execute()
        return self._counts[key]


_table_ids = itertools.count()


def cells(
    metric: Metric,
    tables: Mapping[str, ibis.Table],
    months: Sequence[date],
    *,
    populations: _Populations | None = None,
) -> pd.DataFrame:
    """Numerator and denominator per practice, month and person group (see KEYS)."""
    populations = populations or _Populations(tables, months)
    query = metric.query
    ages = (query.get("age_min"), query.get("age_max"))
    spans_ = populations.table(*ages)

    def total(spec: Mapping[str, Any]) -> pd.DataFrame:
        if spec.get("population"):
            return populations.counts(*ages)
        return side(tables, spec, spans_, months).execute()

    numerator = total(query["numerator"]).rename(columns={"total": "numerator"})
    denominator = total(query["denominator"]).rename(columns={"total": "denominator"})
    merged = _outer(numerator, denominator, list(CELL_COLUMNS))
    merged[["numerator", "denominator"]] = (
        merged[["numerator", "denominator"]].fillna(0).astype("int64")
    )
    merged["month"] = pd.to_datetime(merged["month"]).dt.strftime("%Y-%m")
    return merged.sort_values(list(KEYS), ignore_index=True)


# --- the pandas part: units and breakdowns --------------------------------------------------


def _with_units(cells_: pd.DataFrame) -> pd.DataFrame:
    return cells_.assign(
        practice=cells_.practice_code,
        team=cells_.team_code,
        locality=cells_.locality_code,
        place=PLACE,
    )


def _ratio(metric: Metric, frame: pd.DataFrame) -> pd.DataFrame:
    multiplier = metric.multiplier or 1
    value = frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0) * multiplier
    return frame.assign(value=value.astype("float64"))


def by_unit(metric: Metric, cells_: pd.DataFrame, levels: Sequence[str] = LEVELS) -> pd.DataFrame:
    """level, unit, month, numerator, denominator, value: every unit of each level."""
    frame = _with_units(cells_)
    parts = []
    for level in levels:
        sums = frame.groupby([level, "month"], as_index=False)[["numerator", "denominator"]].sum()
        parts.append(sums.rename(columns={level: "unit"}).assign(level=level))
    out = pd.concat(parts, ignore_index=True)[
        ["level", "unit", "month", "numerator", "denominator"]
    ]
    return _ratio(metric, out)


def by_group(
    metric: Metric,
    cells_: pd.DataFrame,
    dimension: str,
    *,
    level: str = "place",
    per_month: bool = True,
) -> pd.DataFrame:
    """level, unit, [month,] group, numerator, denominator, value for one of DIMENSIONS.

    `per_month=False` sums the months given (a year, say): monthly figures by group are
    often too small to show once suppressed.
    """
    # A place-level metric may carry its own breakdown (service_occupancy: by service).
    allowed = (*DIMENSIONS, *filter(None, [metric.query.get("breakdown")]))
    if dimension not in allowed:
        raise ValueError(f"Unknown breakdown {dimension!r}: one of {', '.join(allowed)}")
    frame = _with_units(cells_)
    keys = [level, *(["month"] if per_month else []), dimension]
    sums = frame.groupby(keys, as_index=False)[["numerator", "denominator"]].sum()
    sums = sums.rename(columns={level: "unit", dimension: "group"}).assign(level=level)
    return _ratio(metric, sums)[
        ["level", "unit", *keys[1:-1], "group", "numerator", "denominator", "value"]
    ]


def deprivation_gap(breakdown: pd.DataFrame) -> pd.DataFrame:
    """The gap between the most (quintile 1) and least (5) deprived: difference and ratio.

    `breakdown` is `by_group(..., "imd_quintile")`; one row per unit (and month if present).
    """
    keys = [k for k in ("level", "unit", "month") if k in breakdown.columns]
    wide = breakdown.pivot_table(index=keys, columns="group", values="value", aggfunc="first")
    most = wide.get(MOST_DEPRIVED, pd.Series(float("nan"), index=wide.index))
    least = wide.get(LEAST_DEPRIVED, pd.Series(float("nan"), index=wide.index))
    out = pd.DataFrame({"most_deprived": most, "least_deprived": least})
    out["gap"] = out.most_deprived - out.least_deprived
    out["ratio"] = out.most_deprived / out.least_deprived.where(out.least_deprived > 0)
    return out.reset_index()


# --- every metric ---------------------------------------------------------------------------


def compute_all(
    tables: Mapping[str, ibis.Table],
    *,
    months: Sequence[date] | None = None,
    metrics: Iterable[Metric] | None = None,
) -> dict[str, Result]:
    """Every definition: analytics metrics computed from the snapshot; operations metrics
    computed when the web app's tables they read are given, skipped with a reason otherwise."""
    months = list(months) if months is not None else snapshot_months(tables)
    populations = _Populations(tables, months)
    with_calendar = {**tables, CALENDAR: calendar(months)}
    results = {}
    for metric in metrics if metrics is not None else catalogue.load_all():
        missing = sorted(catalogue.tables_needed(metric) - set(tables))
        if not metric.computed_here and missing:
            reason = OPERATIONS_SKIP_REASON.format(", ".join(missing))
            results[metric.slug] = Result(metric, SKIPPED, reason)
            continue
        start = time.perf_counter()
        if metric.place_only:
            found = place_cells(metric, with_calendar, months)
        elif metric.computed_here:
            found = cells(metric, tables, months, populations=populations)
        else:
            found = cells(metric, with_calendar, months, populations=populations)
        results[metric.slug] = Result(
            metric, COMPUTED, cells=found, seconds=time.perf_counter() - start
        )
    return results


def place_cells(
    metric: Metric, tables: Mapping[str, ibis.Table], months: Sequence[date]
) -> pd.DataFrame:
    """Cells of a metric measured for the place only: per month (and its `breakdown`), with
    no practice, team or locality (so `by_unit` gives the place level alone) and every
    person dimension unknown."""
    keep = list(filter(None, [metric.query.get("breakdown")]))

    def total(side: str) -> pd.DataFrame:
        ev = events(tables, metric.query[side], keep=keep)
        ev = ev.filter(ev.month.isin(list(months)))
        return ev.group_by(["month", *keep]).aggregate(**{side: ev.amount.sum()}).execute()

    merged = _outer(total("numerator"), total("denominator"), ["month", *keep])
    merged[["numerator", "denominator"]] = (
        merged[["numerator", "denominator"]].fillna(0).astype("int64")
    )
    merged["month"] = pd.to_datetime(merged["month"]).dt.strftime("%Y-%m")
    merged = merged.assign(
        practice_code=None, team_code=None, locality_code=None, **dict.fromkeys(DIMENSIONS, UNKNOWN)
    )
    return merged[[*CELL_COLUMNS, *keep, "numerator", "denominator"]].sort_values(
        ["month", *keep], ignore_index=True
    )


def _outer(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    """The sides' outer merge; pandas 3.1 fails to merge two empty frames on string keys."""
    if left.empty and right.empty:
        return pd.concat([left, right.drop(columns=on)], axis=1)
    return pd.merge(left, right, on=on, how="outer")
