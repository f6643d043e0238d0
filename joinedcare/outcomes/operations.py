"""The web app's records as plain tables for the metrics engine: the operations metrics.

The 13 `source = "operations"` metric definitions count referrals, episodes, service capacity,
Discharge to Assess cases, care plans and the published case list. This module exports those
records as pyarrow tables (`catalogue.OPERATIONS_TABLES`) keyed by the person's pseudonym, the
keyed hash the analytics snapshot uses (`Person.pseudonym`, `joinedcare.pseudonym`), with
practice codes, dates and the fields the definitions read: never a name or an NHS number.
The engine (no Django) then computes them beside the snapshot's tables, exactly as it computes
the analytics metrics.

Demographic dimensions (practice, team, locality, deprivation, age band, sex, ethnic group)
come from the snapshot's people: a record counts in a month when its person is in the
snapshot's population that month (registered on its first day). Without a snapshot the
operations metrics are not computed: one population definition serves every metric, and the
web app holds no registration history of its own.

Dates: a moment (received_at, medically_fit_at, ...) becomes its Europe/London calendar date
(`*_on` columns), so a referral at 00:30 BST on 1 June is June's; minutes between two moments
are computed from the UTC timestamps (`*_at` columns), so a clock change does not add an hour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import ibis
import pyarrow as pa
from django.db.models import Min
from django.utils import timezone

from joinedcare.analytics.metrics import catalogue, engine
from joinedcare.analytics.store import Store
from joinedcare.careplans.models import CarePlan, CarePlanAction, CarePlanVersion
from joinedcare.caselists.models import CaseListEntry, PublishedRun
from joinedcare.discharge.models import DischargeCase
from joinedcare.referrals import clock
from joinedcare.referrals.models import Referral
from joinedcare.services.models import Episode, ServiceDay

NO_SNAPSHOT = (
    "no analytics snapshot: operations metrics take their people (practice, age, deprivation) "
    "from the current snapshot's population"
)

_DATE, _TEXT, _BOOL, _INT = pa.date32(), pa.string(), pa.bool_(), pa.int64()
_MOMENT = pa.timestamp("us", tz="UTC")
SCHEMAS = {
    "referrals": pa.schema([
        ("pseudonym", _TEXT), ("practice_code", _TEXT), ("spa_kind", _TEXT),
        ("received_at", _MOMENT), ("received_on", _DATE), ("triaged_at", _MOMENT),
        ("triaged_on", _DATE), ("first_service_on", _DATE),
    ]),
    "episodes": pa.schema([
        ("pseudonym", _TEXT), ("practice_code", _TEXT), ("service_kind", _TEXT),
        ("start", _DATE), ("planned_end", _DATE), ("ended_on", _DATE), ("outcome", _TEXT),
        ("extended", _BOOL), ("follow_up", _BOOL), ("follow_up_due", _DATE),
        ("follow_up_passed", _BOOL), ("still_at_home", _BOOL), ("date_of_death", _DATE),
    ]),
    "service_days": pa.schema([
        ("service", _TEXT), ("service_kind", _TEXT), ("day", _DATE), ("capacity", _INT),
        ("filled", _INT),
    ]),
    "d2a_cases": pa.schema([
        ("pseudonym", _TEXT), ("practice_code", _TEXT), ("hospital_code", _TEXT),
        ("fit_on", _DATE), ("assessed_on", _DATE), ("left_on", _DATE),
    ]),
    "care_plans": pa.schema([
        ("pseudonym", _TEXT), ("practice_code", _TEXT), ("started_on", _DATE),
        ("ended_on", _DATE),
    ]),
    "care_plan_reviews": pa.schema([
        ("pseudonym", _TEXT), ("practice_code", _TEXT), ("version", _INT),
        ("review_date", _DATE), ("reviewed_on", _DATE),
    ]),
    "care_plan_actions": pa.schema([
        ("pseudonym", _TEXT), ("practice_code", _TEXT), ("created_on", _DATE), ("due", _DATE),
        ("status", _TEXT), ("completed_on", _DATE),
    ]),
    "case_list": pa.schema([
        ("pseudonym", _TEXT), ("practice_code", _TEXT), ("run_id", _TEXT),
        ("index_date", _DATE),
    ]),
}  # fmt: skip


def _on(moment: datetime | None) -> date | None:
    """A moment's calendar date in Europe/London."""
    return None if moment is None else timezone.localtime(moment).date()


