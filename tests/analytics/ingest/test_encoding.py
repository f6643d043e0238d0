"""CSV files that are not UTF-8: a bad line is quarantined, a bad header stops the ingest."""

import gzip
from pathlib import Path

import pytest

from joinedcare.analytics.ingest import IngestError, ingest_folder

from .conftest import ALICE, KEY, TODAY, base_tables, quarantine, table, write_csv

UTF8_ADVICE = "save the file as UTF-8"


def _insert_line(path: Path, line: bytes, at: int) -> None:
    """Put `line` in the file so that it becomes line `at` (header = 1)."""
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(at - 1, line + b"\r\n")
    path.write_bytes(b"".join(lines))


def _append_line(path: Path, line: bytes) -> None:
    path.write_bytes(path.read_bytes() + line + b"\r\n")


def test_a_line_in_latin1_is_quarantined_and_the_rest_loads(tmp_path, store):
    folder = write_csv(tmp_path / "extract", base_tables())
    # Zoë in UTF-8 (one character, two bytes), then Café saved as Latin-1: é is byte 0xe9.
    _insert_line(folder / "practices.csv", "A3,Zoë's Caf".encode() + b"\xe9,T1,L1,", at=2)
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    (row,) = quarantine(summary)
    assert (row["file"], row["line"], row["table"], row["counted_as"]) == (
        "practices.csv",
        "2",
        "practices",
        "csv line",
    )
    assert row["reason"] == f"not UTF-8 text (byte 0xe9 at column 13): {UTF8_ADVICE}"
    assert row["raw_line"] == "A3,Zoë's Caf\\xe9,T1,L1,"
    assert table(summary, "practices").column("practice_code").to_pylist() == ["A1", "A2"]
    counts = summary.counts["practices"]
    assert (counts.read, counts.loaded, counts.quarantined) == (3, 2, 1)
    # The practices after the bad line loaded, so their people did too.
    assert summary.counts["people"].loaded == 3


def test_lines_in_windows_1252_keep_their_line_numbers_and_mask_nhs_numbers(tmp_path, store):
    folder = write_csv(tmp_path / "extract", base_tables())
    encounters = folder / "encounters.csv"
    # 0x92 is Windows-1252's curly apostrophe; a quoted value spanning lines comes first.
    _append_line(encounters, f'{ALICE},E7,gp,,2025-01-07,,"home\r\nagain"'.encode())
    _append_line(encounters, f"{ALICE},E8,gp,,2025-01-08,,".encode() + b"O\x92Neill")
    _append_line(encounters, f"{ALICE},E9,gp,,2025-01-09,,usual_residence".encode())
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    (row,) = quarantine(summary)
    assert (row["file"], row["line"]) == ("encounters.csv", "6")
    assert row["reason"] == f"not UTF-8 text (byte 0x92 at column 32): {UTF8_ADVICE}"
    assert ALICE not in row["raw_line"]
    assert row["raw_line"] == "[masked],E8,gp,,2025-01-08,,O\\x92Neill"
    ids = table(summary, "encounters").column("encounter_id").to_pylist()
    assert ids == ["E1", "E2", "E3", "E7", "E9"]
    assert summary.counts["encounters"].read == 6


def test_a_line_not_utf8_in_a_gzipped_csv_is_quarantined(tmp_path, store):
    folder = write_csv(tmp_path / "extract", base_tables())
    plain = folder / "practices.csv"
    _insert_line(plain, b"A3,Caf\xe9,T1,L1,", at=3)
    (folder / "practices.csv.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    (row,) = quarantine(summary)
    assert (row["file"], row["line"], row["reason"]) == (
        "practices.csv.gz",
        "3",
        f"not UTF-8 text (byte 0xe9 at column 7): {UTF8_ADVICE}",
    )
    assert summary.counts["practices"].loaded == 2


def test_a_short_line_not_utf8_is_quarantined_once_as_not_utf8(tmp_path, store):
    folder = write_csv(tmp_path / "extract", base_tables())
    _insert_line(folder / "practices.csv", b"A3,Caf\xe9", at=2)
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    (row,) = quarantine(summary)
    assert (row["line"], row["reason"]) == (
        "2",
        f"not UTF-8 text (byte 0xe9 at column 7): {UTF8_ADVICE}",
    )
    assert summary.counts["practices"].read == 3


def test_a_header_not_utf8_stops_the_ingest_and_keeps_the_current_snapshot(tmp_path, store):
    first = ingest_folder(write_csv(tmp_path / "a", base_tables()), store, KEY, today=TODAY)
    folder = write_csv(tmp_path / "b", base_tables())
    people = folder / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"sex", b"s\xe9x", 1))
    expected = (
        "people.csv: line 1 (the header) is not UTF-8 text (byte 0xe9 at column 27): "
        "save the file as UTF-8"
    )
    with pytest.raises(IngestError) as raised:
        ingest_folder(folder, store, KEY, today=TODAY)
    assert str(raised.value) == expected
    assert store.current() == first.snapshot
    assert store.snapshots() == [first.snapshot]


def test_a_byte_order_mark_is_accepted(tmp_path, store):
    plain = ingest_folder(write_csv(tmp_path / "plain", base_tables()), store, KEY, today=TODAY)
    folder = write_csv(tmp_path / "excel", base_tables())
    # Excel's "CSV UTF-8" starts every file with a byte-order mark.
    for path in folder.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    with_bom = ingest_folder(folder, store, KEY, today=TODAY)
    assert quarantine(with_bom) == []
    assert with_bom.snapshot.fingerprint == plain.snapshot.fingerprint


def test_no_row_is_lost_after_a_line_not_utf8_at_a_reader_chunk_boundary(tmp_path, store):
    # DuckDB reads a large CSV in chunks of 8,000,000 bytes; its parallel reader dropped every
    # row after a chunk whose first line was not UTF-8, and recorded no reject.
    folder = write_csv(tmp_path / "extract", base_tables())
    encounters = folder / "encounters.csv"
    data = bytearray(encounters.read_bytes())
    bad = 0
    for i in range(10, 200_000):
        near_boundary = abs(len(data) - 8_000_000) < 200
        ending = b"O\x92Neill" if near_boundary else b"usual_residence"
        data += f"{ALICE},E{i},gp,,2025-01-01,,".encode() + ending + b"\r\n"
        bad += near_boundary
    encounters.write_bytes(bytes(data))
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    counts = summary.counts["encounters"]
    assert (counts.read, counts.quarantined) == (3 + 199_990, bad)
    assert table(summary, "encounters").num_rows == 3 + 199_990 - bad
    assert {r["reason"] for r in quarantine(summary)} == {
        f"not UTF-8 text (byte 0x92 at column 37): {UTF8_ADVICE}"
    }


def test_the_summary_counts_lines_not_utf8_as_one_reason(tmp_path, store):
    folder = write_csv(tmp_path / "extract", base_tables())
    _insert_line(folder / "practices.csv", b"A3,Caf\xe9,T1,L1,", at=2)
    _insert_line(folder / "practices.csv", b"A4,Le Caf\xe9 du Coin,T1,L1,", at=3)
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    assert summary.top_reasons == [(f"not UTF-8 text: {UTF8_ADVICE}", 2)]
