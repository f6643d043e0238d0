"""Oracle tests: every analytics metric equals a second, plain pandas computation.

The oracle is written from each definition's words (its numerator and denominator), not from
the engine's query keys: a loop over months for the population, one small function a metric.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from joinedcare.analytics.metrics import catalogue, engine

from .conftest import MONTHS, person_months

ACS = {"B180", "B181", "D501", "D508", "D509", "F00", "F01", "F02", "F03", "G40", "G41", "R56",
       "O15", "I110", "I50", "J81", "I20", "I240", "I248", "I249", "I25", "Z034", "I10", "I119",
       "I48", "J41", "J42", "J43", "J44", "J47", "J45", "J46",
       *(f"E1{k}{d}" for k in range(5) for d in range(9))}  # fmt: skip


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((dob.month, dob.day) > (day.month, day.day))


def band(age: int) -> str:
    return "0-17" if age < 18 else "18-64" if age < 65 else "65-74" if age < 75 else "75+"


ETHNIC = {**dict.fromkeys("ABC", "White"), **dict.fromkeys("DEFG", "Mixed"),
          **dict.fromkeys("HJKL", "Asian or Asian British"),
          **dict.fromkeys("MNP", "Black or Black British"),
          **dict.fromkeys("RS", "Other ethnic group")}  # fmt: skip


def oracle_population(people: list[dict], age_min=None) -> pd.DataFrame:
    rows = []
    for month in MONTHS:
        for p in people:
            if p["date_of_birth"] > month or p["registered_from"] > month:
                continue
            if p["registered_to"] and p["registered_to"] < month:
                continue
            if p["date_of_death"] and p["date_of_death"] < month:
                continue
            age = age_on(p["date_of_birth"], month)
            if age_min is not None and age < age_min:
                continue
            decile = p["imd_decile"]
            rows.append({
                "pseudonym": p["pseudonym"], "month": month.strftime("%Y-%m"),
                "practice_code": p["practice_code"],
                "imd_quintile": "unknown" if decile is None else str((decile + 1) // 2),
                "age_band": band(age), "sex": p["sex"],
                "ethnic_group": ETHNIC.get(p["ethnic_category"] or "Z", "Not stated"),
            })  # fmt: skip
    return pd.DataFrame(rows)


def month_of(d: date | None) -> str | None:
    return None if d is None else d.strftime("%Y-%m")


def emergency(e: dict) -> bool:
    return e["setting"] == "inpatient" and e.get("admission_method") == "emergency"


def ae(rows):
    return [(e["pseudonym"], month_of(e["start_date"]), 1)
            for e in rows["encounters"] if e["setting"] == "ae"]  # fmt: skip


def admissions(rows):
    return [(e["pseudonym"], month_of(e["start_date"]), 1)
            for e in rows["encounters"] if emergency(e)]  # fmt: skip


def bed_days(rows):
    return [(e["pseudonym"], month_of(e["end_date"]), (e["end_date"] - e["start_date"]).days)
            for e in rows["encounters"] if emergency(e) and e["end_date"]]  # fmt: skip


def acs(rows):
    coded = {(c["pseudonym"], c["recorded_on"]) for c in rows["conditions"]
             if c["source"] == "inpatient" and c["code_system"] == "icd10"
             and (c["code"].replace(".", "").upper()[:3] in ACS
                  or c["code"].replace(".", "").upper()[:4] in ACS)}  # fmt: skip
    return [(e["pseudonym"], month_of(e["start_date"]), 1) for e in rows["encounters"]
            if emergency(e) and (e["pseudonym"], e["start_date"]) in coded]  # fmt: skip


def live_discharges(rows, only_emergency: bool):
    return [e for e in rows["encounters"]
            if e["setting"] == "inpatient" and e["end_date"]
            and (emergency(e) or not only_emergency)
            and e.get("discharge_destination") != "died"]  # fmt: skip


def readmitted(rows):
    index = live_discharges(rows, only_emergency=False)
    later = [e for e in rows["encounters"] if emergency(e)]
    out = []
    for e in index:
        if any(r["pseudonym"] == e["pseudonym"] and r["encounter_id"] != e["encounter_id"]
               and 0 <= (r["start_date"] - e["end_date"]).days <= 29 for r in later):  # fmt: skip
            out.append((e["pseudonym"], month_of(e["end_date"]), 1))
    return out


def discharges(rows):
    return [(e["pseudonym"], month_of(e["end_date"]), 1)
            for e in live_discharges(rows, only_emergency=False)]  # fmt: skip


def home(rows):
    return [(e["pseudonym"], month_of(e["end_date"]), 1)
            for e in live_discharges(rows, only_emergency=True)
            if e["discharge_destination"] == "usual_residence"]  # fmt: skip


def emergency_discharges(rows):
    return [(e["pseudonym"], month_of(e["end_date"]), 1)
            for e in live_discharges(rows, only_emergency=True)]  # fmt: skip


def care_home(rows):
    first: dict[str, date] = {}
    for s in rows["social_care"]:
        if s["service"] in ("residential_care", "nursing_care"):
            who = s["pseudonym"]
            first[who] = min(first.get(who, s["start_date"]), s["start_date"])
    return [(who, month_of(day), 1) for who, day in first.items()]


POPULATION = None  # the denominator is the month's population
ORACLES = {
    "ae_attendances_per_1000": (ae, POPULATION, None),
    "emergency_admissions_per_1000": (admissions, POPULATION, None),
    "emergency_admissions_per_100000": (admissions, POPULATION, None),
    "emergency_bed_days_per_1000": (bed_days, POPULATION, None),
    "acs_admissions_per_100000": (acs, POPULATION, None),
    "care_home_admissions_65_per_100000": (care_home, POPULATION, 65),
    "emergency_readmissions_30_days": (readmitted, discharges, None),
    "discharges_to_usual_residence": (home, emergency_discharges, None),
}
DIMS = ["imd_quintile", "age_band", "sex", "ethnic_group"]


def oracle_cells(slug: str, rows) -> pd.DataFrame:
    numerator_of, denominator_of, age_min = ORACLES[slug]
    pop = oracle_population(rows["people"], age_min)
    keys = ["practice_code", "month", *DIMS]

    def summed(triples):
        ev = pd.DataFrame(triples, columns=["pseudonym", "month", "amount"])
        joined = ev.merge(pop, on=["pseudonym", "month"])
        return joined.groupby(keys)["amount"].sum()

    numerator = summed(numerator_of(rows))
    denominator = (
        pop.groupby(keys).size() if denominator_of is None else summed(denominator_of(rows))
    )
    both = pd.concat({"numerator": numerator, "denominator": denominator}, axis=1)
    return both.fillna(0).astype("int64").reset_index()


def oracle_units(cells: pd.DataFrame, practices: pd.DataFrame, multiplier: float) -> pd.DataFrame:
    frame = cells.merge(practices, on="practice_code")
    frame["place"] = "all"
    parts = []
    for level, column in (("practice", "practice_code"), ("team", "team_code"),
                          ("locality", "locality_code"), ("place", "place")):  # fmt: skip
        g = frame.groupby([column, "month"])[["numerator", "denominator"]].sum().reset_index()
        parts.append(g.rename(columns={column: "unit"}).assign(level=level))
    out = pd.concat(parts, ignore_index=True)
    out["value"] = [n / d * multiplier if d else float("nan")
                    for n, d in zip(out.numerator, out.denominator, strict=True)]  # fmt: skip
    return out


def test_every_analytics_metric_has_an_oracle():
    analytics = {m.slug for m in catalogue.load_all() if m.computed_here}
    assert analytics == set(ORACLES)


@pytest.fixture(scope="module", params=[11, 2024])
def computed(request, tmp_path_factory):
    from .conftest import random_rows, write_snapshot

    rows = random_rows(request.param)
    path = write_snapshot(tmp_path_factory.mktemp(f"seed{request.param}"), rows)
    tables = engine.read_snapshot(path)
    results = engine.compute_all(tables, months=MONTHS)
    return rows, results, engine.practices_frame(tables)


@pytest.mark.parametrize("slug", sorted(ORACLES))
def test_metric_equals_the_pandas_oracle(computed, slug):
    rows, results, practices = computed
    result = results[slug]
    expected = oracle_cells(slug, rows)
    assert expected.numerator.sum() > 0, "the random data must exercise the metric"

    keys = ["practice_code", "month", *DIMS]
    got = result.cells.sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(
        got[[*keys, "numerator", "denominator"]],
        expected.sort_values(keys, ignore_index=True)[[*keys, "numerator", "denominator"]],
        check_dtype=False,
    )
    units = result.by_unit()
    want = oracle_units(expected, practices, result.metric.multiplier)
    merged = units.merge(want, on=["level", "unit", "month"], suffixes=("", "_oracle"))
    assert len(merged) == len(units) == len(want)
    assert (merged.numerator == merged.numerator_oracle).all()
    assert (merged.denominator == merged.denominator_oracle).all()
    pd.testing.assert_series_equal(merged.value, merged.value_oracle, check_names=False, rtol=1e-12)


@pytest.mark.parametrize("dimension", DIMS)
def test_breakdowns_equal_the_oracle(computed, dimension):
    rows, results, _ = computed
    slug = "emergency_admissions_per_1000"
    expected = oracle_cells(slug, rows)
    want = expected.groupby(dimension)[["numerator", "denominator"]].sum()
    got = results[slug].by_group(dimension, per_month=False).set_index("group")
    assert (got.numerator == want.numerator.reindex(got.index)).all()
    assert (got.denominator == want.denominator.reindex(got.index)).all()
    want_value = want.numerator / want.denominator * 1_000
    pd.testing.assert_series_equal(
        got.value, want_value.reindex(got.index), check_names=False, rtol=1e-12
    )


def test_deprivation_gap(computed):
    rows, results, _ = computed
    expected = oracle_cells("emergency_admissions_per_1000", rows)
    by_quintile = expected.groupby("imd_quintile")[["numerator", "denominator"]].sum()
    rate = by_quintile.numerator / by_quintile.denominator * 1_000
    breakdown = results["emergency_admissions_per_1000"].by_group("imd_quintile", per_month=False)
    gap = engine.deprivation_gap(breakdown)
    assert gap.gap.iloc[0] == pytest.approx(rate["1"] - rate["5"])
    assert gap.ratio.iloc[0] == pytest.approx(rate["1"] / rate["5"])


def test_month_boundaries_by_hand(tmp_path):
    """One person, born 1 Feb 1958: 64 on 1 Jan 2023, 65 on 1 Feb 2023 (a birthday on the first
    counts that month); registered 15 Mar 2023 (so not in March's population); died 10 Jun 2023
    (in June's population, not July's)."""
    from .conftest import write_snapshot

    person = {"pseudonym": "a", "date_of_birth": date(1958, 2, 1), "sex": "female",
              "practice_code": "P1", "registered_from": date(2021, 11, 27), "imd_decile": 1,
              "ethnic_category": "A", "date_of_death": date(2023, 6, 10)}  # fmt: skip
    late = {**person, "pseudonym": "b", "registered_from": date(2023, 3, 15),
            "date_of_death": None}  # fmt: skip
    rows = {"people": [person, late],
            "practices": [{"practice_code": "P1", "practice_name": "One", "team_code": "T1",
                           "locality_code": "L1"}],
            "encounters": [{"pseudonym": "b", "encounter_id": "x", "setting": "ae",
                            "start_date": date(2023, 3, 20)},
                           {"pseudonym": "b", "encounter_id": "y", "setting": "ae",
                            "start_date": date(2023, 4, 2)}]}  # fmt: skip
    tables = engine.read_snapshot(write_snapshot(tmp_path / "s", rows))
    pop = person_months(tables, MONTHS).execute()
    a = pop[pop.pseudonym == "a"].sort_values("month")
    assert list(a.age_band[:2]) == ["18-64", "65-74"]
    assert len(a) == 6  # January to June
    b = pop[pop.pseudonym == "b"]
    assert pd.Timestamp(b.month.min()).date() == date(2023, 4, 1)
    result = engine.compute_all(tables, months=MONTHS,
                                metrics=[catalogue.get("ae_attendances_per_1000")])  # fmt: skip
    cells = result["ae_attendances_per_1000"].cells
    # March's attendance is before b's first month in the population: not counted.
    assert cells.groupby("month").numerator.sum().to_dict().get("2023-03", 0) == 0
    assert cells.groupby("month").numerator.sum()["2023-04"] == 1
