"""What the people app puts in a subject access report: the person's details in words,
and their whole health and care history from the extract."""

from datetime import date

import pyarrow as pa

from joinedcare.audit.subject_access import report
from tests.people.test_records import _write, extract, known_terms  # noqa: F401  (fixtures)

MEDICATIONS = pa.schema(
    [
        ("nhs_number", pa.string()),
        ("code_system", pa.string()),
        ("code", pa.string()),
        ("issued_on", pa.date32()),
    ]
)


def _section(person, title: str) -> list:
    return next(s["records"] for s in report(person) if s["title"] == title)


def test_subject_access_history_is_whole_and_in_words(extract, known_terms, person_a):  # noqa: F811
    records = _section(person_a, "Health and care records from your GP, hospital and council")

    found = {r.title: r.details for r in records}
    assert ("Type 2 diabetes mellitus", "2 March 2015") in found[
        "Long-term conditions (first recorded)"
    ]
    activity = [label for label, _ in found["GP, hospital and community activity"]]
    # Older than the person page's year, and still the person's: a report leaves none out.
    assert "Outpatient appointment" in activity
    # GP contacts too: the report had quoted "40 GP contacts" yet listed none.
    assert "GP contact" in activity
    assert ("Home care", "4 November 2024") in found["Social care"]
    assert "Day centre" not in str(records)


def test_subject_access_details_leave_out_internal_keys(db, person_a):
    (record,) = _section(person_a, "Your details")

    labels = [label for label, _ in record.details]
    assert labels[:3] == ["NHS number", "Given name", "Family name"]
    assert not any("id" in label.lower().split() for label in labels)
    assert person_a.pseudonym not in str(record.details)


def test_subject_access_lists_medicines_first_issued(extract, known_terms, person_a):  # noqa: F811
    issued = [date(2023, 1, 5), date(2023, 2, 5)]
    rows = [
        {"nhs_number": person_a.nhs_number, "code_system": "dmd", "code": "3224111000001106",
         "issued_on": day}
        for day in issued
    ]  # fmt: skip
    _write(extract, "medications", rows, MEDICATIONS)
    records = _section(person_a, "Health and care records from your GP, hospital and council")

    found = {r.title: r.details for r in records}
    assert found["Medicines (first issued)"] == [("DMD 3224111000001106", "5 January 2023")]
