"""ASCOF 2B(1) and 2B(2) on small hand-built tables: which discharges count as into reablement,
and who is at home 91 days later.

Every person here is discharged from hospital on DISCHARGE (October, so in the October to
December months the measures count) unless a test says otherwise. Reablement comes from the
council's social care records or from the Single Point of Access's episodes (the web app's
table, as joinedcare/outcomes/operations.py exports it).
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import pyarrow as pa
import pytest

from joinedcare.analytics.metrics import catalogue, engine

from .conftest import write_snapshot

AT_HOME = "ascof_2b1_at_home_91_days"
OFFERED = "ascof_2b2_offered_reablement"
OCTOBER = date(2025, 10, 1)
DISCHARGE = date(2025, 10, 10)
DAY_91 = DISCHARGE + timedelta(days=91)
OLDER = date(1950, 5, 5)  # 75 in October 2025
# The columns of the web app's episodes export (joinedcare/outcomes/operations.py).
EPISODES = pa.schema([
    ("pseudonym", pa.string()), ("practice_code", pa.string()), ("service_kind", pa.string()),
    ("start", pa.date32()), ("planned_end", pa.date32()), ("ended_on", pa.date32()),
    ("outcome", pa.string()), ("extended", pa.bool_()), ("follow_up", pa.bool_()),
    ("follow_up_due", pa.date32()), ("follow_up_passed", pa.bool_()),
    ("still_at_home", pa.bool_()), ("date_of_death", pa.date32()),
])  # fmt: skip


def reablement(who: str, days_after: int, end: date | None = None) -> dict:
    """A social care reablement starting `days_after` days after the discharge."""
    start = DISCHARGE + timedelta(days=days_after)
    return {"pseudonym": who, "service": "reablement", "start_date": start, "end_date": end}


def episode(who: str, days_after: int = 1, *, at_home: bool | None = True) -> dict:
    """An SPA reablement episode from a hospital referral, with its 91-day follow-up."""
    start = DISCHARGE + timedelta(days=days_after)
    due = start + timedelta(days=91)
    return {
        "pseudonym": who, "practice_code": "P1", "service_kind": "reablement", "start": start,
        "planned_end": start + timedelta(days=42), "ended_on": start + timedelta(days=30),
        "outcome": "home_no_support", "extended": False, "follow_up": True,
        "follow_up_due": due, "follow_up_passed": True, "still_at_home": at_home,
    }  # fmt: skip


def stay(who: str, start: date, end: date | None, ident: str, **extra) -> dict:
    return {
        "pseudonym": who, "encounter_id": ident, "setting": "inpatient",
        "admission_method": "emergency", "start_date": start, "end_date": end,
        "discharge_destination": "usual_residence" if end else None, **extra,
    }  # fmt: skip


def figures(
    tmp_path,
    people: dict[str, dict],
    *,
    social_care=(),
    episodes=(),
    encounters=(),
    data_end: date = date(2026, 3, 31),
) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of each measure for the place in October 2025.

    `people` maps a pseudonym to what differs from a 75-year-old discharged home on
    DISCHARGE (`born`, `died`, `discharged`: None for no discharge). The hospital data runs
    to `data_end` (an A&E attendance that day).
    """
    rows = {
        "practices": [{"practice_code": "P1", "team_code": "T1", "locality_code": "L1"}],
        "people": [],
        "encounters": [*encounters],
        "social_care": [*social_care],
    }
    for who, extra in people.items():
        rows["people"].append({
            "pseudonym": who, "date_of_birth": extra.get("born", OLDER), "sex": "female",
            "practice_code": "P1", "registered_from": date(2000, 1, 1),
            "date_of_death": extra.get("died"),
        })  # fmt: skip
        discharged = extra.get("discharged", DISCHARGE)
        if discharged:
            rows["encounters"].append(
                stay(who, discharged - timedelta(days=5), discharged, f"d-{who}")
            )
    first = next(iter(people))
    rows["encounters"].append({
        "pseudonym": first, "encounter_id": "last", "setting": "ae",
        "start_date": data_end, "end_date": data_end,
    })  # fmt: skip
    tables = engine.read_snapshot(write_snapshot(tmp_path / "snapshot", rows))
    records = [{c: e.get(c) for c in EPISODES.names} for e in episodes]
    tables["episodes"] = ibis.memtable(pa.Table.from_pylist(records, schema=EPISODES))
    metrics = [catalogue.get(AT_HOME), catalogue.get(OFFERED)]
    results = engine.compute_all(tables, months=[OCTOBER], metrics=metrics)
    out = {}
    for slug, result in results.items():
        assert result.status == engine.COMPUTED, result.reason
        place = result.by_unit(["place"])
        out[slug] = (int(place.numerator.sum()), int(place.denominator.sum()))
    return out


