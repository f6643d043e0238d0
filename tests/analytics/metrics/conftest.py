"""A seeded random snapshot for the metric tests, written as Parquet in tmp_path."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from joinedcare.analytics.metrics import engine

PRACTICES = [
    ("P1", "Practice one", "T1", "L1"),
    ("P2", "Practice two", "T1", "L1"),
    ("P3", "Practice three", "T2", "L1"),
    ("P4", "Practice four", "T3", "L2"),
]
# Codes on and off the ACS list, in the spellings extracts use (dots, lower case).
DIAGNOSES = ["I500", "J449", "E119", "E11.5", "I10", "R074", "i48", "S720", "J459", "I259"]
SERVICES = ["home_care", "reablement", "residential_care", "nursing_care", "telecare"]
DESTINATIONS = ["usual_residence", "usual_residence", "usual_residence", "care_home", "died"]
MONTHS = [date(2023, m, 1) for m in range(1, 13)]

SCHEMAS = {
    "people": pa.schema([
        ("pseudonym", pa.string()), ("date_of_birth", pa.date32()), ("sex", pa.string()),
        ("practice_code", pa.string()), ("registered_from", pa.date32()),
        ("registered_to", pa.date32()), ("lsoa", pa.string()), ("imd_decile", pa.int32()),
        ("ethnic_category", pa.string()), ("date_of_death", pa.date32()),
    ]),
    "practices": pa.schema([
        ("practice_code", pa.string()), ("practice_name", pa.string()),
        ("team_code", pa.string()), ("locality_code", pa.string()), ("postcode", pa.string()),
    ]),
    "conditions": pa.schema([
        ("pseudonym", pa.string()), ("code_system", pa.string()), ("code", pa.string()),
        ("recorded_on", pa.date32()), ("source", pa.string()),
    ]),
    "encounters": pa.schema([
        ("pseudonym", pa.string()), ("encounter_id", pa.string()), ("setting", pa.string()),
        ("admission_method", pa.string()), ("start_date", pa.date32()),
        ("end_date", pa.date32()), ("discharge_destination", pa.string()),
    ]),
    "social_care": pa.schema([
        ("pseudonym", pa.string()), ("service", pa.string()), ("start_date", pa.date32()),
        ("end_date", pa.date32()),
    ]),
}  # fmt: skip


def _day(rng: np.random.Generator, lo: date, hi: date) -> date:
    return lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def _maybe(rng: np.random.Generator, p: float, value):
    return value if rng.random() < p else None


def random_rows(seed: int, n_people: int = 400) -> dict[str, list[dict]]:
    """People, practices and activity around 2023, with the awkward cases on purpose: people
    registering, leaving and dying mid-year, birthdays on the first of a month, missing
    deprivation and ethnicity, open spells, readmissions, repeated care home starts."""
    rng = np.random.default_rng(seed)
    people = []
    for i in range(n_people):
        dob = _day(rng, date(1925, 1, 1), date(2023, 6, 30))
        if rng.random() < 0.05:
            dob = dob.replace(day=1)
        reg_from = max(dob, _day(rng, date(2010, 1, 1), date(2023, 9, 30)))
        people.append({
            "pseudonym": f"p{i}",
            "date_of_birth": dob,
            "sex": str(rng.choice(["female", "male", "other", "unknown"], p=[.5, .46, .02, .02])),
            "practice_code": PRACTICES[int(rng.integers(0, len(PRACTICES)))][0],
            "registered_from": reg_from,
            "registered_to": _maybe(rng, 0.1, _day(rng, date(2023, 1, 1), date(2023, 12, 31))),
            "imd_decile": _maybe(rng, 0.9, int(rng.integers(1, 11))),
            "ethnic_category": _maybe(rng, 0.9, str(rng.choice(list("AABCDHJMNRSZ")))),
            "date_of_death": _maybe(rng, 0.08, _day(rng, date(2023, 1, 1), date(2023, 12, 31))),
        })  # fmt: skip
    for p in people:
        if p["registered_to"] and p["registered_to"] < p["registered_from"]:
            p["registered_to"] = None
    encounters, conditions = [], []
    for j in range(3_000):
        who = f"p{int(rng.integers(0, n_people))}"
        setting = str(rng.choice(["ae", "gp", "inpatient", "inpatient", "outpatient"]))
        start = _day(rng, date(2022, 11, 1), date(2024, 1, 31))
        row = {"pseudonym": who, "encounter_id": f"e{j}", "setting": setting,
               "start_date": start, "end_date": start}  # fmt: skip
        if setting == "inpatient":
            row["admission_method"] = str(rng.choice(["emergency", "emergency", "elective"]))
            stay = int(rng.poisson(4))
            row["end_date"] = _maybe(rng, 0.95, start + timedelta(days=stay))
            if row["end_date"]:
                row["discharge_destination"] = str(rng.choice(DESTINATIONS))
            if rng.random() < 0.3 and row["end_date"]:
                # A readmission of the same person around 30 days after discharge.
                gap = int(rng.integers(-1, 35))
                encounters.append({
                    "pseudonym": who, "encounter_id": f"r{j}", "setting": "inpatient",
                    "admission_method": str(rng.choice(["emergency", "elective"])),
                    "start_date": row["end_date"] + timedelta(days=gap),
                    "end_date": row["end_date"] + timedelta(days=gap + 2),
                    "discharge_destination": "usual_residence",
                })  # fmt: skip
            for _ in range(int(rng.integers(0, 3))):
                conditions.append({
                    "pseudonym": who, "code_system": "icd10", "code": str(rng.choice(DIAGNOSES)),
                    "recorded_on": start if rng.random() < 0.85 else start + timedelta(days=1),
                    "source": "inpatient" if rng.random() < 0.9 else "gp",
                })  # fmt: skip
        encounters.append(row)
    social_care = []
    for _ in range(400):
        start = _day(rng, date(2019, 1, 1), date(2023, 12, 31))
        social_care.append({
            "pseudonym": f"p{int(rng.integers(0, n_people))}",
            "service": str(rng.choice(SERVICES)),
            "start_date": start,
            "end_date": _maybe(rng, 0.5, start + timedelta(days=int(rng.integers(1, 400)))),
        })  # fmt: skip
    practices = [dict(zip(["practice_code", "practice_name", "team_code", "locality_code"], p,
                          strict=True)) for p in PRACTICES]  # fmt: skip
    return {"people": people, "practices": practices, "encounters": encounters,
            "conditions": conditions, "social_care": social_care}  # fmt: skip


def write_snapshot(root: Path, rows: dict[str, list[dict]]) -> Path:
    """Write the tables (missing ones empty) as a snapshot folder of Parquet files."""
    root.mkdir(parents=True, exist_ok=True)
    for name, schema in SCHEMAS.items():
        records = [{c: r.get(c) for c in schema.names} for r in rows.get(name, [])]
        pq.write_table(pa.Table.from_pylist(records, schema=schema), root / f"{name}.parquet")
    return root


@pytest.fixture
def random_snapshot(tmp_path):
    """make(seed) -> (snapshot folder, the rows written)."""

    def make(seed: int) -> tuple[Path, dict[str, list[dict]]]:
        rows = random_rows(seed)
        return write_snapshot(tmp_path / f"snapshot{seed}", rows), rows

    return make


def person_months(tables, months, *, age_min=None, age_max=None):
    """The population's definition, plainly: people registered on the first day of each month
    (born, registered, not deregistered or dead before it), with their attributes that month."""
    people = engine._people(tables)
    month_table = ibis.memtable(pa.table({"month": pa.array(list(months), pa.date32())}))
    joined = people.cross_join(month_table)
    m = joined.month
    alive = joined.date_of_death.isnull() | (joined.date_of_death >= m)
    registered = (joined.registered_from <= m) & (
        joined.registered_to.isnull() | (joined.registered_to >= m)
    )
    pop = joined.filter(joined.date_of_birth <= m, registered, alive)
    dob = pop.date_of_birth
    not_yet = (dob.month() > m.month()) | ((dob.month() == m.month()) & (dob.day() > 1))
    pop = pop.mutate(age=m.year() - dob.year() - not_yet.cast("int64"))
    if age_min is not None:
        pop = pop.filter(pop.age >= age_min)
    if age_max is not None:
        pop = pop.filter(pop.age <= age_max)
    return pop.select(
        "pseudonym", "month", "practice_code", "team_code", "locality_code", "imd_quintile",
        age_band=engine._age_band(pop.age), sex="sex", ethnic_group="ethnic_group",
    )  # fmt: skip
