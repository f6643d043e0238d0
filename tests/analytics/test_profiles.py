"""Locality profiles: the cohort-component projection, by hand and against plain pandas."""

from datetime import date

import pandas as pd
import pytest

from joinedcare.analytics import profiles
from joinedcare.analytics.suppression import SUPPRESSED_TEXT, suppress
from tests.analytics.metrics.conftest import random_rows, write_snapshot

AS_OF = date(2024, 1, 31)
BANDS = ["0-17", "18-64", "65-74", "75+"]
PRACTICES = pd.DataFrame(
    {"practice_code": ["P1", "P2"], "team_code": ["T1", "T2"], "locality_code": ["L1", "L2"]}
)


def _person(i, dob, lsoa="E01", practice="P1", **kw):
    return {
        "pseudonym": f"p{i}",
        "date_of_birth": pd.Timestamp(dob),
        "practice_code": practice,
        "registered_from": pd.Timestamp(kw.get("registered_from", dob)),
        "registered_to": pd.Timestamp(kw["registered_to"]) if "registered_to" in kw else pd.NaT,
        "date_of_death": pd.Timestamp(kw["date_of_death"]) if "date_of_death" in kw else pd.NaT,
        "lsoa": lsoa,
        "imd_decile": kw.get("imd_decile", 3),
    }


def _tiny() -> dict[str, pd.DataFrame]:
    people = pd.DataFrame(
        [
            _person(0, "2010-06-01"),  # 13 now, 18 in 5 years
            _person(1, "2024-02-01"),  # born after the reference date: not counted
            _person(2, "1960-01-31"),  # 64 today (birthday on the reference date)
            _person(3, "1950-03-01"),  # 73 now, 78 in 5 years
            _person(4, "1930-01-01", lsoa=None),  # 94, LSOA not recorded
            _person(5, "1980-01-01", date_of_death="2023-12-01"),  # dead: not counted
            _person(6, "1980-01-01", registered_to="2023-06-30"),  # left: not counted
            _person(7, "1980-01-01", practice="P2"),  # another locality
        ]
    )
    conditions = pd.DataFrame(
        {
            "pseudonym": ["p2", "p3", "p3", "p0"],
            "code_system": ["snomed", "snomed", "snomed", "icd10"],
            "code": ["44054006", "38341003", "13645005", "E11"],
            "recorded_on": pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01", "2020-01-01"]),
        }
    )
    encounters = pd.DataFrame(
        {
            "pseudonym": ["p3", "p3", "p3", "p2", "p4"],
            "setting": ["ae", "ae", "inpatient", "inpatient", "ae"],
            "admission_method": [None, None, "emergency", "elective", None],
            "start_date": pd.to_datetime(
                ["2023-02-01", "2023-01-31", "2023-06-01", "2023-06-01", "2024-01-31"]
            ),
        }
    )
    return {
        "people": people,
        "practices": PRACTICES,
        "conditions": conditions,
        "encounters": encounters,
    }


def test_mortality_covers_every_age_once():
    for age in range(0, 130):
        assert sum(lo <= age <= hi for lo, hi, _ in profiles.MORTALITY) == 1, age
    assert profiles.annual_death_rate(70) == 0.015


def test_tiny_population_now():
    raw = profiles.profile(_tiny(), "L1", AS_OF).set_index("lsoa")
    assert raw.loc["E01", [f"{b}_0" for b in BANDS]].tolist() == [1, 1, 1, 0]
    assert raw.loc[profiles.NOT_RECORDED, [f"{b}_0" for b in BANDS]].tolist() == [0, 0, 0, 1]
    assert raw.loc["E01", "population"] == 3
    assert raw.loc["E01", "ltc"] == 2  # p2 and p3; p0's code is not SNOMED
    # 12 months to 31 Jan 2024: 1 Feb 2023 counts, 31 Jan 2023 does not.
    assert raw.loc["E01", "ae_12m"] == 1
    assert raw.loc["E01", "emergency_12m"] == 1
    assert raw.loc[profiles.NOT_RECORDED, "ae_12m"] == 1  # on the reference date itself
    assert raw.loc["E01", "imd_decile"] == 3


def test_tiny_projection_ages_and_deaths_by_hand():
    raw = profiles.profile(_tiny(), "L1", AS_OF).set_index("lsoa")
    e01 = raw.loc["E01"]
    # p0, 13: survives 5 years at 0.01% a year, and is 18 by then.
    assert e01["0-17_5"] == 0
    assert e01["18-64_5"] == pytest.approx(0.9999**5 + 0)
    # p2, 64: one year at 0.4% (aged 64), then four at 1.5% (65-68): 65-74 in 5 years.
    assert e01["65-74_5"] == pytest.approx(0.996 * 0.985**4)
    # p3, 73: two years at 1.5% (73, 74), three at 4.5% (75-77): 75+ in 5 years.
    assert e01["75+_5"] == pytest.approx(0.985**2 * 0.955**3)
    # In 10 years p2 (74) is still 65-74; p3 (83) is 75+.
    assert e01["65-74_10"] == pytest.approx(0.996 * 0.985**9)
    assert e01["75+_10"] == pytest.approx(0.985**2 * 0.955**8)
    # p4, 94: 15% a year.
    assert raw.loc[profiles.NOT_RECORDED, "75+_10"] == pytest.approx(0.85**10)


