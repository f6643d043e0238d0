"""Ingest rejections: one test per reason, each checking file, line, reason and nothing lost."""

from pathlib import Path

import pytest

from joinedcare.analytics.ingest import IngestError, ingest_folder
from joinedcare.analytics.store import Store
from joinedcare.pseudonym import pseudonymise

from .conftest import (
    ALICE,
    BAD_CHECK_DIGIT,
    BOB,
    CAROL,
    KEY,
    TODAY,
    UNKNOWN,
    assert_nothing_lost,
    base_tables,
    quarantine,
    table,
    write_csv,
    write_parquet,
)


def _with_row(name: str, **changes: str) -> tuple[dict, int]:
    """The base extract plus one row of `name` (a copy of its first row, changed).

    Returns the tables and the new row's CSV line (header = 1).
    """
    tables = base_tables()
    tables[name].append({**tables[name][0], **changes})
    return tables, len(tables[name]) + 1


def _rejected(ingest_csv, name: str, **changes: str) -> dict[str, str]:
    """Ingest the base extract plus one bad row; the one quarantine row, after the checks."""
    tables, line = _with_row(name, **changes)
    summary = ingest_csv(tables)
    assert_nothing_lost(summary, tables)
    rows = quarantine(summary)
    assert len(rows) == 1, rows
    assert summary.counts[name].quarantined == 1
    assert summary.counts[name].loaded == len(tables[name]) - 1
    (row,) = rows
    assert (row["file"], row["line"], row["table"]) == (f"{name}.csv", str(line), name)
    assert row["counted_as"] == "csv line"
    return row


def test_rejects_missing_required_value(ingest_csv):
    row = _rejected(ingest_csv, "encounters", encounter_id="E9", start_date="")
    assert row["reason"] == "missing value in required column start_date"


def test_rejects_missing_nhs_number(ingest_csv):
    row = _rejected(ingest_csv, "conditions", nhs_number="")
    assert row["reason"] == "missing value in required column nhs_number"
    assert row["nhs_number"] == ""


def test_rejects_a_value_that_is_not_a_date(ingest_csv):
    row = _rejected(ingest_csv, "encounters", encounter_id="E9", start_date="2025-13-01")
    assert row["reason"] == "start_date '2025-13-01' is not a date (YYYY-MM-DD)"


def test_rejects_a_date_in_another_format(ingest_csv):
    row = _rejected(ingest_csv, "conditions", recorded_on="01/05/2020")
    assert row["reason"] == "recorded_on '01/05/2020' is not a date (YYYY-MM-DD)"


def test_rejects_a_date_of_birth_in_the_future(ingest_csv):
    number = _a_new_person()
    row = _rejected(
        ingest_csv,
        "people",
        nhs_number=number,
        date_of_birth="2026-04-01",
        registered_from="2026-04-01",
    )
    assert row["reason"] == "date_of_birth in the future"


def test_rejects_a_date_before_1880(ingest_csv):
    row = _rejected(ingest_csv, "conditions", recorded_on="1066-10-14")
    assert row["reason"] == "recorded_on before 1880-01-01"


def test_rejects_an_end_before_its_start(ingest_csv):
    row = _rejected(ingest_csv, "encounters", encounter_id="E9", end_date="2024-12-31")
    assert row["reason"] == "end_date before start_date"


def test_rejects_death_before_birth(ingest_csv):
    row = _rejected(ingest_csv, "people", nhs_number=_a_new_person(), date_of_death="1940-01-01")
    assert row["reason"] == "date_of_death before date_of_birth"


def test_rejects_a_number_that_is_not_whole(ingest_csv):
    row = _rejected(ingest_csv, "people", nhs_number=_a_new_person(), imd_decile="ten")
    assert row["reason"] == "imd_decile 'ten' is not a whole number"


def test_rejects_imd_decile_out_of_range(ingest_csv):
    row = _rejected(ingest_csv, "people", nhs_number=_a_new_person(), imd_decile="11")
    assert row["reason"] == "imd_decile 11 not in 1-10"


def test_rejects_a_probability_that_is_not_a_number(ingest_csv):
    row = _rejected(ingest_csv, "truth", index_date="2024-04-01", p_emergency_admission_12m="high")
    assert row["reason"] == "p_emergency_admission_12m 'high' is not a number"


def test_rejects_a_probability_above_one(ingest_csv):
    row = _rejected(ingest_csv, "truth", index_date="2024-04-01", p_emergency_admission_12m="1.5")
    assert row["reason"] == "p_emergency_admission_12m 1.5 not in 0-1"


def test_rejects_a_value_not_allowed(ingest_csv):
    row = _rejected(ingest_csv, "people", nhs_number=_a_new_person(), sex="F")
    assert row["reason"] == "sex 'F' not one of female|male|other|unknown"


