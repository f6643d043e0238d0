"""Snapshots: written whole or not at all, reproducible, and free of NHS numbers."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from joinedcare.analytics.ingest import IngestError, ingest_folder, pipeline
from joinedcare.analytics.store import Store

from .conftest import (
    ALICE,
    BAD_CHECK_DIGIT,
    KEY,
    NUMBERS,
    TODAY,
    UNKNOWN,
    base_tables,
    table,
    write_csv,
    write_parquet,
)


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_no_nhs_number_is_written_anywhere(tmp_path, store):
    tables = base_tables()
    # Rejected rows too: a valid number (unknown person), an invalid one, a spaced one.
    tables["encounters"].append({**tables["encounters"][0], "nhs_number": UNKNOWN})
    tables["people"].append({**tables["people"][0], "nhs_number": BAD_CHECK_DIGIT})
    tables["people"].append({**tables["people"][0], "nhs_number": f"{ALICE[:3]} {ALICE[3:]}"})
    folder = write_csv(tmp_path / "extract", tables)
    with (folder / "conditions.csv").open("a") as f:
        f.write(f"{ALICE},snomed,1,2020-01-01,gp,one too many\r\n")
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    assert summary.quarantined == 4
    numbers = [*NUMBERS, BAD_CHECK_DIGIT]
    written = _files(store.root)
    assert any(p.suffix == ".parquet" for p in written)
    for path in written:
        data = path.read_bytes()
        for number in numbers:
            assert number.encode() not in data, (path.name, number)
            assert number[:3].encode() + b" " + number[3:].encode() not in data, path.name
        # Parquet may store text compressed: read it back as text as well.
        if path.suffix == ".parquet":
            text = str(pq.read_table(path).to_pylist())
            assert not any(n in text for n in numbers), path.name


def test_a_failed_ingest_leaves_the_current_snapshot(tmp_path, store, monkeypatch):
    first = ingest_folder(write_csv(tmp_path / "a", base_tables()), store, KEY, today=TODAY)
    real_write = pipeline._write_table

    def fail_on_encounters(con, select_sql, path):
        if path.name == "encounters.parquet":
            raise OSError("disk full")
        real_write(con, select_sql, path)

    monkeypatch.setattr(pipeline, "_write_table", fail_on_encounters)
    tables = base_tables()
    tables["people"].pop()
    with pytest.raises(OSError, match="disk full"):
        ingest_folder(write_csv(tmp_path / "b", tables), store, KEY, today=TODAY)
    assert store.current() == first.snapshot
    assert store.snapshots() == [first.snapshot]
    assert [p.name for p in store.snapshots_dir.iterdir()] == [first.snapshot.id]
    assert pq.read_table(first.snapshot.table_path("people")).num_rows == 3


def test_a_file_level_error_leaves_the_current_snapshot(tmp_path, store):
    first = ingest_folder(write_csv(tmp_path / "a", base_tables()), store, KEY, today=TODAY)
    tables = base_tables()
    for row in tables["people"]:
        del row["date_of_birth"]
    with pytest.raises(IngestError, match=r"people\.csv: missing required column 'date_of_birth'"):
        ingest_folder(write_csv(tmp_path / "b", tables), store, KEY, today=TODAY)
    assert store.current() == first.snapshot
    assert store.snapshots() == [first.snapshot]


def test_a_new_ingest_becomes_current_and_old_snapshots_are_kept(tmp_path, store):
    assert store.current() is None
    first = ingest_folder(write_csv(tmp_path / "a", base_tables()), store, KEY, today=TODAY)
    second = ingest_folder(write_csv(tmp_path / "a", base_tables()), store, KEY, today=TODAY)
    assert store.current() == second.snapshot
    assert store.snapshots() == [first.snapshot, second.snapshot]
    assert (store.root / "CURRENT").read_text().strip() == second.snapshot.id


def test_same_input_and_key_give_the_same_fingerprint(tmp_path, store):
    folder = write_csv(tmp_path / "a", base_tables())
    first = ingest_folder(folder, store, KEY, today=TODAY)
    second = ingest_folder(folder, store, KEY, today=TODAY)
    other_key = ingest_folder(folder, store, "another key", today=TODAY)
    assert first.snapshot.fingerprint == second.snapshot.fingerprint
    assert other_key.snapshot.fingerprint != first.snapshot.fingerprint


def test_csv_and_parquet_give_identical_snapshots(tmp_path, store):
    from_csv = ingest_folder(write_csv(tmp_path / "c", base_tables()), store, KEY, today=TODAY)
    from_parquet = ingest_folder(
        write_parquet(tmp_path / "p", base_tables()), store, KEY, today=TODAY
    )
    assert from_csv.format == "csv" and from_parquet.format == "parquet"
    for name in from_csv.counts:
        a = pq.read_table(from_csv.snapshot.table_path(name))
        b = pq.read_table(from_parquet.snapshot.table_path(name))
        assert a.equals(b), name
    assert from_csv.snapshot.fingerprint == from_parquet.snapshot.fingerprint


def test_manifest_records_source_counts_and_version(tmp_path, store):
    folder = write_csv(tmp_path / "a", base_tables())
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    manifest = summary.snapshot.manifest
    assert manifest["id"] == summary.snapshot.id
    assert manifest["source"] == str(folder)
    assert manifest["format"] == "csv"
    assert manifest["rows"]["encounters"] == {"read": 3, "loaded": 3, "quarantined": 0}
    assert manifest["code_version"]["ingest"] == pipeline.INGEST_VERSION
    assert len(manifest["fingerprint"]) == 64


def test_progress_is_reported(tmp_path, store):
    seen = []
    folder = write_csv(tmp_path / "a", base_tables())
    ingest_folder(folder, store, KEY, today=TODAY, progress=lambda *a: seen.append(a))
    assert ("pseudonymise", 3, 3) in seen
    assert seen[-1] == ("check and write", 7, 7)


def test_store_lists_nothing_before_the_first_ingest(tmp_path):
    store = Store(tmp_path / "nowhere")
    assert store.current() is None
    assert store.snapshots() == []


def test_encounters_are_stored_in_date_order_other_tables_as_given(tmp_path, store):
    # A feed in any order is stored by start date (the features' windows then skip older
    # row groups); encounters on the same day, and every other table, keep the input order.
    tables = base_tables()
    enc = tables["encounters"][0]
    tables["encounters"] = [
        {**enc, "encounter_id": e, "start_date": day, "end_date": day}
        for e, day in (
            ("late", "2025-03-01"),
            ("early", "2024-01-01"),
            ("same day, first", "2025-02-01"),
            ("same day, second", "2025-02-01"),
        )
    ]
    tables["conditions"].reverse()
    summary = ingest_folder(write_csv(tmp_path / "extract", tables), store, KEY, today=TODAY)
    stored = table(summary, "encounters").column("encounter_id").to_pylist()
    assert stored == ["early", "same day, first", "same day, second", "late"]
    codes = table(summary, "conditions").column("code").to_pylist()
    assert codes == [c["code"] for c in tables["conditions"]]
