"""What a subject access report holds (UK GDPR art. 15), in words the person reads.

Each app says what it keeps about a person by registering a `Section` from its own
`subject_access` module; the audit app imports every such module at start-up
(`AuditConfig.ready`), as the admin finds `admin` modules. So a new kind of record joins
the report by adding one file to its own app, and the report never reaches into another
app's models.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import dateformat, timezone
from django.utils.text import capfirst

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Record:
    """One thing held (a referral, a care plan version): a title and labelled values."""

    title: str
    details: list[tuple[str, str]]


@dataclass(frozen=True)
class Section:
    """One kind of record, and how to find a person's records of that kind."""

    title: str
    records: Callable[[object], list[Record]]
    order: int = 100


_sections: list[Section] = []


def register(section: Section) -> None:
    """Add a kind of record to every subject access report."""
    _sections.append(section)
    _sections.sort(key=lambda s: s.order)


def sections() -> list[Section]:
    """Every registered kind of record, in report order."""
    return list(_sections)


def report(person) -> list[dict]:
    """Every section with the person's records in it, empty sections included, so the
    person can see we looked."""
    return [{"title": s.title, "records": s.records(person)} for s in sections()]


def readable(value: object) -> str:
    """A value as the person would read it: dates in words, Yes or No, names not ids."""
    if value is None or value == "" or value == []:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return dateformat.format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, date):
        return dateformat.format(value, "j F Y")
    if isinstance(value, AbstractBaseUser):
        return value.get_full_name() or value.get_username()
    if isinstance(value, list | tuple):
        return ", ".join(readable(v) for v in value)
    return str(value)


def details(obj: models.Model, names: Iterable[str]) -> list[tuple[str, str]]:
    """The named fields as (label, value): the field's verbose name, and the choice's
    label rather than its stored code."""
    rows = []
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, f"get_{name}_display")() if field.choices else getattr(obj, name)
        rows.append((capfirst(field.verbose_name), readable(value)))
    return rows