def test_rejects_an_unknown_ethnic_category(ingest_csv):
    row = _rejected(ingest_csv, "people", nhs_number=_a_new_person(), ethnic_category="X")
    assert row["reason"].startswith("ethnic_category 'X' not one of A|B|")


def test_rejects_an_unknown_code_system(ingest_csv):
    row = _rejected(ingest_csv, "conditions", code_system="icd9")
    assert row["reason"] == "unknown code_system 'icd9'"


def test_rejects_an_unknown_medication_code_system(ingest_csv):
    row = _rejected(ingest_csv, "medications", code_system="rxnorm")
    assert row["reason"] == "unknown code_system 'rxnorm'"


def test_rejects_an_nhs_number_failing_the_check_digit(ingest_csv):
    row = _rejected(ingest_csv, "people", nhs_number=BAD_CHECK_DIGIT)
    assert row["reason"] == "NHS number fails the check digit"
    assert row["nhs_number"] == "[invalid]"


def test_rejects_an_nhs_number_without_ten_digits(ingest_csv):
    row = _rejected(ingest_csv, "people", nhs_number="12345")
    assert row["reason"] == "NHS number does not have 10 digits"


def test_rejects_an_nhs_number_never_issued(ingest_csv):
    # 0000000000 passes the check digit but is in no issued or synthetic range.
    row = _rejected(ingest_csv, "people", nhs_number="0000000000")
    assert row["reason"] == "NHS number outside the issued and synthetic ranges"


def test_rejects_a_duplicate_encounter_id(ingest_csv):
    row = _rejected(ingest_csv, "encounters", encounter_id="E1")
    assert row["reason"] == "duplicate encounter_id E1 (first seen on line 2)"


def test_rejects_a_duplicate_person_without_showing_the_number(ingest_csv):
    # "943 476 5919" and "9434765919" are one number: the spaced one is the duplicate.
    spaced = f"{ALICE[:3]} {ALICE[3:6]} {ALICE[6:]}"
    row = _rejected(ingest_csv, "people", nhs_number=spaced)
    assert row["reason"] == "duplicate nhs_number (first seen on line 2)"
    assert row["nhs_number"] == pseudonymise(ALICE, KEY)


def test_rejects_a_duplicate_row(ingest_csv):
    row = _rejected(ingest_csv, "conditions")
    assert row["reason"] == "duplicate row (first seen on line 2)"


def test_rejects_a_duplicate_truth_row(ingest_csv):
    row = _rejected(ingest_csv, "truth", p_emergency_admission_12m="0.5")
    assert row["reason"] == "duplicate nhs_number and index_date (first seen on line 2)"


def test_rejects_an_encounter_for_an_unknown_person(ingest_csv):
    row = _rejected(ingest_csv, "encounters", nhs_number=UNKNOWN, encounter_id="E9")
    assert row["reason"] == "encounter for an unknown person"
    assert row["nhs_number"] == pseudonymise(UNKNOWN, KEY)


@pytest.mark.parametrize(
    ("name", "noun"),
    [
        ("conditions", "condition"),
        ("medications", "medication"),
        ("social_care", "social care service"),
        ("truth", "truth row"),
    ],
)
def test_rejects_other_rows_for_an_unknown_person(ingest_csv, name, noun):
    changes = {"index_date": "2020-04-01"} if name == "truth" else {}
    row = _rejected(ingest_csv, name, nhs_number=UNKNOWN, **changes)
    assert row["reason"] == f"{noun} for an unknown person"


def test_rejects_rows_of_a_rejected_person(ingest_csv):
    tables = base_tables()
    tables["people"][1]["sex"] = "M"  # Bob is rejected, so his condition is too
    summary = ingest_csv(tables)
    assert_nothing_lost(summary, tables)
    reasons = {(r["table"], r["line"]): r["reason"] for r in quarantine(summary)}
    assert reasons == {
        ("people", "3"): "sex 'M' not one of female|male|other|unknown",
        ("conditions", "3"): "condition for an unknown person",
        ("medications", "2"): "medication for an unknown person",
    }


def test_rejects_a_person_at_an_unknown_practice(ingest_csv):
    row = _rejected(ingest_csv, "people", nhs_number=_a_new_person(), practice_code="Z9")
    assert row["reason"] == "unknown practice_code 'Z9'"


def test_rejects_a_csv_row_with_too_few_fields(tmp_path, store):
    folder = write_csv(tmp_path / "extract", base_tables())
    _append_line(folder / "encounters.csv", f"{ALICE},E9,gp")
    _append_line(folder / "encounters.csv", f"{ALICE},E10,gp,,2025-01-05,2025-01-05,")
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    (row,) = quarantine(summary)
    assert (row["file"], row["line"], row["reason"]) == (
        "encounters.csv",
        "5",
        "row has fewer fields than the header",
    )
    assert ALICE not in row["raw_line"] and "[masked]" in row["raw_line"]
    # The line after the unreadable one is loaded, and counted as line 6.
    assert table(summary, "encounters").column("encounter_id").to_pylist()[-1] == "E10"
    assert summary.counts["encounters"].read == 5
    assert summary.counts["encounters"].loaded + summary.counts["encounters"].quarantined == 5


