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
        "sex": kw.get("sex", "female"),
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


def _rates(q=0.0, fertility=0.0, net=None, female_births=0.5, **deaths) -> profiles.Rates:
    """Rates set by hand: death probability `q` everywhere unless a (band, sex) is given as
    `deaths` (keys like "d45_64_male"), babies per woman 15-44, net migrants per band."""
    observed = {}
    for lo, hi in profiles.RATE_BANDS:
        label = profiles.rate_band(lo)
        for sex in (*profiles.SEXES, profiles.PERSONS):
            key = f"d{lo}_{hi}_{sex}"
            observed[(label, sex)] = profiles.Observed(deaths.get(key, q) * 1000, 1000)
    moves_in = {band: max(n, 0) for band, n in (net or {}).items()}
    moves_out = {band: max(-n, 0) for band, n in (net or {}).items()}
    return profiles.Rates(
        year_start=date(2023, 1, 31),
        as_of=AS_OF,
        deaths=observed,
        fertility=profiles.Observed(fertility * 1000, 1000),
        female_births=female_births,
        registrations=moves_in,
        deregistrations=moves_out,
    )


def _cohorts(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["lsoa", "sex", "age", "count"])


def _at(projection: profiles.Projection, year: int) -> dict[tuple, float]:
    frame = projection.cohorts[year]
    frame = frame[frame["count"] != 0]
    return {(r.lsoa, r.sex, r.age): r.count for r in frame.itertuples()}


def test_project_without_deaths_births_or_migration_only_ages():
    cohorts = _cohorts(("E01", "female", 16, 10), ("E02", "male", 73, 4))

    projected = profiles.project(cohorts, 10, _rates())

    assert _at(projected, 5) == {("E01", "female", 21): 10, ("E02", "male", 78): 4}
    assert _at(projected, 10) == {("E01", "female", 26): 10, ("E02", "male", 83): 4}
    bands = profiles.banded(projected.cohorts[5], "lsoa")
    assert bands.loc["E01"].tolist() == [0, 10, 0, 0]  # 16 -> 21: 0-17 to 18-64
    assert bands.loc["E02"].tolist() == [0, 0, 0, 4]  # 73 -> 78: 65-74 to 75+


def test_project_deaths_at_the_rate_of_each_year_s_age_and_sex():
    # Men 45-64 die at 10% a year, men 65-74 at 20%; women never.
    rates = _rates(d45_64_male=0.1, d65_74_male=0.2)
    cohorts = _cohorts(("E01", "male", 63, 100), ("E01", "female", 63, 100))

    projected = profiles.project(cohorts, 3, rates)

    # Aged 63 then 64 at 10%, then 65 at 20%: 100 x 0.9 x 0.9 x 0.8.
    assert _at(projected, 1)[("E01", "male", 64)] == pytest.approx(90)
    assert _at(projected, 3)[("E01", "male", 66)] == pytest.approx(64.8)
    assert _at(projected, 3)[("E01", "female", 66)] == 100
    assert projected.changes["deaths"].tolist() == pytest.approx([10, 9, 16.2])


def test_project_people_of_other_sexes_die_at_both_sexes_rate():
    rates = _rates(d45_64_female=0.0, d45_64_male=0.5, d45_64_persons=0.25)

    projected = profiles.project(_cohorts(("E01", "unknown", 50, 8)), 1, rates)

    assert _at(projected, 1) == {("E01", "unknown", 51): 6}


