"""Spec tests: small hand-made tables -> expected per-person features, on every engine."""

from __future__ import annotations

import random
from datetime import date

import pytest

from joinedcare.analytics import engines
from joinedcare.analytics import features as F
from joinedcare.analytics.stratify import collect
from tests.analytics.conftest import PRACTICES

INDEX = date(2025, 4, 1)


def person(pid: str, **kw) -> dict:
    return {
        "pseudonym": pid,
        "date_of_birth": date(1940, 6, 15),
        "sex": "female",
        "practice_code": "P1",
        "registered_from": date(2000, 1, 1),
        "imd_decile": 3,
        "ethnic_category": "A",
        **kw,
    }


SAME_DAY = date.min  # marker: the encounter ends the day it starts


def enc(pid: str, setting: str, start: date, end: date | None = SAME_DAY, method=None) -> dict:
    """An encounter; end=None is a spell still open at the extract."""
    return {
        "pseudonym": pid,
        "encounter_id": f"{pid}{start}{setting}",
        "setting": setting,
        "admission_method": method,
        "start_date": start,
        "end_date": start if end is SAME_DAY else end,
    }


def condition(code: str, day: date, system: str = "snomed", source: str = "gp", pid="a") -> dict:
    """A condition record, coded in `system` by `source`."""
    return {
        "pseudonym": pid,
        "code_system": system,
        "code": code,
        "recorded_on": day,
        "source": source,
    }


def run_features(engine: str, snapshot, day=INDEX, scores=None, **kw):
    con = engines.connect(engine)
    df = collect(F.features(engines.tables(con, snapshot), day, scores=scores, **kw))
    return df.set_index("pseudonym")


def test_cohort_is_alive_and_registered_at_index(engine, snapshot_factory):
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [
                person("here"),
                person("joined_on_index", registered_from=INDEX),
                person("joined_after", registered_from=date(2025, 4, 2)),
                person("left_before", registered_to=date(2025, 3, 31)),
                person("left_on_index", registered_to=INDEX),
                person("died_before", date_of_death=date(2025, 3, 31)),
                person("dies_on_index", date_of_death=INDEX),
                person(
                    "born_after", date_of_birth=date(2025, 5, 1), registered_from=date(2025, 5, 1)
                ),
            ],
        }
    )
    df = run_features(engine, snap)
    assert sorted(df.index) == ["dies_on_index", "here", "joined_on_index"]
    assert df.loc["here", "team_code"] == "T1"


def test_age_sex_and_deprivation(engine, snapshot_factory):
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [
                person("birthday_tomorrow", date_of_birth=date(1940, 4, 2), sex="male"),
                person("birthday_today", date_of_birth=date(1940, 4, 1), imd_decile=None),
            ],
        }
    )
    df = run_features(engine, snap)
    assert df.loc["birthday_tomorrow", "age"] == 84
    assert df.loc["birthday_today", "age"] == 85
    assert df.loc["birthday_tomorrow", "sex_male"] == 1
    assert df.loc["birthday_today", "sex_female"] == 1
    assert df.loc["birthday_tomorrow", "imd_decile"] == 3
    assert df["imd_decile"].isna().loc["birthday_today"]


def test_windowed_encounter_counts_and_bed_days(engine, snapshot_factory):
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [person("a"), person("nobody"), person("clinic")],
            "encounters": [
                enc("clinic", "outpatient", date(2025, 2, 1), date(2025, 2, 1)),
                enc("a", "inpatient", date(2025, 3, 1), date(2025, 3, 11), "emergency"),  # 6m
                enc("a", "inpatient", date(2024, 6, 1), date(2024, 6, 4), "emergency"),  # 12m only
                enc("a", "inpatient", date(2024, 3, 31), date(2024, 4, 5), "emergency"),  # too old
                enc(
                    "a", "inpatient", date(2025, 3, 30), None, "emergency"
                ),  # open: 2 days to index
                enc("a", "inpatient", date(2025, 4, 1), date(2025, 4, 3), "emergency"),  # on index
                enc("a", "inpatient", date(2024, 12, 1), date(2024, 12, 1), "elective"),
                enc("a", "ae", date(2024, 10, 1)),  # first day of the 6-month window
                enc("a", "ae", date(2024, 9, 30)),
                enc("a", "gp", date(2025, 1, 1)),
                enc("a", "gp", date(2025, 1, 2)),
                enc("a", "outpatient", date(2024, 5, 1)),
                enc("a", "community", date(2025, 2, 1)),
            ],
        }
    )
    df = run_features(engine, snap)
    a = df.loc["a"]
    assert a["emergency_admissions_6m"] == 2
    assert a["emergency_admissions_12m"] == 3
    assert a["elective_admissions_6m"] == 1
    assert a["ae_attendances_6m"] == 1
    assert a["ae_attendances_12m"] == 2
    assert a["gp_contacts_12m"] == 2
    assert a["outpatient_attendances_6m"] == 0
    assert a["outpatient_attendances_12m"] == 1
    assert a["community_contacts_6m"] == 1
    assert a["bed_days_6m"] == 10 + 2 + 0
    assert a["bed_days_12m"] == 10 + 3 + 2 + 0
    assert (df.loc["nobody", [c for c in df.columns if c.endswith("m")]] == 0).all()
    # Contacts but no stay: no bed days (0, not missing).
    assert df.loc["clinic", "outpatient_attendances_6m"] == 1
    assert df.loc["clinic", ["bed_days_6m", "bed_days_12m"]].tolist() == [0, 0]


