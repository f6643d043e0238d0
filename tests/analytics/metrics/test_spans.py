"""The engine counts the population from each person's range of months (`engine.spans`), not
from the person x month product. These tests check both give the same cells: the plain
product (`person_months`, the definition) against the engine's `side`, on seeded and on
generated people, for every age filter and for months that are not consecutive."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedcare.analytics.metrics import engine

from .conftest import MONTHS, PRACTICES, person_months, random_rows, write_snapshot

CELLS = list(engine.CELL_COLUMNS)
AGES = [(None, None), (65, None), (18, None), (None, 17), (18, 64), (75, None)]
SPECS = {
    "population": {"population": True},
    "a&e": {"events": "encounters", "date": "start_date", "where": {"setting": "ae"}},
    "bed days": {
        "events": "encounters",
        "date": "end_date",
        "where": {"setting": "inpatient"},
        "amount": "length_of_stay",
    },
}
# Every other month, and a year with a gap: people's ranges cross months that are not asked for.
HIERARCHY = [
    dict(zip(["practice_code", "practice_name", "team_code", "locality_code"], p, strict=True))
    for p in PRACTICES
]
GAPPY = [*MONTHS[::2], date(2024, 3, 1), date(2025, 2, 1)]


def plain(tables, spec, months, age_min, age_max) -> pd.DataFrame:
    """The cells from the person x month product: count its rows, or join the events to it."""
    pop = person_months(tables, months, age_min=age_min, age_max=age_max)
    if spec.get("population"):
        sums = pop.group_by(CELLS).aggregate(total=pop.count())
    else:
        joined = engine.events(tables, spec).join(pop, ["pseudonym", "month"])
        sums = joined.group_by(CELLS).aggregate(total=joined.amount.sum())
    return _tidy(sums.execute())


def ranged(tables, spec, months, age_min, age_max) -> pd.DataFrame:
    """The cells as the engine counts them, from each person's range of months."""
    spans = engine.spans(tables, months, age_min=age_min, age_max=age_max)
    return _tidy(engine.side(tables, spec, spans, months).execute())


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(month=pd.to_datetime(frame["month"]), total=frame["total"].astype("int64"))
    return frame.sort_values(CELLS, ignore_index=True)[[*CELLS, "total"]]


def awkward_people() -> list[dict]:
    """People on every edge the ranges must get right, around the months of 2023."""
    base = {"sex": "female", "practice_code": "P1", "imd_decile": 3, "ethnic_category": "A",
            "registered_from": date(2000, 1, 1), "registered_to": None,
            "date_of_death": None}  # fmt: skip
    born = {
        "18 on 1 Mar 2023": date(2005, 3, 1),
        "born 29 Feb": date(2004, 2, 29),
        "65 on 1 Jun 2023": date(1958, 6, 1),
        "65 on 2 Jun 2023": date(1958, 6, 2),
        "75 on 31 Dec 2023": date(1948, 12, 31),
        "18 on 1 Jan 2023": date(2005, 1, 1),
        "born 1 Jul 2023 (after the months)": date(2023, 7, 1),
        "born 15 Mar 2023": date(2023, 3, 15),
    }
    people = [{**base, "pseudonym": name, "date_of_birth": dob} for name, dob in born.items()]
    dob = date(1950, 5, 20)
    people += [
        {**base, "pseudonym": "registered 1 Mar", "date_of_birth": dob,
         "registered_from": date(2023, 3, 1)},
        {**base, "pseudonym": "left 1 Apr", "date_of_birth": dob,
         "registered_to": date(2023, 4, 1)},
        {**base, "pseudonym": "died 31 May", "date_of_birth": dob,
         "date_of_death": date(2023, 5, 31)},
        {**base, "pseudonym": "left before joining", "date_of_birth": dob,
         "registered_from": date(2023, 6, 2), "registered_to": date(2023, 5, 1)},
        {**base, "pseudonym": "no registration date", "date_of_birth": dob,
         "registered_from": None},
        {**base, "pseudonym": "no birth date", "date_of_birth": None},
        {**base, "pseudonym": "unknown practice", "date_of_birth": dob, "practice_code": "P9"},
    ]  # fmt: skip
    return people