def test_project_births_add_age_0_in_the_mothers_lsoa():
    # 100 women aged 30 in E01 and 40 in E02, 5 babies a year per 100 women, 60% girls;
    # men and older women have none.
    cohorts = _cohorts(
        ("E01", "female", 30, 100), ("E02", "female", 44, 40), ("E02", "male", 30, 50),
        ("E02", "female", 45, 70),
    )  # fmt: skip

    projected = profiles.project(cohorts, 2, _rates(fertility=0.05, female_births=0.6))

    year1 = _at(projected, 1)
    assert year1[("E01", "female", 0)] == pytest.approx(3)
    assert year1[("E01", "male", 0)] == pytest.approx(2)
    assert year1[("E02", "female", 0)] == pytest.approx(1.2)
    assert year1[("E02", "male", 0)] == pytest.approx(0.8)
    # In year 2 E02's women are 45 and have no more babies; E01's are 31 and do; last
    # year's babies are now 1.
    year2 = _at(projected, 2)
    assert ("E02", "female", 0) not in year2
    assert year2[("E01", "female", 0)] == pytest.approx(3)
    assert year2[("E02", "female", 1)] == pytest.approx(1.2)
    assert projected.changes["births"].tolist() == pytest.approx([7, 5])


def test_project_net_migration_shared_over_the_band_s_people():
    # 18-64 gains 10 a year, shared 60:40 as its people are; 75+ loses 30 of its 20.
    cohorts = _cohorts(
        ("E01", "female", 40, 60), ("E02", "male", 50, 40), ("E02", "female", 80, 20),
    )  # fmt: skip

    projected = profiles.project(cohorts, 2, _rates(net={"18-64": 10, "75+": -30}))

    year1 = _at(projected, 1)
    assert year1[("E01", "female", 41)] == pytest.approx(66)
    assert year1[("E02", "male", 51)] == pytest.approx(44)
    assert ("E02", "female", 81) not in year1  # an outflow empties the band, no further
    assert projected.changes["net_migration"].tolist() == pytest.approx([10 - 20, 10])
    assert sum(_at(projected, 2).values()) == pytest.approx(120)


def test_project_arrivals_in_an_empty_band_follow_the_reference_date_s_people():
    # Nobody under 18 after a year (the one child turns 18); 4 children a year arrive,
    # modelled on that child at 17, then ageing like everyone.
    cohorts = _cohorts(("E01", "male", 17, 1), ("E01", "female", 30, 9))

    projected = profiles.project(cohorts, 2, _rates(net={"0-17": 4}))

    assert _at(projected, 1)[("E01", "male", 17)] == pytest.approx(4)
    # Year 2: last year's arrivals turn 18, leaving the band empty again for this year's.
    assert _at(projected, 2)[("E01", "male", 17)] == pytest.approx(4)
    assert _at(projected, 2)[("E01", "male", 18)] == pytest.approx(4)
    assert _at(projected, 2)[("E01", "male", 19)] == pytest.approx(1)


def test_project_every_year_balances():
    cohorts = _cohorts(
        ("E01", "female", 0, 12), ("E01", "female", 29, 50), ("E01", "male", 64, 30),
        ("E02", "female", 17, 8), ("E02", "male", 74, 20), ("E02", "other", 90, 5),
    )  # fmt: skip
    rates = _rates(
        q=0.02, fertility=0.06, net={"0-17": 3, "18-64": -4, "65-74": 2, "75+": -50},
        d85_200_persons=0.3,
    )  # fmt: skip

    changes = profiles.project(cohorts, 10, rates).changes

    assert changes["start"].iloc[0] == 125
    balance = changes["start"] + changes["births"] - changes["deaths"] + changes["net_migration"]
    assert balance.tolist() == pytest.approx(changes["end"].tolist())
    assert changes["start"].iloc[1:].tolist() == pytest.approx(changes["end"].iloc[:-1].tolist())
    assert (changes["births"] > 0).all() and (changes["deaths"] > 0).all()


def _year(people) -> dict[str, pd.DataFrame]:
    return {**_tiny(), "people": pd.DataFrame(people)}


