"""Shared analytics fixtures: one Spark session for the whole run, an every-engine fixture,
and snapshots written as Parquet (DuckDB cannot create tables from pandas here)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from joinedcare.analytics import engines


@pytest.fixture(scope="session")
def spark():
    """The one local Spark session of the test run (starting one takes seconds)."""
    return engines.spark_session()


@pytest.fixture(params=engines.ENGINES)
def engine(request) -> str:
    """Run the test on every engine: one test, every engine, same answer."""
    if request.param == "spark":
        request.getfixturevalue("spark")
    return request.param


# One practice, for snapshots that need no more.
PRACTICES = [
    {
        "practice_code": "P1",
        "practice_name": "One",
        "team_code": "T1",
        "locality_code": "L1",
        "postcode": "DH1 1AA",
    }
]

# Column types of each table, as ingest writes them.
SCHEMAS = {
    "people": pa.schema(
        [
            ("pseudonym", pa.string()),
            ("date_of_birth", pa.date32()),
            ("sex", pa.string()),
            ("practice_code", pa.string()),
            ("registered_from", pa.date32()),
            ("registered_to", pa.date32()),
            ("lsoa", pa.string()),
            ("imd_decile", pa.int32()),
            ("ethnic_category", pa.string()),
            ("date_of_death", pa.date32()),
        ]
    ),
    "practices": pa.schema(
        [
            ("practice_code", pa.string()),
            ("practice_name", pa.string()),
            ("team_code", pa.string()),
            ("locality_code", pa.string()),
            ("postcode", pa.string()),
        ]
    ),
    "conditions": pa.schema(
        [
            ("pseudonym", pa.string()),
            ("code_system", pa.string()),
            ("code", pa.string()),
            ("recorded_on", pa.date32()),
            ("source", pa.string()),
        ]
    ),
    "encounters": pa.schema(
        [
            ("pseudonym", pa.string()),
            ("encounter_id", pa.string()),
            ("setting", pa.string()),
            ("admission_method", pa.string()),
            ("start_date", pa.date32()),
            ("end_date", pa.date32()),
            ("discharge_destination", pa.string()),
        ]
    ),
    "medications": pa.schema(
        [
            ("pseudonym", pa.string()),
            ("code_system", pa.string()),
            ("code", pa.string()),
            ("issued_on", pa.date32()),
        ]
    ),
    "social_care": pa.schema(
        [
            ("pseudonym", pa.string()),
            ("service", pa.string()),
            ("start_date", pa.date32()),
            ("end_date", pa.date32()),
        ]
    ),
}


def write_snapshot(root: Path, rows: dict[str, list[dict]]) -> Path:
    """Write small hand-made tables (missing ones empty) as a snapshot folder."""
    root.mkdir(parents=True, exist_ok=True)
    for name, schema in SCHEMAS.items():
        records = [{c: r.get(c) for c in schema.names} for r in rows.get(name, [])]
        pq.write_table(pa.Table.from_pylist(records, schema=schema), root / f"{name}.parquet")
    return root


@pytest.fixture
def snapshot_factory(tmp_path):
    """make(rows) -> a snapshot folder of those tables."""
    count = iter(range(10_000))

    def make(rows: dict[str, list[dict]]) -> Path:
        return write_snapshot(tmp_path / f"snapshot{next(count)}", rows)

    return make


def demo_snapshot(out: Path, *, seed: int, scale: float) -> Path:
    """A small Demo County as a snapshot: nhs_number renamed to pseudonym."""
    from joinedcare.synthetic import build_county

    build_county(out / "county", seed=seed, scale=scale)
    snap = out / "snapshot"
    snap.mkdir()
    for path in sorted((out / "county" / "extract").glob("*.parquet")):
        t = pq.read_table(path)
        t = t.rename_columns(["pseudonym" if c == "nhs_number" else c for c in t.column_names])
        pq.write_table(t, snap / path.name)
    (snap / "manifest.json").write_text((out / "county" / "manifest.json").read_text())
    return snap


@pytest.fixture(scope="session")
def demo_county(tmp_path_factory) -> Path:
    """Demo County at scale 0.02 (about 11,600 people) as a snapshot."""
    return demo_snapshot(tmp_path_factory.mktemp("demo"), seed=7, scale=0.02)
