"""Generative test: DuckDB and Spark give identical features on random small populations,
and on a small Demo County."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from joinedcare.analytics import engines
from joinedcare.analytics import features as F
from joinedcare.analytics.stratify import collect
from tests.analytics.conftest import write_snapshot

INDEX = date(2025, 4, 1)
DAY0 = date(2023, 1, 1)
SETTINGS = ["gp", "ae", "inpatient", "outpatient", "community"]
METHODS = ["emergency", "elective", "other", None]
SERVICES = ["home_care", "reablement", "residential_care", "nursing_care", "telecare"]
CODES = [c.codes[0] for c in F.conditions()] + ["999999"]

days = st.integers(0, 1000).map(lambda n: DAY0 + timedelta(days=n))
pid = st.sampled_from([f"p{i}" for i in range(6)])


@st.composite
def populations(draw) -> dict[str, list[dict]]:
    people = [
        {
            "pseudonym": f"p{i}",
            "date_of_birth": date(1930 + draw(st.integers(0, 90)), 1 + i, 1),
            "sex": draw(st.sampled_from(["female", "male", "other", "unknown"])),
            "practice_code": draw(st.sampled_from(["P1", "P2"])),
            "registered_from": draw(days) if draw(st.booleans()) else date(2000, 1, 1),
            "date_of_death": draw(st.one_of(st.none(), days)),
            "imd_decile": draw(st.one_of(st.none(), st.integers(1, 10))),
            "ethnic_category": "A",
        }
        for i in range(6)
    ]
    encounters = []
    for j in range(draw(st.integers(0, 30))):
        start = draw(days)
        encounters.append(
            {
                "pseudonym": draw(pid),
                "encounter_id": f"E{j}",
                "setting": draw(st.sampled_from(SETTINGS)),
                "admission_method": draw(st.sampled_from(METHODS)),
                "start_date": start,
                "end_date": draw(
                    st.one_of(st.none(), st.just(start + timedelta(draw(st.integers(0, 40)))))
                ),
            }
        )
    conditions = [
        {
            "pseudonym": draw(pid),
            "code_system": draw(st.sampled_from(["snomed", "icd10"])),
            "code": draw(st.sampled_from(CODES)),
            "recorded_on": draw(days),
            "source": "gp",
        }
        for _ in range(draw(st.integers(0, 15)))
    ]
    medications = [
        {
            "pseudonym": draw(pid),
            "code_system": "bnf",
            "code": draw(st.sampled_from("ABCD")),
            "issued_on": draw(days),
        }
        for _ in range(draw(st.integers(0, 10)))
    ]
    social_care = [
        {
            "pseudonym": draw(pid),
            "service": draw(st.sampled_from(SERVICES)),
            "start_date": (s := draw(days)),
            "end_date": draw(
                st.one_of(st.none(), st.just(s + timedelta(draw(st.integers(0, 400)))))
            ),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]
    practices = [
        {
            "practice_code": p,
            "practice_name": p,
            "team_code": f"T{p}",
            "locality_code": "L",
            "postcode": "X",
        }
        for p in ("P1", "P2")
    ]
    return {
        "people": people,
        "practices": practices,
        "encounters": encounters,
        "conditions": conditions,
        "medications": medications,
        "social_care": social_care,
    }


def features_on(engine: str, snapshot, day: date = INDEX, scores=None) -> pd.DataFrame:
    con = engines.connect(engine)
    return collect(F.features(engines.tables(con, snapshot), day, scores=scores))


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


# Few examples and no shrinking: each Spark round trip takes about a second.
@settings(
    max_examples=5,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=populations())
def test_duckdb_and_spark_agree_on_random_populations(rows, spark, tmp_path_factory):
    snap = write_snapshot(tmp_path_factory.mktemp("h"), rows)
    assert_same(features_on("duckdb", snap), features_on("spark", snap))


def test_duckdb_and_spark_agree_on_demo_county(demo_county, spark):
    day = date(2025, 4, 1)
    # With the published scores (eFI, HFRS, Charlson, LACE) joined, as a run uses them.
    scores = F.published_scores
    duck = features_on("duckdb", demo_county, day, scores)
    sp = features_on("spark", demo_county, day, scores)
    assert len(duck) > 10_000
    assert_same(duck, sp)
    con = engines.connect("spark")
    y_spark = collect(F.outcome(engines.tables(con, demo_county), day))
    y_duck = collect(F.outcome(engines.tables(engines.connect("duckdb"), demo_county), day))
    assert_same(y_duck, y_spark)
