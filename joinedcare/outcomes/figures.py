"""What the outcomes pages show: every metric of the current snapshot, suppressed, per unit.

The engine's results are computed once per snapshot, by `joinedcare ingest`, and stored beside
it (`analytics.metrics.stored`); a page reads them (a fraction of a second) the first time a
process needs them and keeps them in a module-level cache keyed by the snapshot's folder, so an
ingest that makes a new snapshot current is picked up by the next page. A snapshot without
stored results (ingested before they were stored, or by older code) is computed by the first
page that needs it, which stores the results for every later process. The web app's own
records (referrals, episodes, Discharge to Assess, care plans) change all day: their
operations metrics (`outcomes.operations`) are computed by the same engine beside the
snapshot and refreshed in the background when older than OPERATIONS_FRESH_SECONDS.
Everything leaving this
module has passed through `suppression.suppress`: the SPC charts are drawn from the suppressed
monthly values, and a chart is not drawn when a month is suppressed after the first month
with a figure (joining the shown months would put points that are not neighbours side by
side); a leading run of suppressed months (a service not yet started) is left out instead.
The inequality breakdowns (`inequalities`) cover twelve months and suppress each group by
what its counts stand for (`group_figure`): people, never person-months.
"""

from __future__ import annotations

import calendar
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import pandas as pd
from django import db

from joinedcare.analytics import profiles, spc
from joinedcare.analytics.metrics import catalogue, engine, stored
from joinedcare.analytics.metrics.catalogue import Metric
from joinedcare.analytics.store import Snapshot, Store
from joinedcare.analytics.suppression import SUPPRESSED_TEXT, Figure, round_count, suppress

from . import operations

logger = logging.getLogger(__name__)

LEVELS = ("place", "locality", "team", "practice")
# The cells' column holding each level's unit (the place is every cell).
UNIT_COLUMNS = {"locality": "locality_code", "team": "team_code", "practice": "practice_code"}
# The inequality pages cover the latest twelve months: monthly figures by group are mostly
# too small to show once suppressed.
INEQUALITY_MONTHS = 12
DIMENSION_NAMES = {
    "imd_quintile": "Deprivation quintile (1 = most deprived)",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnic_group": "Ethnic group",
}


@dataclass(frozen=True, eq=False)
class Computed:
    """One snapshot's results: every metric's status and units at hand (what a dashboard
    needs), the results with their cells read when a page first asks (inequalities)."""

    snapshot: Snapshot
    metrics: dict[str, Metric]  # slug -> definition, every metric
    units: dict[str, pd.DataFrame]  # slug -> by_unit(), every computed metric
    skipped: list[engine.Result]
    load: Callable[[], dict[str, engine.Result]]  # every result, cells and all
    # Each unit's inequality breakdowns, worked out when first shown (they never change).
    breakdowns: dict[tuple[str, str, str], Inequalities] = field(default_factory=dict)

    @cached_property
    def results(self) -> dict[str, engine.Result]:
        return self.load()

    @property
    def computed(self) -> list[Metric]:
        """The computed metrics, in the definitions' order."""
        return [self.metrics[slug] for slug in self.units]

    def with_others(self, others: Mapping[str, engine.Result]) -> Computed:
        """These results with `others` (another source's) in place of the same slugs: the
        web app's operations metrics, which a snapshot skips."""
        done = dict(others)
        units = {slug: u for slug, u in self.units.items() if slug not in done}
        units |= {slug: r.by_unit() for slug, r in done.items() if r.status == engine.COMPUTED}
        return Computed(
            self.snapshot,
            metrics={**self.metrics, **{slug: r.metric for slug, r in done.items()}},
            units=units,
            skipped=[r for r in self.skipped if r.metric.slug not in done]
            + [r for r in done.values() if r.status != engine.COMPUTED],
            load=lambda: {**self.results, **done},
        )

    @classmethod
    def of(cls, snapshot: Snapshot, results: Mapping[str, engine.Result]) -> Computed:
        """Results in hand: their units worked out here."""
        done = dict(results)
        return cls(
            snapshot,
            metrics={slug: r.metric for slug, r in done.items()},
            units={slug: r.by_unit() for slug, r in done.items() if r.status == engine.COMPUTED},
            skipped=[r for r in done.values() if r.status != engine.COMPUTED],
            load=lambda: done,
        )


