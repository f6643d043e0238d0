"""The person's own details and the health and care history we hold from the extracts,
for their subject access report."""

from datetime import datetime

from django.conf import settings
from django.utils.text import capfirst

from joinedcare.audit.subject_access import Record, Section, details, readable, register

from . import records
from .models import Person

# Internal keys (database id, public id, pseudonym) are ours, not facts about the person.
DETAILS = [
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "lsoa",
    "imd_decile",
    "ethnic_category",
    "registered_from",
    "date_of_death",
]


def _details(person: Person) -> list[Record]:
    rows = [("NHS number", person.formatted_nhs_number), *details(person, DETAILS)]
    rows.insert(-2, ("GP practice", readable(person.practice.name if person.practice else "")))
    return [Record("", rows)]


def _history(person: Person) -> list[Record]:
    # Everything since birth: a subject access report leaves nothing out.
    summary = records.summary_for(
        settings.RECORDS_DIR,
        person.nhs_number,
        recent_from=person.date_of_birth,
        limit=None,
        everything=True,
    )
    return [
        Record("Long-term conditions (first recorded)", _listed(summary.conditions, "term")),
        Record("GP, hospital and community activity", _listed(summary.activity, "label")),
        Record("Medicines (first issued)", _listed(summary.medications, "label")),
        Record("Social care", _listed(summary.social_care, "label")),
    ]


def _listed(rows: list[dict], label: str) -> list[tuple[str, str]]:
    # Conditions carry the day first recorded; activity and social care their start.
    return [
        (capfirst(row[label]), readable(_day(row.get("first_recorded") or row["start_date"])))
        for row in rows
    ]


def _day(value: object) -> object:
    # The extracts hold some dates as timestamps: the day is what the person needs.
    return value.date() if isinstance(value, datetime) else value


register(Section("Your details", _details, order=0))
register(Section("Health and care records from your GP, hospital and council", _history, order=1))
