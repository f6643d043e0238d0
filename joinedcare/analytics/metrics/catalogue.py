"""Metric definitions as data: one TOML file per metric in `definitions/`, loaded and checked.

A definition says what a metric is for people (name, why it matters, numerator, denominator,
population, period, unit, whether low is good, target) and how to compute it (`query`).
`source = "analytics"` metrics are computed by `engine.py` from an analytics snapshot;
`source = "operations"` metrics count the web app's records, and their `query` names those
records in words until the web app wires them. docs/outcomes.md describes every key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

DEFINITIONS_DIR = Path(__file__).parent / "definitions"

# What a value is multiplied by: numerator / denominator x multiplier. None: not a ratio
# (a count, or a time in days computed by the web app).
UNITS: dict[str, float | None] = {
    "per 1,000": 1_000,
    "per 100,000": 100_000,
    "%": 100,
    "count": None,
    "days": None,
}
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
OPTIONAL = ("target", "target_source", "notes", "references")

# The query keys the analytics engine understands (engine.py).
SIDE_KEYS = {
    "events",
    "date",
    "where",
    "exclude",
    "amount",
    "first_per_person",
    "diagnoses",
    "followed_by",
    "population",
}
QUERY_KEYS = {"age_min", "age_max", "numerator", "denominator"}
EVENT_TABLES = ("encounters", "social_care")
AMOUNTS = ("count", "length_of_stay")


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
    path: Path | None = None

    @property
    def multiplier(self) -> float | None:
        return UNITS[self.unit]

    @property
    def computed_here(self) -> bool:
        """True for metrics the analytics engine computes from a snapshot."""
        return self.source == "analytics"


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
    query = raw.get("query")
    if not isinstance(query, dict):
        return [*found, "query must be a table"] if "query" in raw else found
    if raw.get("source") == "operations":
        found += _operations_query_problems(query)
    elif raw.get("source") == "analytics":
        found += _analytics_query_problems(query, raw.get("unit"))
    return found


def _operations_query_problems(query: dict[str, Any]) -> list[str]:
    found = [f"operations query needs {k!r}" for k in ("records", "counts") if k not in query]
    return found + [
        f"operations query value {k!r} must be text"
        for k, v in query.items()
        if not isinstance(v, str)
    ]


def _analytics_query_problems(query: dict[str, Any], unit: str | None) -> list[str]:
    found = [f"unknown query key {k!r}" for k in query if k not in QUERY_KEYS]
    for side in ("numerator", "denominator"):
        spec = query.get(side)
        if not isinstance(spec, dict):
            found.append(f"query.{side} must be a table")
            continue
        found += [f"unknown query.{side} key {k!r}" for k in spec if k not in SIDE_KEYS]
        if spec.get("population") is True:
            continue
        if spec.get("events") not in EVENT_TABLES:
            found.append(f"query.{side}.events must be one of {', '.join(EVENT_TABLES)}")
        if not isinstance(spec.get("date"), str):
            found.append(f"query.{side}.date must name the column that dates the event")
        if spec.get("amount", "count") not in AMOUNTS:
            found.append(f"query.{side}.amount must be one of {', '.join(AMOUNTS)}")
    if UNITS.get(unit or "", 0) is None:
        found.append(f"analytics metrics are ratios: unit {unit!r} has no multiplier")
    return found


def load(path: Path) -> Metric:
    """One definition file, checked; raises DefinitionError naming every problem."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    found = problems(raw, path.name)
    if found:
        raise DefinitionError(f"{path.name}: " + "; ".join(found))
    fields = {k: v for k, v in raw.items() if k not in ("query", "references", "low_is_good")}
    return Metric(
        **fields,
        low_is_good=None if raw["low_is_good"] == NEITHER else raw["low_is_good"],
        query=_frozen(raw["query"]),
        references=tuple(raw.get("references", ())),
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
