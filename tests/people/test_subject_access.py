"""What the people app puts in a subject access report: the person's details in words,
and their whole health and care history from the extract."""

from joinedcare.audit.subject_access import report
from tests.people.test_records import extract, known_terms  # noqa: F401  (fixtures)


def _section(person, title: str) -> list:
    return next(s["records"] for s in report(person) if s["title"] == title)


def test_subject_access_history_is_whole_and_in_words(extract, known_terms, person_a):  # noqa: F811
    records = _section(person_a, "Health and care records from your GP, hospital and council")

    found = {r.title: r.details for r in records}
    assert ("Type 2 diabetes mellitus", "2 March 2015") in found[
        "Long-term conditions (first recorded)"
    ]
    activity = [label for label, _ in found["Hospital and community activity"]]
    # Older than the person page's year, and still the person's: a report leaves none out.
    assert "Outpatient appointment" in activity
    assert ("Home care", "4 November 2024") in found["Social care"]
    assert "Day centre" not in str(records)


def test_subject_access_details_leave_out_internal_keys(db, person_a):
    (record,) = _section(person_a, "Your details")

    labels = [label for label, _ in record.details]
    assert labels[:3] == ["NHS number", "Given name", "Family name"]
    assert not any("id" in label.lower().split() for label in labels)
    assert person_a.pseudonym not in str(record.details)