_cache: dict[Path, Computed] = {}
_lock = threading.Lock()
# The web app's records change all day, unlike a snapshot: their metrics are worked out again
# when older than this, in the background (a few seconds at Demo County's size), the page
# showing the previous figures meanwhile. Only a process's first page waits for them.
OPERATIONS_FRESH_SECONDS = 300
REFRESH_IN_BACKGROUND = True
_operations: dict[Path, tuple[float, Computed]] = {}
_refreshing: dict[Path, threading.Thread] = {}


def current(analytics_dir: Path | str) -> Computed | None:
    """Every metric: the current snapshot's (stored results, computed if missing) with the web
    app's operations metrics, refreshed when older than OPERATIONS_FRESH_SECONDS; None before
    any ingest."""
    snapshot = Store(analytics_dir).current()
    if snapshot is None:
        return None
    with _lock:
        if snapshot.path not in _cache:
            computed = from_store(snapshot)
            if computed is None:
                computed = Computed.of(snapshot, compute_and_store(snapshot))
            _cache.clear()  # only the current snapshot is kept
            _operations.clear()
            _cache[snapshot.path] = computed
        made, merged = _operations.get(snapshot.path, (None, None))
        if merged is None or (not REFRESH_IN_BACKGROUND and _stale(made)):
            merged = _with_operations(analytics_dir, snapshot)
        elif _stale(made) and snapshot.path not in _refreshing:
            thread = threading.Thread(target=_refresh, args=(analytics_dir, snapshot), daemon=True)
            _refreshing[snapshot.path] = thread
            thread.start()
        return merged


def warm(analytics_dir: Path | str) -> None:
    """Work out every figure before a page asks (a server process starting): a new process's
    first dashboard would otherwise wait seconds for the operations metrics."""
    try:
        current(analytics_dir)
    except Exception:
        logger.exception("Could not work out the outcomes figures ahead of the first page")
    finally:
        db.connections.close_all()  # this thread's connections only


def _stale(made: float | None) -> bool:
    return made is None or time.monotonic() - made > OPERATIONS_FRESH_SECONDS


def _with_operations(analytics_dir: Path | str, snapshot: Snapshot) -> Computed:
    """The snapshot's results with the operations metrics computed now (under _lock)."""
    merged = _cache[snapshot.path].with_others(operations.compute(analytics_dir))
    _operations[snapshot.path] = (time.monotonic(), merged)
    return merged


def _refresh(analytics_dir: Path | str, snapshot: Snapshot) -> None:
    """The operations metrics worked out again, off the request that found them stale."""
    try:
        others = operations.compute(analytics_dir)
        with _lock:
            if snapshot.path in _cache:  # not replaced by a newer snapshot meanwhile
                merged = _cache[snapshot.path].with_others(others)
                _operations[snapshot.path] = (time.monotonic(), merged)
    except Exception:
        logger.exception("Could not refresh the operations metrics")
    finally:
        with _lock:
            _refreshing.pop(snapshot.path, None)
        db.connections.close_all()  # this thread's connections only


def from_store(snapshot: Snapshot) -> Computed | None:
    """The snapshot's stored results, their cells read only when asked for; None when none
    are stored for this snapshot and code."""
    statuses, units = stored.read_statuses(snapshot), stored.read_units(snapshot)
    if statuses is None or units is None:
        return None
    metrics = {slug: metric for slug, (metric, _, _) in statuses.items()}
    units = {slug: units[slug] for slug in statuses if slug in units}
    skipped = [
        engine.Result(metric, status, reason)
        for metric, status, reason in statuses.values()
        if status != engine.COMPUTED
    ]

    def load() -> dict[str, engine.Result]:
        results = stored.read(snapshot)
        if results is None:  # removed since: compute them again
            results = compute_and_store(snapshot)
        return results

    return Computed(snapshot, metrics, units, skipped, load)