def _snapshot(tmp_path, rows):
    return engine.read_snapshot(write_snapshot(tmp_path, rows))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    rows = random_rows(7)
    rows["people"] += awkward_people()
    for i, p in enumerate(awkward_people()):
        rows["encounters"].append(
            {
                "pseudonym": p["pseudonym"],
                "encounter_id": f"w{i}",
                "setting": "ae",
                "start_date": date(2023, 1 + i % 12, 1),
            }
        )
    return _snapshot(tmp_path_factory.mktemp("spans"), rows)


@pytest.mark.parametrize("months", [MONTHS, GAPPY], ids=["2023", "gaps"])
@pytest.mark.parametrize("ages", AGES, ids=[f"{a}-{b}" for a, b in AGES])
@pytest.mark.parametrize("side", sorted(SPECS))
def test_ranges_count_what_the_person_month_product_counts(seeded, side, ages, months):
    want = plain(seeded, SPECS[side], months, *ages)
    assert want.total.sum() > 0, "the seeded people must exercise this side"

    pd.testing.assert_frame_equal(ranged(seeded, SPECS[side], months, *ages), want)


def test_awkward_people_counted_by_hand(tmp_path):
    """A few of the edges worked by hand: who is in January, March and July 2023, aged 65+."""
    tables = _snapshot(tmp_path, {"people": awkward_people(), "practices": HIERARCHY})
    months = [date(2023, 1, 1), date(2023, 3, 1), date(2023, 7, 1)]
    cells = ranged(tables, SPECS["population"], months, 65, None)

    by_month = {m.strftime("%b"): n for m, n in cells.groupby("month").total.sum().items()}
    # January: "75 on 31 Dec 2023" (74) and three born 20 May 1950 (72): "left 1 Apr",
    # "died 31 May", "unknown practice"; not "registered 1 Mar", nor those never registered
    # or without a date; "65 on 1 Jun 2023" is 64.
    assert by_month["Jan"] == 4
    # March adds "registered 1 Mar": registered on the month's first day counts.
    assert by_month["Mar"] == 5
    # July: "left 1 Apr" and "died 31 May" have gone; "65 on 1 Jun 2023" and "65 on 2 Jun 2023"
    # (65 on 1 July) have come in.
    assert by_month["Jul"] == 5
    assert set(cells.age_band) == {"65-74"}
    assert "P9" in set(cells.practice_code)  # a practice missing from the hierarchy still counts


DAYS = st.dates(date(1920, 1, 1), date(2024, 12, 31))


@st.composite
def person(draw) -> dict:
    return {
        "pseudonym": f"h{draw(st.integers(0, 10**9))}",
        "date_of_birth": draw(DAYS),
        "sex": draw(st.sampled_from(["female", "male", None])),
        "practice_code": draw(st.sampled_from([p[0] for p in PRACTICES])),
        "registered_from": draw(st.one_of(st.none(), DAYS)),
        "registered_to": draw(st.one_of(st.none(), DAYS)),
        "imd_decile": draw(st.one_of(st.none(), st.integers(1, 10))),
        "ethnic_category": draw(st.one_of(st.none(), st.sampled_from(list("ADHMRZ")))),
        "date_of_death": draw(st.one_of(st.none(), DAYS)),
    }


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(person(), min_size=1, max_size=12),
    months=st.lists(st.dates(date(2018, 1, 1), date(2024, 12, 1)), min_size=1, max_size=8),
    ages=st.sampled_from(AGES),
)
def test_ranges_equal_the_product_on_generated_people(tmp_path, people, months, ages):
    months = sorted({m.replace(day=1) for m in months})
    tables = _snapshot(tmp_path, {"people": people, "practices": HIERARCHY})
    spec = SPECS["population"]

    pd.testing.assert_frame_equal(
        ranged(tables, spec, months, *ages), plain(tables, spec, months, *ages)
    )