def test_conditions_medicines_and_social_care(engine, snapshot_factory):
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [person("a"), person("b")],
            "conditions": [
                condition("13645005", date(2010, 1, 1)),  # COPD
                condition("84114007", date(2025, 3, 31)),  # heart failure
                condition("84114007", date(2025, 1, 1)),  # recorded twice
                condition("52448006", INDEX),  # dementia: later
                condition("13645005", date(2010, 1, 1), "icd10", "inpatient"),  # not SNOMED
                condition("161898004", date(2024, 1, 1), source="community"),  # falls
            ],
            "medications": [
                {
                    "pseudonym": "a",
                    "code_system": "bnf",
                    "code": "X1",
                    "issued_on": date(2025, 3, 1),
                },
                {
                    "pseudonym": "a",
                    "code_system": "bnf",
                    "code": "X1",
                    "issued_on": date(2024, 12, 1),
                },
                {
                    "pseudonym": "a",
                    "code_system": "bnf",
                    "code": "X2",
                    "issued_on": date(2024, 4, 1),
                },
                {
                    "pseudonym": "a",
                    "code_system": "bnf",
                    "code": "X3",
                    "issued_on": date(2024, 3, 31),
                },
            ],
            "social_care": [
                {"pseudonym": "a", "service": "nursing_care", "start_date": date(2024, 1, 1)},
                {
                    "pseudonym": "a",
                    "service": "home_care",
                    "start_date": date(2023, 1, 1),
                    "end_date": INDEX,
                },
                {
                    "pseudonym": "a",
                    "service": "reablement",
                    "start_date": date(2024, 5, 1),
                    "end_date": date(2024, 6, 1),
                },
                {
                    "pseudonym": "b",
                    "service": "residential_care",
                    "start_date": date(2020, 1, 1),
                    "end_date": date(2025, 3, 31),
                },
                {"pseudonym": "b", "service": "telecare", "start_date": INDEX},
            ],
        }
    )
    df = run_features(engine, snap)
    a, b = df.loc["a"], df.loc["b"]
    assert (a["ltc_copd"], a["ltc_heart_failure"], a["ltc_dementia"]) == (1, 1, 0)
    assert a["ltc_count"] == 2
    assert a["frailty_falls"] == 1
    assert a["frailty_deficit_count"] == 1
    assert a["medicines_12m"] == 2
    assert (a["care_home"], a["home_care"], a["reablement_12m"]) == (1, 1, 1)
    assert a["social_care_services"] == 2  # nursing care and home care (ends on index)
    assert (b["care_home"], b["social_care_services"], b["ltc_count"]) == (0, 0, 0)


def test_medicines_and_polypharmacy_windows_from_one_pass(engine, snapshot_factory):
    # medicines_12m: distinct codes issued 2024-04-01 <= day < INDEX. The eFI's
    # polypharmacy, asked for the day before: five distinct (code system, code) pairs issued
    # in the 365 days up to 2025-03-31, so from 2024-03-31.
    def issued(pid, code, day, system="bnf"):
        return {"pseudonym": pid, "code_system": system, "code": code, "issued_on": day}

    four = [issued(p, f"M{i}", date(2025, 1, i + 1)) for p in "abc" for i in range(4)]
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [person("a"), person("b"), person("c")],
            "encounters": [],
            "conditions": [],
            "medications": [
                *four,
                issued("a", "M0", date(2025, 2, 1), system="dmd"),  # the same code, another system
                issued("b", "M9", date(2024, 3, 31)),  # polypharmacy's first day only
                issued("c", "M9", date(2024, 3, 30)),  # before both windows
                issued("c", "M8", INDEX),  # the index date: after both
            ],
        }
    )
    df = run_features(engine, snap, scores=True)
    assert df["medicines_12m"].to_dict() == {"a": 4, "b": 4, "c": 4}
    assert df["efi"].to_dict() == {"a": 1 / 36, "b": 1 / 36, "c": 0.0}