def compute_and_store(snapshot: Snapshot) -> dict[str, engine.Result]:
    """The snapshot's analytics results, computed now and stored for every later process (a
    snapshot ingested before results were stored, or by older code)."""
    # Profiles are left out (a page would wait for every locality's): each is computed when
    # its page asks, by locality_profile.
    results, _ = stored.compute(snapshot, with_profiles=False)
    try:
        stored.write(snapshot, results)
    except OSError:
        # A store the web app may not write to: the results still serve this process.
        logger.warning("Could not store the metric results of snapshot %s", snapshot.id)
    return results


_profiles: dict[tuple[Path, str], profiles.Shown] = {}


def locality_profile(analytics_dir: Path | str, locality_code: str) -> profiles.Shown | None:
    """The locality's profile from the current snapshot, suppressed: stored by the ingest, or
    computed once per snapshot and locality; None before any ingest."""
    snapshot = Store(analytics_dir).current()
    if snapshot is None:
        return None
    key = (snapshot.path, locality_code)
    with _lock:
        if key not in _profiles:
            if any(path != snapshot.path for path, _ in _profiles):
                _profiles.clear()  # only the current snapshot is kept
            for code, shown in (stored.read_profiles(snapshot) or {}).items():
                _profiles[(snapshot.path, code)] = shown
        if key not in _profiles:
            _profiles[key] = profiles.shown(profiles.read_tables(snapshot.path), locality_code)
        return _profiles[key]


def unit_key(level: str, code: str) -> str:
    """The engine's name for a unit: its code, or engine.PLACE for the one place."""
    return engine.PLACE if level == "place" else code


def shown(
    metric: Metric, numerator: float, denominator: float, months: Iterable[str] = ()
) -> Figure:
    """A figure as it may be shown (the one call to `suppress` per figure).

    A "per week" metric is a count over `months` ("YYYY-MM"): its rate is the published
    (suppressed, rounded) count over the days they hold, times 7; the denominator shown is
    the days, which are not about people and are not suppressed.
    """
    if metric.unit == catalogue.PER_WEEK:
        count = suppress(numerator)
        days = sum(_days_in(month) for month in months)
        rate = None if count.value is None or not days else count.value * 7 / days
        return Figure(count.numerator, days, rate, count.suppressed)
    if metric.multiplier is None:
        return suppress(numerator)
    return suppress(numerator, denominator, per=metric.multiplier)


def _days_in(month: str) -> int:
    year, number = (int(part) for part in month.split("-"))
    return calendar.monthrange(year, number)[1]


MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_words(month: str, *, short: bool = False) -> str:
    """A "YYYY-MM" month as people say it: "2026-03" -> "March 2026" ("Mar 2026" short, for
    a chart's axis, where twelve full names do not fit)."""
    # A fixed list rather than calendar.month_name, which follows the process's locale.
    year, number = (int(part) for part in month.split("-"))
    name = MONTH_NAMES[number - 1]
    return f"{name[:3] if short else name} {year}"


def shown_unit(metric: Metric) -> str:
    """The unit a month's value is shown with. A rate per population says that it is a
    month's ("per 100,000 people a month"): read beside a yearly national figure, a bare
    "per 100,000" would look twelve times better than it is."""
    if side_kind(metric, "denominator") == PEOPLE and metric.unit != catalogue.PER_WEEK:
        return f"{metric.unit} {_people(metric)} a month"
    return metric.unit


def _people(metric: Metric) -> str:
    """Whom a rate is per, with the ages its population is limited to: "per 100,000 people
    aged 65 and over", not "per 100,000 people" for a rate of older people."""
    low, high = metric.query.get("age_min"), metric.query.get("age_max")
    if low is not None and high is not None:
        return f"people aged {low} to {high}"
    if low is not None:
        return f"people aged {low} and over"
    if high is not None:
        return f"people aged {high} and under"
    return "people"