def test_rejects_a_csv_row_with_too_many_fields(tmp_path, store):
    folder = write_csv(tmp_path / "extract", base_tables())
    _append_line(folder / "conditions.csv", f"{BOB},snomed,1,2020-01-01,gp,extra")
    _append_line(folder / "conditions.csv", f"{BOB},snomed,2,2020-01-01,gp,extra")
    _append_line(folder / "conditions.csv", f"{ALICE},snomed,3,2020-01-01,gp")
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    assert [(r["line"], r["reason"]) for r in quarantine(summary)] == [
        ("4", "row has more fields than the header"),
        ("5", "row has more fields than the header"),
    ]
    assert table(summary, "conditions").num_rows == 3


def test_parquet_rejections_give_the_row_number(tmp_path, store):
    tables, line = _with_row("encounters", encounter_id="E9", setting="hospital")
    folder = write_parquet(tmp_path / "extract", tables)
    summary = ingest_folder(folder, store, KEY, today=TODAY)
    assert_nothing_lost(summary, tables)
    (row,) = quarantine(summary)
    assert (row["file"], row["line"], row["counted_as"]) == (
        "encounters.parquet",
        str(line - 1),
        "parquet row",
    )
    assert row["reason"] == "setting 'hospital' not one of gp|ae|inpatient|outpatient|community"


def test_every_reason_is_counted_in_the_summary(ingest_csv):
    tables = base_tables()
    tables["encounters"].append({**tables["encounters"][0], "encounter_id": "E1"})
    tables["encounters"].append({**tables["encounters"][0], "encounter_id": "E1"})
    tables["conditions"].append({**tables["conditions"][0], "code_system": "icd9"})
    summary = ingest_csv(tables)
    assert summary.top_reasons == [("duplicate encounter_id", 2), ("unknown code_system", 1)]
    assert summary.quarantined == 3
    assert "duplicate encounter_id" in str(summary)


def test_missing_required_column_fails_the_whole_file(tmp_path, store):
    tables = base_tables()
    for row in tables["encounters"]:
        del row["setting"]
    folder = write_csv(tmp_path / "extract", tables)
    with pytest.raises(IngestError, match=r"encounters\.csv: missing required column 'setting'"):
        ingest_folder(folder, store, KEY, today=TODAY)
    assert store.current() is None
    assert store.snapshots() == []


def test_missing_required_file_fails(tmp_path, store):
    folder = write_csv(tmp_path / "extract", base_tables())
    (folder / "practices.csv").unlink()
    with pytest.raises(IngestError, match="no practices file"):
        ingest_folder(folder, store, KEY, today=TODAY)


def test_missing_optional_column_becomes_null(ingest_csv):
    tables = base_tables()
    for row in tables["people"]:
        del row["imd_decile"], row["postcode"]
    summary = ingest_csv(tables)
    assert_nothing_lost(summary, tables)
    people = table(summary, "people")
    assert people.column("imd_decile").to_pylist() == [None, None, None]
    assert str(people.schema.field("imd_decile").type) == "int32"


def test_missing_optional_table_is_stored_empty(ingest_csv):
    tables = base_tables()
    del tables["truth"], tables["medications"]
    summary = ingest_csv(tables)
    assert_nothing_lost(summary, tables)
    truth = table(summary, "truth")
    assert truth.num_rows == 0
    assert truth.column_names == ["pseudonym", "index_date", "p_emergency_admission_12m"]
    assert summary.snapshot.manifest["files"]["truth"] is None


def test_good_rows_are_typed_and_pseudonymised(ingest_csv):
    summary = ingest_csv(base_tables())
    people = table(summary, "people")
    assert people.column_names[0] == "pseudonym"
    expected = [pseudonymise(n, KEY) for n in (ALICE, BOB, CAROL)]
    assert people.column("pseudonym").to_pylist() == expected
    assert str(people.schema.field("date_of_birth").type) == "date32[day]"
    assert str(table(summary, "truth").schema.field("p_emergency_admission_12m").type) == "double"


def _a_new_person() -> str:
    """A valid number not in the base extract, so a changed person row is not a duplicate."""
    from .conftest import NUMBERS

    return NUMBERS[4]


def _append_line(path: Path, line: str) -> None:
    with path.open("a") as f:
        f.write(line + "\r\n")  # csv.writer ends lines with CRLF, as Excel does


def test_store_is_given_as_a_path(tmp_path):
    folder = write_csv(tmp_path / "extract", base_tables())
    summary = ingest_folder(folder, tmp_path / "store", KEY, today=TODAY)
    assert Store(tmp_path / "store").current() == summary.snapshot
    assert BOB not in summary.snapshot.quarantine_path.read_text()
