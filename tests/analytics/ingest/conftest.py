"""Small extracts written as CSV or Parquet, and helpers to read what an ingest wrote."""

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path

import nhs_number
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from joinedcare.analytics.ingest import Summary, ingest_folder
from joinedcare.analytics.schema import TABLES
from joinedcare.analytics.store import Store

KEY = "test-key"
TODAY = date(2026, 3, 31)


def synthetic_numbers(n: int) -> list[str]:
    """The first n valid NHS numbers of the synthetic range (never issued to anyone)."""
    found, candidate = [], 9000000000
    while len(found) < n:
        if nhs_number.is_valid(str(candidate)):
            found.append(str(candidate))
        candidate += 1
    return found


NUMBERS = synthetic_numbers(6)
ALICE, BOB, CAROL, UNKNOWN = NUMBERS[:4]
BAD_CHECK_DIGIT = str(int(ALICE) + 1)  # a neighbour of a valid number fails the check digit


def base_tables() -> dict[str, list[dict[str, str]]]:
    """A small valid extract: 2 practices, 3 people and some rows in every table."""
    person = {"postcode": "DH1 1AA", "lsoa": "E01020679", "imd_decile": "3"}
    return {
        "practices": [
            {
                "practice_code": "A1",
                "practice_name": "One",
                "team_code": "T1",
                "locality_code": "L1",
                "postcode": "DH1 1AA",
            },
            {
                "practice_code": "A2",
                "practice_name": "Two",
                "team_code": "T1",
                "locality_code": "L1",
                "postcode": "",
            },
        ],
        "people": [
            {
                "nhs_number": n,
                "date_of_birth": "1950-01-02",
                "sex": "female",
                "practice_code": "A1",
                "registered_from": "1990-01-01",
                "registered_to": "",
                **person,
                "ethnic_category": "A",
                "date_of_death": "",
            }
            for n in (ALICE, BOB, CAROL)
        ],
        "conditions": [
            {
                "nhs_number": ALICE,
                "code_system": "snomed",
                "code": "44054006",
                "recorded_on": "2020-05-01",
                "source": "gp",
            },
            {
                "nhs_number": BOB,
                "code_system": "icd10",
                "code": "I10",
                "recorded_on": "2021-06-01",
                "source": "inpatient",
            },
        ],
        "encounters": [
            {
                "nhs_number": ALICE,
                "encounter_id": f"E{i}",
                "setting": "gp",
                "admission_method": "",
                "start_date": "2025-01-0" + str(i),
                "end_date": "2025-01-0" + str(i),
                "discharge_destination": "",
            }
            for i in (1, 2, 3)
        ],
        "medications": [
            {
                "nhs_number": BOB,
                "code_system": "bnf",
                "code": "0212000B0",
                "issued_on": "2025-02-01",
            },
        ],
        "social_care": [
            {
                "nhs_number": CAROL,
                "service": "home_care",
                "start_date": "2025-03-01",
                "end_date": "2025-04-01",
            },
        ],
        "truth": [
            {"nhs_number": ALICE, "index_date": "2025-04-01", "p_emergency_admission_12m": "0.125"},
        ],
    }


def write_csv(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    """Each table as <name>.csv with a header (header = line 1, first row = line 2)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(rows[0]) if rows else list(TABLES[name].column_names)
        with (folder / f"{name}.csv").open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def write_parquet(folder: Path, tables: dict[str, list[dict[str, str]]]) -> Path:
    """Each table as <name>.parquet with every column as text."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(rows[0]) if rows else list(TABLES[name].column_names)
        data = {c: pa.array([r[c] or None for r in rows], pa.string()) for c in columns}
        pq.write_table(pa.table(data), folder / f"{name}.parquet")
    return folder


def quarantine(summary: Summary) -> list[dict[str, str]]:
    with summary.snapshot.quarantine_path.open(newline="") as f:
        return list(csv.DictReader(f))


def table(summary: Summary, name: str) -> pa.Table:
    return pq.read_table(summary.snapshot.table_path(name))


def assert_nothing_lost(summary: Summary, inputs: dict[str, list]) -> None:
    """Every input row is loaded or quarantined, and the files agree with the counts."""
    rows = quarantine(summary)
    for name, counts in summary.counts.items():
        assert counts.read == len(inputs.get(name, [])), name
        assert counts.loaded + counts.quarantined == counts.read, name
        assert table(summary, name).num_rows == counts.loaded, name
        assert sum(r["table"] == name for r in rows) == counts.quarantined, name


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store")


@pytest.fixture
def ingest_csv(tmp_path: Path, store: Store) -> Callable[..., Summary]:
    """Write tables as CSV and ingest them; returns the summary."""

    def run(tables: dict[str, list[dict[str, str]]]) -> Summary:
        folder = write_csv(tmp_path / "extract", tables)
        return ingest_folder(folder, store, KEY, today=TODAY)

    return run