def test_observed_rates_by_hand():
    # The year runs from 31 Jan 2023 to 31 Jan 2024.
    people = [
        _person(0, "1970-05-01", sex="male"),  # 52 at the start: 45-64, alive
        _person(1, "1970-05-01", sex="male", date_of_death="2023-08-01"),  # died in the year
        _person(2, "1970-05-01", sex="male", date_of_death="2024-01-31"),  # dies on the day
        _person(3, "1970-05-01", sex="male", date_of_death="2022-08-01"),  # died before
        _person(4, "1990-05-01"),  # a woman of 32: at risk of a birth
        _person(5, "2000-05-01"),  # a woman of 22
        _person(6, "2023-06-01", sex="male"),  # born in the year: a birth, not a move
        _person(7, "1985-01-01", registered_from="2023-03-01", sex="male"),  # moved in at 38
        _person(8, "1950-03-01", registered_from="2023-03-01"),  # moved in at 73
        _person(9, "1985-01-01", registered_to="2023-09-30", sex="male"),  # moved out at 38
        _person(10, "1950-03-01", registered_to="2023-09-30", date_of_death="2023-09-30"),
        _person(11, "1960-03-01", practice="P2", sex="male", date_of_death="2023-05-01"),
    ]
    tables = _year(people)

    rates = profiles.observed_rates(tables, "L1", AS_OF, min_at_risk=1)

    assert rates.year_start == date(2023, 1, 31)
    # Men 45-64 registered on 31 Jan 2023: p0, p1, p2; p1 died in the year (p2 on its last
    # day, when he still counts as registered; p11 is another locality's).
    assert rates.deaths[("45-64", "male")] == profiles.Observed(1, 3)
    assert rates.death_rate(50, "male") == pytest.approx(1 / 3)
    # p10 died the day she deregistered: a death, not a move. Women 65-74: p10 only.
    assert rates.deaths[("65-74", "female")] == profiles.Observed(1, 1)
    assert rates.deaths[("65-74", "persons")] == profiles.Observed(1, 1)
    # One baby (p6) over two women 15-44 (p4, p5).
    assert rates.fertility == profiles.Observed(1, 2)
    assert rates.female_births == 0  # the one baby of the place is a boy
    assert rates.registrations == {"0-17": 0, "18-64": 1, "65-74": 1, "75+": 0}
    assert rates.deregistrations == {"0-17": 0, "18-64": 1, "65-74": 0, "75+": 0}
    assert rates.net_migration == {"0-17": 0, "18-64": 0, "65-74": 1, "75+": 0}


def test_no_migration_is_assumed_from_an_extract_without_leavers():
    # An extract of current registrations only: arrivals but nobody leaving other than by
    # death. Counting the arrivals alone would grow the locality every year.
    people = [
        _person(0, "1985-01-01", registered_from="2023-03-01"),  # moved in
        _person(1, "1950-03-01", registered_from="2023-03-01"),  # moved in
        _person(2, "1950-03-01", registered_to="2023-09-30", date_of_death="2023-09-30"),
    ]

    rates = profiles.observed_rates(_year(people), "L1", AS_OF, min_at_risk=1)

    assert not rates.migration_measured
    assert rates.net_migration == dict.fromkeys(BANDS, 0)


def test_observed_rates_small_cells_use_the_whole_place():
    people = [
        _person(0, "1970-05-01", sex="male"),
        _person(1, "1970-05-01", sex="male"),
        _person(2, "1970-05-01", sex="male", practice="P2", date_of_death="2023-08-01"),
        _person(3, "1970-05-01", sex="male", practice="P2", date_of_death="2023-08-01"),
    ]

    local = profiles.observed_rates(_year(people), "L1", AS_OF, min_at_risk=2)
    pooled = profiles.observed_rates(_year(people), "L1", AS_OF, min_at_risk=3)

    assert local.deaths[("45-64", "male")] == profiles.Observed(0, 2)
    assert pooled.deaths[("45-64", "male")] == profiles.Observed(2, 4, pooled=True)
    assert pooled.death_rate(60, "male") == 0.5