def test_reablement_from_social_care_within_7_days_of_discharge_counts(tmp_path):
    people = {"same_day": {}, "day_7": {}, "day_8": {}, "before": {}, "none": {}}
    social_care = [
        reablement("same_day", 0),
        reablement("day_7", 7),
        reablement("day_8", 8),  # too late: not a discharge into reablement
        reablement("before", -1),  # started before the discharge (during the stay)
    ]
    got = figures(tmp_path, people, social_care=social_care)
    assert got[OFFERED] == (2, 5)
    assert got[AT_HOME] == (2, 2)


def test_other_social_care_services_after_discharge_do_not_count(tmp_path):
    care = [{**reablement("home_care", 1), "service": "home_care"}]
    got = figures(tmp_path, {"home_care": {}, "reabled": {}}, social_care=[
        *care, reablement("reabled", 1)
    ])  # fmt: skip
    assert got[OFFERED] == (1, 2)


def test_a_discharge_with_spa_episode_and_social_care_reablement_counts_once(tmp_path):
    people = {"both": {}, "council_only": {}, "spa_only": {}, "neither": {}}
    got = figures(
        tmp_path,
        people,
        social_care=[reablement("both", 1), reablement("council_only", 2)],
        episodes=[episode("both", 1), episode("spa_only", 3)],
    )
    assert got[OFFERED] == (3, 4)
    assert got[AT_HOME] == (3, 3)


def test_at_home_on_day_91_and_not_in_a_care_home_dead_or_in_hospital(tmp_path):
    people = {
        "home": {},
        "home_after_a_stay": {},  # readmitted, but home again by day 91
        "care_home": {},
        "died_day_91": {"died": DAY_91},
        "died_after": {"died": DAY_91 + timedelta(days=1)},
        "ward": {},
        "spa_says_not_home": {},
    }
    encounters = [
        stay("home_after_a_stay", DAY_91 - timedelta(days=10), DAY_91, "back"),
        stay("ward", DAY_91 - timedelta(days=2), None, "in"),
    ]
    social_care = [reablement(who, 1, DISCHARGE + timedelta(days=30)) for who in people]
    social_care.append({
        "pseudonym": "care_home", "service": "nursing_care",
        "start_date": DISCHARGE + timedelta(days=50), "end_date": None,
    })  # fmt: skip
    got = figures(
        tmp_path,
        people,
        social_care=social_care,
        encounters=encounters,
        episodes=[episode("spa_says_not_home", 1, at_home=False)],
    )
    assert got[AT_HOME] == (3, 7)  # home, home_after_a_stay, died_after


def test_day_91_must_be_in_the_hospital_data(tmp_path):
    """Until the hospital data runs to day 91, nobody can be known to be out of hospital."""
    people = {"a": {}, "b": {}}
    social_care = [reablement("a", 1), reablement("b", 1)]
    got = figures(tmp_path, people, social_care=social_care, data_end=DAY_91 - timedelta(days=1))
    assert got[AT_HOME] == (0, 0)
    assert got[OFFERED] == (2, 2)  # 2B(2) needs no follow-up


def test_people_under_65_are_not_counted(tmp_path):
    people = {"older": {}, "younger": {"born": date(1970, 1, 1)}}
    got = figures(
        tmp_path,
        people,
        social_care=[reablement("older", 1), reablement("younger", 1)],
        episodes=[episode("younger", 2)],
    )
    assert got[OFFERED] == (1, 1)
    assert got[AT_HOME] == (1, 1)


def test_discharges_dead_or_outside_october_to_december_are_not_counted(tmp_path):
    people = {"autumn": {}, "summer": {"discharged": date(2025, 7, 10)}}
    died = stay("died", DISCHARGE - timedelta(days=3), DISCHARGE, "died-stay")
    died["discharge_destination"] = "died"
    got = figures(
        tmp_path,
        {**people, "died": {"discharged": None, "died": DISCHARGE}},
        social_care=[reablement("autumn", 1), reablement("died", 1)],
        encounters=[died],
    )
    assert got[OFFERED] == (1, 1)


@pytest.mark.parametrize("slug", [AT_HOME, OFFERED])
def test_definitions_say_where_reablement_comes_from_and_the_window(slug):
    metric = catalogue.get(slug)
    assert catalogue.tables_needed(metric) == {"encounters", "social_care", "episodes"}
    assert "7 days" in metric.numerator + metric.denominator
    assert "counts once" in metric.notes