def _table(name: str, rows: Iterable[tuple]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) or [()] * len(SCHEMAS[name])
    schema = SCHEMAS[name]
    return pa.table([pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema)


_PERSON = ("person__pseudonym", "person__practice__organisation__code")
_PLAN_PERSON = tuple(f"plan__{f}" for f in _PERSON)


def referrals() -> pa.Table:
    """Every referral: when received and triaged, and when its first service started."""
    rows = Referral.objects.annotate(first_service_on=Min("episodes__start")).values_list(
        *_PERSON, "spa__kind", "received_at", "triaged_at", "first_service_on"
    )
    return _table(
        "referrals",
        ((p, pr, k, rec, _on(rec), tri, _on(tri), first) for p, pr, k, rec, tri, first in rows),
    )


def episodes(as_of: date) -> pa.Table:
    """Every episode that ran (a cancelled one never did): service, dates, outcome and the
    91-day follow-up (passed by `as_of`?)."""
    rows = Episode.objects.exclude(outcome=Episode.Outcome.CANCELLED).values_list(
        *_PERSON,
        "service__kind",
        "start",
        "planned_end",
        "ended_on",
        "outcome",
        "extended",
        "follow_up_due",
        "still_at_home",
        "person__date_of_death",
    )
    return _table(
        "episodes",
        (
            (*r, due is not None, due, due is not None and due <= as_of, home, died)
            for *r, due, home, died in rows
        ),
    )


def service_days() -> pa.Table:
    """Each service's published capacity and the places episodes hold, per day."""
    rows = ServiceDay.objects.values_list(
        "service__name", "service__kind", "day", "capacity", "filled"
    )
    return _table("service_days", rows)


def d2a_cases() -> pa.Table:
    """Discharge to Assess cases: medically fit, assessed at home, services started (the day
    the person is taken to have left hospital), as Europe/London dates."""
    rows = DischargeCase.objects.values_list(
        *_PERSON, "hospital__code", "medically_fit_at", "assessed_at", "services_started_at"
    )
    return _table(
        "d2a_cases",
        ((p, pr, h, _on(fit), _on(seen), _on(left)) for p, pr, h, fit, seen, left in rows),
    )


def care_plans() -> pa.Table:
    rows = CarePlan.objects.values_list(*_PERSON, "started_at", "ended_at")
    return _table("care_plans", ((p, pr, _on(s), _on(e)) for p, pr, s, e in rows))


def care_plan_reviews() -> pa.Table:
    """Each version's review date and when it was reviewed (the next version agreed); a plan
    ended before a review date has no review due then."""
    versions = CarePlanVersion.objects.values_list(
        "plan_id", "number", "review_date", "agreed_at", "plan__ended_at", *_PLAN_PERSON
    )
    agreed = {(plan, number): _on(at) for plan, number, _, at, *_ in versions}
    rows = []
    for plan, number, review_date, _, ended_at, pseudonym, practice in versions:
        ended = _on(ended_at)
        if ended is not None and ended < review_date:
            continue
        rows.append((pseudonym, practice, number, review_date, agreed.get((plan, number + 1))))
    return _table("care_plan_reviews", rows)


def care_plan_actions() -> pa.Table:
    rows = CarePlanAction.objects.values_list(
        *_PLAN_PERSON,
        "created_at",
        "due",
        "status",
        "completed_at",
    )
    return _table(
        "care_plan_actions",
        ((p, pr, _on(c), due, st, _on(done)) for p, pr, c, due, st, done in rows),
    )


def case_list() -> pa.Table:
    """The latest published run's case lists (already by pseudonym)."""
    run = PublishedRun.objects.order_by("-published_at", "-id").first()
    if run is None:
        return _table("case_list", [])
    rows = CaseListEntry.objects.filter(run=run).values_list(
        "pseudonym", "practice__organisation__code"
    )
    return _table("case_list", ((p, pr, run.run_id, run.index_date) for p, pr in rows))


def export(as_of: date | None = None) -> dict[str, pa.Table]:
    """Every table of `catalogue.OPERATIONS_TABLES`, as the web app holds them now."""
    as_of = as_of or clock.today()
    return {
        "referrals": referrals(),
        "episodes": episodes(as_of),
        "service_days": service_days(),
        "d2a_cases": d2a_cases(),
        "care_plans": care_plans(),
        "care_plan_reviews": care_plan_reviews(),
        "care_plan_actions": care_plan_actions(),
        "case_list": case_list(),
    }


def tables(as_of: date | None = None) -> dict[str, ibis.Table]:
    """The exported tables as Ibis memtables, to pass to `engine.compute_all` beside a
    snapshot's tables (DuckDB joins them in memory)."""
    return {name: ibis.memtable(table) for name, table in export(as_of).items()}


def months_before(months: Sequence[date], as_of: date) -> list[date]:
    """The months that ended before `as_of`: a month still going would look like a fall."""
    return [m for m in months if engine.next_month(m) <= as_of]


def compute(
    analytics_dir: Path | str, months: Sequence[date] | None = None, *, as_of: date | None = None
) -> dict[str, engine.Result]:
    """Every operations metric, computed by the engine from the web app's records and the
    current snapshot's population; skipped with a reason when there is no snapshot.

    `months` defaults to the snapshot's complete months that ended before `as_of` (today).
    """
    metrics = [m for m in catalogue.load_all() if m.source == "operations"]
    snapshot = Store(analytics_dir).current()
    if snapshot is None:
        return {m.slug: engine.Result(m, engine.SKIPPED, NO_SNAPSHOT) for m in metrics}
    as_of = as_of or clock.today()
    snapshot_tables = engine.read_snapshot(snapshot.path)
    if months is None:
        months = months_before(engine.snapshot_months(snapshot_tables), as_of)
    return engine.compute_all({**snapshot_tables, **tables(as_of)}, months=months, metrics=metrics)