def test_profile_projects_with_the_observed_rates():
    # The whole place is E01 in L1: 100 women of 30, 10 of whom had a baby in the year
    # (girls), 20 men of 50, 2 of whom died, and 5 men of 40 who moved away.
    people = [_person(i, "1993-01-01") for i in range(100)]
    people += [_person(100 + i, "2023-06-01") for i in range(10)]
    people += [_person(200 + i, "1973-01-01", sex="male") for i in range(18)]
    people += [
        _person(300 + i, "1973-01-01", sex="male", date_of_death="2023-07-01") for i in range(2)
    ]
    people += [
        _person(400 + i, "1983-01-01", sex="male", registered_to="2023-07-01") for i in range(5)
    ]
    tables = {**_year(people), "encounters": _tiny()["encounters"].iloc[:0]}

    raw = profiles.profile(tables, "L1", AS_OF).set_index("lsoa")

    now = raw.loc["E01", [f"{b}_0" for b in BANDS]].tolist()
    assert now == [10, 118, 0, 0]
    # Year 1: the babies turn 1; 10 new girls (0.1 x 100 women); the men lose 10% (2 of
    # 20) and the band 18-64 loses 5 movers, shared by its 118 people.
    projected, rates = profiles.projection(tables, "L1", AS_OF)
    assert rates.fertility.rate == pytest.approx(0.1) and rates.fertility.pooled
    assert rates.death_rate(51, "male") == pytest.approx(0.1)
    year1 = projected.changes.iloc[0]
    assert (year1["births"], year1["deaths"], year1["net_migration"]) == pytest.approx(
        (10, 1.8, -5)
    )
    assert year1["end"] == pytest.approx(128 + 10 - 1.8 - 5)
    # The 5 leavers come out of 18-64 in proportion: the women keep 1 - 5 / (100 + 16.2),
    # so year 2 has that many fewer babies. Children neither die (no deaths observed under
    # 18) nor move, so 0-17 in 5 years is today's 10 and five years' babies.
    kept = 1 - 5 / (100 + 18 * 0.9)
    assert projected.changes["births"].iloc[1] == pytest.approx(10 * kept)
    assert raw.loc["E01", "0-17_5"] == pytest.approx(10 + projected.changes["births"][:5].sum())


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
        records.append((lsoa, f"{_band(age)}_0", 1.0))
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
    assert "mothers cannot be linked" in profiles.METHOD_TEXT
    assert "not official projections" in profiles.METHOD_TEXT


def test_seeded_snapshot_projection_balances_and_matches_the_bands(tmp_path):
    tables = profiles.read_tables(write_snapshot(tmp_path / "snap", random_rows(5)))
    as_of = profiles.reference_date(tables)

    projected, rates = profiles.projection(tables, "L1", as_of)
    raw = profiles.profile(tables, "L1", as_of)

    changes = projected.changes
    balance = changes["start"] + changes["births"] - changes["deaths"] + changes["net_migration"]
    assert balance.tolist() == pytest.approx(changes["end"].tolist())
    assert changes[["births", "deaths"]].to_numpy().sum() > 0
    assert any(rates.net_migration.values())  # people register, leave and die mid-year
    for h in profiles.HORIZONS:
        total = raw[[f"{b}_{h}" for b in BANDS]].to_numpy().sum()
        expected = changes["end"].iloc[h - 1] if h else changes["start"].iloc[0]
        assert total == pytest.approx(expected)
    assert changes["start"].iloc[0] == raw["population"].sum()


def test_shown_states_the_rates_used_suppressed(tmp_path):
    tables = profiles.read_tables(write_snapshot(tmp_path / "snap", random_rows(3)))

    shown = profiles.shown(tables, "L1")

    assert "per 1,000 women aged 15-44" in shown.assumptions
    # 400 people in all: every age group and sex is below MIN_AT_RISK, so the place's rates.
    assert "(whole place)" in shown.assumptions
    assert SUPPRESSED_TEXT in shown.assumptions  # some deaths by age and sex are few
    assert [period for period, *_ in shown.changes] == ["years 1-5", "years 6-10"]
    for _, *figures in shown.changes:
        for text in figures:
            assert text == SUPPRESSED_TEXT or int(text.lstrip("+-").replace(",", "")) % 5 == 0