def with_unit(metric: Metric, value: float | None, places: int = 1) -> str:
    """A value with the unit it is shown with ("78.7%", "441.4 per 100,000 people a month",
    "3.2 days"), or SUPPRESSED_TEXT: a bare number cannot be told from a count or a rate."""
    if value is None:
        return SUPPRESSED_TEXT
    if metric.unit == "count":
        return f"{value:,.0f}"
    number = f"{value:,.{places}f}"
    return f"{number}%" if metric.unit == "%" else f"{number} {shown_unit(metric)}"


def difference_unit(metric: Metric) -> str:
    """The unit of a difference between two values: percentages differ by percentage points."""
    return "percentage points" if metric.unit == "%" else metric.unit


def loaded_at(snapshot: Snapshot) -> datetime | None:
    """When the snapshot was loaded (an aware datetime): its manifest's `created_at`, else the
    UTC moment its id begins with (`store.new_snapshot_id`); None when neither says."""
    try:
        return datetime.fromisoformat(snapshot.manifest["created_at"])
    except (OSError, KeyError, TypeError, ValueError):
        pass
    try:
        return datetime.strptime(snapshot.id[:22], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Month:
    month: str
    figure: Figure


@dataclass(frozen=True)
class Panel:
    """One metric on a unit's dashboard."""

    metric: Metric
    months: list[Month]
    chart: spc.Chart | None
    svg: str | None
    why_no_chart: str | None
    comparison: list[tuple[str, str, bool]]  # (unit code, latest value text, this unit?)
    # Said under a chart drawn from a later month than the series' first (`drawable`).
    drawn_from: str | None = None

    @property
    def unit_text(self) -> str:
        """The unit of the values shown: "per 100,000 people a month", "%"."""
        return shown_unit(self.metric)

    @property
    def latest(self) -> Month | None:
        return self.months[-1] if self.months else None

    @property
    def latest_text(self) -> str:
        """The latest value with its unit and month in words: "441.4 per 100,000 (March 2026)"."""
        if self.latest is None:
            return "none"
        value = with_unit(self.metric, self.latest.figure.value)
        return f"{value} ({month_words(self.latest.month)})"

    @property
    def target_text(self) -> str:
        if self.metric.target is None:
            return "none"
        return with_unit(self.metric, self.metric.target)

    @property
    def downloadable(self) -> bool:
        """A CSV is offered only when the unit has months to put in it."""
        return bool(self.months)

    @property
    def variation(self) -> str:
        return spc.VARIATION_WORDS[self.chart.variation] if self.chart else "no chart"

    @property
    def variation_colour(self) -> str:
        return spc.VARIATION_COLOURS[self.chart.variation] if self.chart else "#A6A6A6"

    @property
    def assurance(self) -> str:
        if self.metric.target is None:
            return "no target"
        return spc.ASSURANCE_WORDS[self.chart.assurance] if self.chart else "no chart"


def series(computed: Computed, metric: Metric, level: str, key: str) -> list[Month]:
    frame = computed.units[metric.slug]
    rows = frame[(frame.level == level) & (frame.unit == key)].sort_values("month")
    return [
        Month(r.month, shown(metric, r.numerator, r.denominator, [r.month]))
        for r in rows.itertuples(index=False)
    ]


# Why a unit's series has no chart.
NOT_MEASURED_HERE = (
    "Measured for the place as a whole, not for each unit: see the place's dashboard."
)
NO_DATA = "No data for this unit in the snapshot."
NOTHING_SHOWN = "Every month is suppressed (small numbers), so no chart is drawn."
GAPS = (
    "Some months after the first with a figure are suppressed (small numbers), so no chart "
    "is drawn: leaving them out would put months that are not neighbours side by side, or "
    "end the chart before the latest month."
)
# Every metric that is not a percentage counts, adds up or times things: never below 0.
NOT_NEGATIVE: spc.Bounds = (0.0, None)


def drawable(months: Sequence[Month]) -> tuple[list[Month], str | None]:
    """The months a chart is drawn from, or none and why.

    A leading run of suppressed months (a service not yet started, or still small) is left
    out and the chart starts at the first month with a figure: the months drawn are still
    neighbours. A suppressed month after that leaves no chart: leaving it out would put
    months that are not neighbours side by side. Decided on the suppressed figures alone,
    so the choice tells a reader nothing that the page's "[c]" does not (a raw zero is
    never told from 1 to 7).
    """
    first = next((i for i, m in enumerate(months) if m.figure.value is not None), None)
    if first is None:
        return [], NOTHING_SHOWN if months else NO_DATA
    drawn = list(months[first:])
    if any(m.figure.value is None for m in drawn):
        return [], GAPS
    return drawn, None


def panel(computed: Computed, metric: Metric, level: str, key: str) -> Panel:
    months = series(computed, metric, level, key)
    chart = svg = drawn_from = None
    drawn, why = drawable(months)
    if not months and metric.place_only and level != "place":
        why = NOT_MEASURED_HERE
    elif drawn:
        chart = spc.xmr(
            [m.figure.value for m in drawn],
            labels=[month_words(m.month, short=True) for m in drawn],
            low_is_good=metric.low_is_good,
            target=metric.target,
        )
        # The chart's description joins the unit to each number: "78.7%",
        # "441 per 100,000 people a month".
        unit = {"%": "%", "count": ""}.get(metric.unit, f" {shown_unit(metric)}")
        bounds = spc.PERCENTAGE_BOUNDS if metric.unit == "%" else NOT_NEGATIVE
        svg = spc.render_svg(
            chart, title=metric.name, unit=unit, element_id=f"spc-{metric.slug}", bounds=bounds
        )
        if len(drawn) < len(months):
            drawn_from = (
                f"Drawn from {month_words(drawn[0].month)}, the first month with a figure to "
                "show: the months before are suppressed (small numbers, or no activity yet)."
            )
    return Panel(
        metric, months, chart, svg, why, comparison(computed, metric, level, key), drawn_from
    )


def comparison(computed: Computed, metric: Metric, level: str, key: str) -> list[tuple]:
    """Every unit of the level: its latest month's value, suppressed."""
    frame = computed.units[metric.slug]
    frame = frame[frame.level == level]
    latest = frame.sort_values("month").groupby("unit", as_index=False).tail(1)
    return [
        (
            r.unit,
            with_unit(metric, shown(metric, r.numerator, r.denominator, [r.month]).value),
            r.unit == key,
        )
        for r in latest.sort_values("unit").itertuples(index=False)
    ]


CSV_HEADER = [
    "metric",
    "metric_name",
    "value_unit",
    "level",
    "unit_code",
    "unit_name",
    "snapshot",
    "month",
    "numerator",
    "denominator",
    "value",
]


def csv_rows(
    computed: Computed, metric: Metric, level: str, key: str, *, code: str, name: str
) -> list[list[str]]:
    """One header line, then a row per month, every figure suppressed. Each row names the
    metric, its unit, the unit of the organisation (`code`, `name`) and the snapshot, so a
    file saved and opened later, or several joined, says what it holds."""
    about = [metric.slug, metric.name, shown_unit(metric), level, code, name, computed.snapshot.id]
    rows = [CSV_HEADER]
    for m in series(computed, metric, level, key):
        f = m.figure
        rows.append(
            [
                *about,
                m.month,
                _count(f.numerator),
                "" if _is_count(metric) else _count(f.denominator),
                SUPPRESSED_TEXT if f.value is None else f"{f.value:.4f}",
            ]
        )
    return rows


def _is_count(metric: Metric) -> bool:
    """A metric shown as a count alone (no denominator to publish)."""
    return metric.multiplier is None and metric.unit != catalogue.PER_WEEK


def _count(count: int | None) -> str:
    return SUPPRESSED_TEXT if count is None else str(count)


def _shown_count(count: int | None) -> str:
    return SUPPRESSED_TEXT if count is None else f"{count:,}"


def _group_label(group: object) -> str:
    text = str(group)
    return text[:1].upper() + text[1:]


# What one side (numerator or denominator) of a metric counts: it decides how a group's
# figure over several months is shown (`group_figure`) and what its column is called.
PEOPLE = "people"  # registered on each month's first day (`population = true`)
AT_MONTH_END = "at month end"  # open at each month's end (case list, care plan actions)
EVENTS = "events"  # each event once, in its month
AMOUNT = "amount"  # days, minutes, nights or bed days added up: not a count of anything
DAYS = "days"  # a per-week metric's denominator: the days of the months, not about people
# Sides counted again in every month they hold: summed over twelve months, one person
# registered all year counts 12. They are shown, and suppressed, as an average per month,
# which is never more than the distinct people (or things) behind it.
COUNTED_EACH_MONTH = (PEOPLE, AT_MONTH_END)
AMOUNT_WORDS = {
    "length_of_stay": "Bed days",
    "nights": "Nights",
    "days_between": "Days in total",
    "minutes_between": "Minutes in total",
    "column": "Total",
}


def side_kind(metric: Metric, side: str) -> str:
    """What the metric's `side` ("numerator" or "denominator") counts: one of PEOPLE,
    AT_MONTH_END, EVENTS, AMOUNT, DAYS."""
    if side == "denominator" and metric.unit == catalogue.PER_WEEK:
        return DAYS
    spec = metric.query[side]
    if spec.get("population"):
        return PEOPLE
    if "open_at_month_end" in spec:
        return AT_MONTH_END
    return EVENTS if spec.get("amount", "count") == "count" else AMOUNT


def _amount_word(spec: Mapping) -> str:
    amount = spec.get("amount", "count")
    return AMOUNT_WORDS[amount if isinstance(amount, str) else next(iter(amount))]


def _during(months: int) -> str:
    return "in the month" if months == 1 else f"in the {months} months"


def side_label(metric: Metric, side: str, months: int) -> str:
    """The column heading of a side over `months` months, saying what it counts:
    "People registered (average per month)", "Events in the 12 months", "Bed days in ..."."""
    kind = side_kind(metric, side)
    if kind == PEOPLE:
        return "People registered (average per month)"
    if kind == AT_MONTH_END:
        return "Counted at each month end (average per month)"
    if kind == EVENTS:
        return f"Events {_during(months)}"
    if kind == DAYS:
        return f"Days {_during(months)}"
    return f"{_amount_word(metric.query[side])} {_during(months)}"


def value_unit(metric: Metric, months: int) -> str:
    """The unit of a group's value over `months` months. A rate per population is the events
    of the months per person registered on average, so per year over twelve months."""
    if side_kind(metric, "denominator") != PEOPLE:
        return metric.unit
    per = "a year" if months == 12 else f"over {months} month{'s' if months != 1 else ''}"
    return f"{metric.unit} {_people(metric)} {per}"


def _published(kind: str, total: float, months: int) -> int | None:
    """A side's total over `months` months as it may be shown (None: suppressed)."""
    return round_count(total / months if kind in COUNTED_EACH_MONTH else total)


def group_figure(
    metric: Metric, numerator: float, denominator: float, months: Sequence[str]
) -> Figure:
    """A group's figure over `months` ("YYYY-MM") from its sums of monthly cells, as the
    inequality page may show it.

    Suppression is judged on what each count stands for: people registered (and things open
    at a month end) by their average per month, events by their number; a side that is an
    amount (bed days, minutes) is suppressed by the same rule. The group's numerator,
    denominator and value are shown together or not at all: a numerator beside a hidden
    denominator would tell the reader that a small group had it. The value is worked out
    from the counts shown, so a reader can check it: a rate per population is per person
    registered on average (per year over twelve months); a percentage or mean is as defined.
    """
    n = max(len(months), 1)  # no months: no cells, so no groups
    top = _published(side_kind(metric, "numerator"), numerator, n)
    if _is_count(metric):
        return Figure(top, None, None if top is None else float(top), top is None)
    if metric.unit == catalogue.PER_WEEK:
        bottom: int | None = sum(_days_in(month) for month in months)
    else:
        bottom = _published(side_kind(metric, "denominator"), denominator, n)
    if top is None or not bottom:
        return Figure(None, None, None, True)
    if metric.unit == catalogue.PER_WEEK:
        return Figure(top, bottom, top * 7 / bottom, False)
    return Figure(top, bottom, top / bottom * metric.multiplier, False)


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    title: str
    rows: list[tuple[str, str, str, str]]  # group, numerator, denominator, value texts


@dataclass(frozen=True)
class Inequalities:
    metric: Metric
    breakdowns: list[Breakdown]
    gap: str  # most minus least deprived, or SUPPRESSED_TEXT
    ratio: str
    # The column headings: what each side counts over the months, and the value's unit.
    numerator_label: str = ""
    denominator_label: str = ""
    value_unit: str = ""


def period(computed: Computed) -> list[str]:
    """The months the inequality breakdowns cover: the latest twelve (or fewer)."""
    months = sorted({m for frame in computed.units.values() for m in frame.month})
    return months[-INEQUALITY_MONTHS:]


def inequalities(computed: Computed, metric: Metric, level: str, key: str) -> Inequalities:
    """The metric's breakdowns for one unit over `period`, suppressed (kept in `computed`)."""
    memo = (metric.slug, level, key)
    if memo not in computed.breakdowns:
        computed.breakdowns[memo] = _inequalities(computed, metric, level, key)
    return computed.breakdowns[memo]


def _inequalities(computed: Computed, metric: Metric, level: str, key: str) -> Inequalities:
    result = computed.results[metric.slug]
    months = period(computed)
    cells = result.cells
    if level in UNIT_COLUMNS:  # only the unit's own cells: the same sums, far fewer rows
        cells = cells[cells[UNIT_COLUMNS[level]] == key]
    cells = cells[cells.month.isin(months)]
    breakdowns, quintiles = [], None
    for dimension, title in DIMENSION_NAMES.items():
        # Sums of the monthly cells: group_figure turns those counted each month back into
        # averages per month before judging them.
        frame = engine.by_group(metric, cells, dimension, level=level, per_month=False)
        frame = frame[frame.unit == key].sort_values("group")
        figures = [
            (r.group, group_figure(metric, r.numerator, r.denominator, months))
            for r in frame.itertuples()
        ]
        # On the page counts read "1,204" and groups "Female", as the rest of the page.
        rows = [
            (_group_label(group), _shown_count(f.numerator), _shown_count(f.denominator), f.text())
            for group, f in figures
        ]
        breakdowns.append(Breakdown(dimension, title, rows))
        if dimension == "imd_quintile":
            quintiles = pd.DataFrame(
                {
                    "level": level,
                    "unit": key,
                    "group": [g for g, _ in figures],
                    "value": [f.value if f.value is not None else float("nan") for _, f in figures],
                }
            )
    unit = value_unit(metric, len(months))
    gap = ratio = SUPPRESSED_TEXT
    if quintiles is not None and len(quintiles):
        # The gap is taken between suppressed values, never between the raw cells.
        gaps = engine.deprivation_gap(quintiles)  # empty when every quintile is suppressed
        row = gaps.iloc[0] if len(gaps) else None
        if row is not None and pd.notna(row.gap):
            # Percentages differ by percentage points; a rate keeps its unit (per year).
            gap = f"{row.gap:,.1f} {difference_unit(metric) if metric.unit == '%' else unit}"
        if row is not None and pd.notna(row.ratio):
            ratio = f"{row.ratio:,.2f}"
    return Inequalities(
        metric,
        breakdowns,
        gap,
        ratio,
        numerator_label=side_label(metric, "numerator", len(months)),
        denominator_label=side_label(metric, "denominator", len(months)),
        value_unit=unit,
    )