def test_charlson_from_the_conditions_pass(engine, snapshot_factory):
    # Quan 2011 weights over hospital ICD-10 diagnoses in the year up to the day before:
    # heart failure 2 + metastatic tumour 6 (any malignancy's 2 suppressed) + AIDS/HIV 4 +
    # diabetes with complications 1 (without: suppressed) = 13. A GP-coded diagnosis and
    # one from over a year before do not count.
    def dx(code, day=date(2025, 1, 10), source="inpatient"):
        return condition(code, day, "icd10", source)

    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [person("a"), person("b")],
            "encounters": [],
            "conditions": [
                *[dx(code) for code in ("I500", "C787", "C189", "B20", "E112", "E119")],
                dx("F000", source="gp"),
                dx("G810", day=date(2024, 3, 30)),  # a day before the window
            ],
        }
    )
    df = run_features(engine, snap, scores=True)
    assert df["charlson"].to_dict() == {"a": 13, "b": 0}


def test_efi_deficits_and_hfrs_groups_count_once_however_often_coded(engine, snapshot_factory):
    # eFI: falls coded three times (one code twice, another once) and dizziness once are 2
    # deficits. HFRS, hospital ICD-10 in the two years up to the day before: F00 by two codes
    # (7.1 once) + G81 (4.4) = 11.5; R29 from the GP and I69 from 2022 do not count. The same
    # F00 and G81 are Charlson's dementia (2) and hemiplegia (2).
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [person("a"), person("b")],
            "encounters": [],
            "conditions": [
                condition("161898004", date(2020, 1, 1)),
                condition("161898004", date(2024, 1, 1)),
                condition("1912002", date(2024, 2, 1)),
                condition("111541001", date(2023, 5, 1)),
                condition("F000", date(2024, 6, 1), "icd10", "inpatient"),
                condition("F001", date(2025, 1, 1), "icd10", "inpatient"),
                condition("F001", date(2025, 2, 1), "icd10", "inpatient"),
                condition("G810", date(2025, 1, 1), "icd10", "outpatient"),
                condition("R296", date(2025, 1, 1), "icd10", "gp"),
                condition("I690", date(2022, 1, 1), "icd10", "inpatient"),
            ],
        }
    )
    df = run_features(engine, snap, scores=True)
    a, b = df.loc["a"], df.loc["b"]
    assert (a["efi"], a["efi_category"]) == (2 / 36, "fit")
    assert (a["hfrs"], a["hfrs_band"]) == (pytest.approx(11.5), "intermediate")
    assert a["charlson"] == 4
    assert (a["frailty_falls"], a["frailty_deficit_count"]) == (1, 1)
    assert (b["efi"], b["hfrs"], b["hfrs_band"], b["charlson"]) == (0.0, 0.0, "low", 0)


def test_rows_come_in_pseudonym_order_whatever_order_people_are_stored_in(engine, snapshot_factory):
    """Stratify lines features and outcomes up by position, so `features` must keep its
    promise of pseudonym order on every engine, scores and all."""
    names = [f"p{i:03d}" for i in range(120)]
    random.Random(3).shuffle(names)
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [person(n) for n in names],
            "encounters": [
                enc(n, "inpatient", date(2025, 3, 20), method="emergency") for n in names[::3]
            ],
            "conditions": [
                condition("I10", date(2024, 5, 1), "icd10", "inpatient", n) for n in names[::2]
            ],
        }
    )
    con = engines.connect(engine)
    got = collect(F.features(engines.tables(con, snap), INDEX))
    assert got["pseudonym"].tolist() == sorted(names)
    assert got["lace"].notna().sum() == len(names[::3])


def test_outcome_is_an_emergency_admission_in_the_next_12_months(engine, snapshot_factory):
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [person(p) for p in ("on_index", "last_day", "too_late", "elective", "ae")],
            "encounters": [
                enc("on_index", "inpatient", INDEX, method="emergency"),
                enc("last_day", "inpatient", date(2026, 3, 31), method="emergency"),
                enc("too_late", "inpatient", date(2026, 4, 1), method="emergency"),
                enc("elective", "inpatient", date(2025, 6, 1), method="elective"),
                enc("ae", "ae", date(2025, 6, 1)),
            ],
        }
    )
    con = engines.connect(engine)
    y = collect(F.outcome(engines.tables(con, snap), INDEX)).set_index("pseudonym")
    assert y["emergency_admission"].to_dict() == {
        "ae": 0,
        "elective": 0,
        "last_day": 1,
        "on_index": 1,
        "too_late": 0,
    }


def test_longer_windows_are_accepted(snapshot_factory):
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": [person("a")],
            "encounters": [enc("a", "ae", date(2023, 5, 1)), enc("a", "ae", date(2024, 12, 31))],
        }
    )
    df = run_features("duckdb", snap, windows=(24, 3, 12))
    assert df.loc[
        "a", ["ae_attendances_3m", "ae_attendances_12m", "ae_attendances_24m"]
    ].tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 4, 1), 12, date(2024, 4, 1)),
        (date(2025, 3, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 15), 6, date(2023, 7, 15)),
        (date(2025, 4, 1), -12, date(2026, 4, 1)),
    ],
)
def test_months_before(day, months, expected):
    assert F.months_before(day, months) == expected
