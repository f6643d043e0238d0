"""Metric definitions as data: one TOML file per metric in `definitions/`, loaded and checked.

A definition says what a metric is for people (name, why it matters, numerator, denominator,
population, period, unit, whether low is good, target) and how to compute it (`query`).
`source = "analytics"` metrics are computed by `engine.py` from an analytics snapshot;
`source = "operations"` metrics by the same engine from the web app's records, exported as
plain tables keyed by pseudonym (`OPERATIONS_TABLES`, made by joinedcare/outcomes/operations.py)
beside the snapshot's. docs/outcomes.md describes every key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

DEFINITIONS_DIR = Path(__file__).parent / "definitions"

PER_WEEK = "per week"
# What a value is multiplied by: numerator / denominator x multiplier. None: not a ratio (a
# count, shown as the numerator). Times are means (total / number of things) because cells
# must add up across units, which a median does not: "hours" sums minutes.
UNITS: dict[str, float | None] = {
    "per 1,000": 1_000,
    "per 100,000": 100_000,
    "%": 100,
    "count": None,
    PER_WEEK: None,  # a count per month, shown per week of the month's days
    "days": 1,
    "hours": 1 / 60,
}
# The units a metric is measured for; a metric that is not about people (a service's
# occupancy) is measured for the place only (`levels = ["place"]`).
LEVELS = ("practice", "team", "locality", "place")
PERIODS = ("week", "month", "quarter", "year")
SOURCES = ("analytics", "operations")
# low_is_good for a metric where neither direction is better (referral volume, occupancy).
NEITHER = "neither"
REQUIRED = (
    "slug",
    "name",
    "why",
    "numerator",
    "denominator",
    "population",
    "period",
    "unit",
    "low_is_good",
    "source",
    "query",
)
OPTIONAL = ("target", "target_source", "notes", "references", "levels")

# The query keys the engine understands (engine.py; docs/outcomes.md explains each).
SIDE_KEYS = {
    "events",
    "date",
    "where",
    "exclude",
    "amount",
    "first_per_person",
    "diagnoses",
    "followed_by",
    "not_followed_by",
    "population",
    "months_of_year",
    "interval",
    "state_on",
    "open_at_month_end",
    "before_month_end",
    "person_has",
}
QUERY_KEYS = {"age_min", "age_max", "numerator", "denominator", "breakdown"}
SNAPSHOT_TABLES = ("encounters", "social_care")
# The web app's records as joinedcare/outcomes/operations.py exports them (pseudonyms only).
OPERATIONS_TABLES = (
    "referrals",
    "episodes",
    "service_days",
    "d2a_cases",
    "care_plans",
    "care_plan_reviews",
    "care_plan_actions",
    "case_list",
)
EVENT_TABLES = SNAPSHOT_TABLES + OPERATIONS_TABLES
# Tables without a person: their metrics are measured for the place only.
PLACE_TABLES = ("service_days",)
# An amount is one of these words or a one-key table: {column = "c"} (the column's value),
# {days_between = [a, b]} (b - a in days), {minutes_between = [a, b]} (timestamps), or
# {nights = [a, b]} (the nights from date a to the night before b, each in its own month).
AMOUNTS = ("count", "length_of_stay")
AMOUNT_KINDS = ("column", "days_between", "minutes_between", "nights")


class DefinitionError(ValueError):
    """A definition file that cannot be used, with every problem found in it."""


@dataclass(frozen=True)
class Metric:
    """One metric definition, as loaded from its file."""

    slug: str
    name: str
    why: str
    numerator: str
    denominator: str
    population: str
    period: str
    unit: str
    low_is_good: bool | None
    source: str
    query: MappingProxyType
    target: float | None = None
    target_source: str | None = None
    notes: str | None = None
    references: tuple[str, ...] = field(default_factory=tuple)
    levels: tuple[str, ...] = LEVELS
    path: Path | None = None

    @property
    def multiplier(self) -> float | None:
        return UNITS[self.unit]

    @property
    def computed_here(self) -> bool:
        """True for metrics the engine computes from a snapshot alone (no web app records)."""
        return self.source == "analytics"

    @property
    def place_only(self) -> bool:
        """Measured for the place only (not about people, so not per practice): pages say so."""
        return self.levels == ("place",)


def problems(raw: dict[str, Any], filename: str = "") -> list[str]:
    """Every reason the raw definition cannot be used (empty when it is valid)."""
    found = [f"missing key {k!r}" for k in REQUIRED if k not in raw]
    found += [f"unknown key {k!r}" for k in raw if k not in REQUIRED + OPTIONAL]
    if filename and raw.get("slug") and f"{raw['slug']}.toml" != filename:
        found.append(f"slug {raw['slug']!r} does not match the file name {filename!r}")
    if "unit" in raw and raw["unit"] not in UNITS:
        found.append(f"unknown unit {raw['unit']!r}: use one of {', '.join(UNITS)}")
    if "period" in raw and raw["period"] not in PERIODS:
        found.append(f"unknown period {raw['period']!r}")
    if "source" in raw and raw["source"] not in SOURCES:
        found.append(f"unknown source {raw['source']!r}: analytics or operations")
    if "low_is_good" in raw and raw["low_is_good"] not in (True, False, NEITHER):
        found.append(f"low_is_good must be true, false or {NEITHER!r}")
    if "target" in raw and not isinstance(raw["target"], int | float):
        found.append("target must be a number")
    for key in ("name", "why", "numerator", "denominator", "population"):
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            found.append(f"{key} must be a non-empty string")
    levels = raw.get("levels", list(LEVELS))
    if not (isinstance(levels, list) and levels and set(levels) <= set(LEVELS)):
        found.append(f"levels must be a list of {', '.join(LEVELS)}")
    query = raw.get("query")
    if not isinstance(query, dict):
        return [*found, "query must be a table"] if "query" in raw else found
    return found + _query_problems(query, raw.get("unit"), raw.get("source"), levels)


def _query_problems(query: dict[str, Any], unit: str | None, source: Any, levels: Any) -> list[str]:
    found = [f"unknown query key {k!r}" for k in query if k not in QUERY_KEYS]
    tables = EVENT_TABLES if source == "operations" else SNAPSHOT_TABLES
    for side in ("numerator", "denominator"):
        spec = query.get(side)
        if not isinstance(spec, dict):
            found.append(f"query.{side} must be a table")
            continue
        found += _side_problems(f"query.{side}", spec, tables)
        if spec.get("events") in PLACE_TABLES and levels != ["place"]:
            found.append(f"query.{side}.events {spec['events']!r} has no person: use place level")
    if source == "analytics" and UNITS.get(unit or "", 0) is None:
        found.append(f"analytics metrics are ratios: unit {unit!r} has no multiplier")
    return found


def _side_problems(where: str, spec: dict[str, Any], tables: tuple[str, ...]) -> list[str]:
    found = [f"unknown {where} key {k!r}" for k in spec if k not in SIDE_KEYS]
    if spec.get("population") is True:
        return found
    if spec.get("events") not in tables:
        found.append(f"{where}.events must be one of {', '.join(tables)}")
    amount = spec.get("amount", "count")
    spread = isinstance(amount, dict) and "nights" in amount
    if not (spread or "open_at_month_end" in spec or isinstance(spec.get("date"), str)):
        found.append(f"{where}.date must name the column that dates the event")
    if isinstance(amount, dict):
        if len(amount) != 1 or next(iter(amount)) not in AMOUNT_KINDS:
            found.append(f"{where}.amount table must have one of {', '.join(AMOUNT_KINDS)}")
    elif amount not in AMOUNTS:
        found.append(f"{where}.amount must be one of {', '.join(AMOUNTS)} or a table")
    months = spec.get("months_of_year", [])
    if not (isinstance(months, list) and all(m in range(1, 13) for m in months)):
        found.append(f"{where}.months_of_year must be a list of month numbers 1-12")
    if "person_has" in spec:
        found += _side_problems(f"{where}.person_has", spec["person_has"], tables)
    for other in spec.get("state_on", {}).get("not_during", []):
        if other.get("events") not in tables:
            found.append(f"{where}.state_on.not_during events must be one of {', '.join(tables)}")
    for key in ("followed_by", "not_followed_by"):
        if key in spec:
            found += _follower_problems(f"{where}.{key}", spec[key], tables)
    return found


def _follower_problems(where: str, spec: Any, tables: tuple[str, ...]) -> list[str]:
    """followed_by / not_followed_by: a window in days and, with any_of, the follower tables."""
    if not isinstance(spec, dict):
        return [f"{where} must be a table"]
    within = spec.get("within_days")
    found = [] if isinstance(within, int) and within > 0 else [f"{where}.within_days must be > 0"]
    for follower in spec.get("any_of", []):
        if follower.get("events") not in tables or not isinstance(follower.get("date"), str):
            found.append(f"{where}.any_of: each needs events (one of {', '.join(tables)}) and date")
    return found


def tables_needed(metric: Metric) -> set[str]:
    """The event tables a metric's query reads (its numerator, denominator and their checks)."""
    needed: set[str] = set()

    def visit(spec: Any) -> None:
        if "events" in spec:
            needed.add(spec["events"])
        for other in spec.get("state_on", {}).get("not_during", ()):
            needed.add(other["events"])
        if spec.get("state_on", {}).get("covered"):
            needed.add("encounters")  # the day the hospital data runs to
        for key in ("followed_by", "not_followed_by"):
            needed.update(f["events"] for f in spec.get(key, {}).get("any_of", ()))
        if "person_has" in spec:
            visit(spec["person_has"])

    for side in ("numerator", "denominator"):
        visit(metric.query[side])
    return needed


def load(path: Path) -> Metric:
    """One definition file, checked; raises DefinitionError naming every problem."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    found = problems(raw, path.name)
    if found:
        raise DefinitionError(f"{path.name}: " + "; ".join(found))
    fields = {
        k: v for k, v in raw.items() if k not in ("query", "references", "low_is_good", "levels")
    }
    return Metric(
        **fields,
        low_is_good=None if raw["low_is_good"] == NEITHER else raw["low_is_good"],
        query=_frozen(raw["query"]),
        references=tuple(raw.get("references", ())),
        levels=tuple(raw.get("levels", LEVELS)),
        path=path,
    )


def _frozen(value: Any) -> Any:
    """Read-only copies, so a caller cannot change a loaded definition for everyone else."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


@cache
def load_all(directory: Path = DEFINITIONS_DIR) -> tuple[Metric, ...]:
    """Every definition in `directory`, sorted by slug."""
    metrics = tuple(load(p) for p in sorted(directory.glob("*.toml")))
    return tuple(sorted(metrics, key=lambda m: m.slug))


def get(slug: str) -> Metric:
    """The definition called `slug`."""
    for metric in load_all():
        if metric.slug == slug:
            return metric
    raise KeyError(f"No metric definition {slug!r}")