def test_bands_add_up_to_expected_survivors():
    raw = profiles.profile(_tiny(), "L1", AS_OF)
    for h in profiles.HORIZONS:
        total = raw[[f"{b}_{h}" for b in BANDS]].to_numpy().sum()
        ages = profiles.population_now(_tiny(), "L1", AS_OF)["age"]
        expected = sum(_survival(a, h) for a in ages)
        assert total == pytest.approx(expected)
    assert raw[[f"{b}_0" for b in BANDS]].to_numpy().sum() == raw["population"].sum()


def _survival(age: int, years: int) -> float:
    p = 1.0
    for k in range(years):
        p *= 1 - profiles.annual_death_rate(age + k)
    return p


def _band(age: int) -> str:
    return "0-17" if age < 18 else "18-64" if age < 65 else "65-74" if age < 75 else "75+"


def test_oracle_on_seeded_snapshot(tmp_path):
    rows = random_rows(11)
    for i, person in enumerate(rows["people"]):
        person["lsoa"] = None if i % 7 == 0 else f"E0{i % 4}"
    tables = profiles.read_tables(write_snapshot(tmp_path / "snap", rows))
    as_of = profiles.reference_date(tables)
    raw = profiles.profile(tables, "L1", as_of)

    # A plain person-by-person recomputation.
    people = rows["people"]
    codes = {r["practice_code"] for r in rows["practices"] if r["locality_code"] == "L1"}
    records = []
    for p in people:
        dob = p["date_of_birth"]
        if p["practice_code"] not in codes or dob > as_of or p["registered_from"] > as_of:
            continue
        if p["registered_to"] and p["registered_to"] < as_of:
            continue
        if p["date_of_death"] and p["date_of_death"] < as_of:
            continue
        age = as_of.year - dob.year - ((as_of.month, as_of.day) < (dob.month, dob.day))
        lsoa = p["lsoa"] or profiles.NOT_RECORDED
        for h in profiles.HORIZONS:
            records.append((lsoa, f"{_band(age + h)}_{h}", _survival(age, h)))
    oracle = pd.DataFrame(records, columns=["lsoa", "column", "count"])
    oracle = oracle.pivot_table(index="lsoa", columns="column", values="count", aggfunc="sum")
    got = raw.set_index("lsoa")
    for column in oracle.columns:
        pd.testing.assert_series_equal(
            got[column], oracle[column].fillna(0.0), check_names=False, atol=1e-9
        )

    # Activity: events of the people counted, in the 12 months up to the reference date.
    start = date(as_of.year - 1, as_of.month, as_of.day)
    members = _members(people, codes, as_of)
    lsoa_of = {p: lsoa for lsoa, ps in members.items() for p in ps}
    kinds = {
        "ae_12m": lambda e: e["setting"] == "ae",
        "emergency_12m": lambda e: (
            e["setting"] == "inpatient" and e.get("admission_method") == "emergency"
        ),
    }
    for column, wanted in kinds.items():
        counts = pd.Series(
            [
                lsoa_of[e["pseudonym"]]
                for e in rows["encounters"]
                if wanted(e) and start < e["start_date"] <= as_of and e["pseudonym"] in lsoa_of
            ],
            dtype="object",
        ).value_counts()
        assert got[column].to_dict() == {k: int(counts.get(k, 0)) for k in got.index}
        assert got[column].sum() > 0
    assert got["population"].to_dict() == {k: len(v) for k, v in members.items()}


def _members(people: list[dict], codes: set[str], as_of: date) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in people:
        if p["practice_code"] not in codes or p["date_of_birth"] > as_of:
            continue
        if p["registered_from"] > as_of:
            continue
        if (p["registered_to"] and p["registered_to"] < as_of) or (
            p["date_of_death"] and p["date_of_death"] < as_of
        ):
            continue
        out.setdefault(p["lsoa"] or profiles.NOT_RECORDED, []).append(p["pseudonym"])
    return out


def test_shown_suppresses_every_figure():
    shown = profiles.shown(_tiny(), "L1", AS_OF)
    for row in [*shown.rows, shown.total]:
        assert set(row.band_cells) == {SUPPRESSED_TEXT}  # nobody above 7 anywhere
        for text in (row.population, row.ltc_percent, row.ae_12m, row.emergency_per_1000):
            assert text == SUPPRESSED_TEXT
    assert all(count == SUPPRESSED_TEXT for _, count, _ in shown.deprivation)


def test_shown_rounds_counts_and_rates_from_rounded_counts(tmp_path):
    tables = profiles.read_tables(write_snapshot(tmp_path / "snap", random_rows(3)))
    shown = profiles.shown(tables, "L1")
    raw = profiles.profile(tables, "L1", shown.as_of)
    total = raw["population"].sum()
    assert shown.total.population == suppress(total).text(0)
    assert int(shown.total.population.replace(",", "")) % 5 == 0
    assert shown.total.ae_per_1000 == suppress(raw["ae_12m"].sum(), total, per=1000).text(1)
    assert "no births" in profiles.METHOD_TEXT.lower()
    assert "illustrative" in profiles.METHOD_TEXT
