"""The ingest layout as data: tables, columns, types, allowed values and keys.

Ingest (`joinedcare.analytics.ingest`), its documentation (docs/ingest.md) and the tests all
read this one description, so a column added here is validated, stored and documented alike.
"""

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["str", "date", "int", "float"]

# The column that identifies a person in every input file. It is replaced by the pseudonym
# and never written to the analytics store.
PERSON_ID = "nhs_number"
PSEUDONYM = "pseudonym"

# Dates before this are typing errors in these extracts (nobody alive was born earlier).
EARLIEST_DATE = "1880-01-01"

# NHS Data Dictionary ethnic category codes (2001 census categories); Z = not stated.
ETHNIC_CATEGORIES = tuple("ABCDEFGHJKLMNPRSZ")


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    type: ColumnType = "str"
    required: bool = True
    allowed: tuple[str, ...] | None = None
    # Inclusive bounds for int and float columns.
    bounds: tuple[float, float] | None = None
    # Dates of things that have happened (birth, death, a recorded diagnosis) cannot be in
    # the future; planned end dates can.
    not_future: bool = False
    # Reason wording for a value outside `allowed`: "unknown code_system 'icd9'" reads better
    # than a list of every allowed code system.
    unknown_reason: bool = False


@dataclass(frozen=True)
class Table:
    """One input table: its columns, key and the checks across its columns."""

    name: str
    noun: str  # "an encounter for an unknown person"
    columns: tuple[Column, ...]
    required: bool = True
    # None: the whole row is the key (a repeated identical row is a duplicate).
    key: tuple[str, ...] | None = None
    # (earlier, later): the later date may not come before the earlier one.
    date_order: tuple[tuple[str, str], ...] = ()
    # Child tables refer to a person who must be in people.
    has_person: bool = True
    # Columns the snapshot's rows are sorted by (ties in input order). Encounters are kept
    # in date order whatever order they arrive in: the features read windows of the last
    # months, and Parquet's per-row-group date ranges then let the engine skip the older
    # row groups.
    stored_order: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def stored_columns(self) -> tuple[str, ...]:
        """Column names in the snapshot: the pseudonym in place of the NHS number."""
        return tuple(PSEUDONYM if n == PERSON_ID else n for n in self.column_names)


def _optional(name: str, type_: ColumnType = "str", **kw) -> Column:
    return Column(name, type_, required=False, **kw)


SEXES = ("female", "male", "other", "unknown")
SETTINGS = ("gp", "ae", "inpatient", "outpatient", "community")
MEDICATION_CODE_SYSTEMS = ("dmd", "bnf", "snomed")
SOCIAL_CARE_SERVICES = (
    "home_care",
    "reablement",
    "residential_care",
    "nursing_care",
    "day_care",
    "equipment",
    "telecare",
    "direct_payment",
    "other",
)

PRACTICES = Table(
    "practices",
    noun="practice",
    columns=(
        Column("practice_code"),
        Column("practice_name"),
        Column("team_code"),
        Column("locality_code"),
        _optional("postcode"),
    ),
    key=("practice_code",),
    has_person=False,
)

PEOPLE = Table(
    "people",
    noun="person",
    columns=(
        Column(PERSON_ID),
        Column("date_of_birth", "date", not_future=True),
        Column("sex", allowed=SEXES),
        Column("practice_code"),
        Column("registered_from", "date", not_future=True),
        _optional("registered_to", "date"),
        _optional("postcode"),
        _optional("lsoa"),
        _optional("imd_decile", "int", bounds=(1, 10)),
        _optional("ethnic_category", allowed=ETHNIC_CATEGORIES),
        _optional("date_of_death", "date", not_future=True),
    ),
    key=(PERSON_ID,),
    date_order=(
        ("date_of_birth", "registered_from"),
        ("registered_from", "registered_to"),
        ("date_of_birth", "date_of_death"),
    ),
)

CONDITIONS = Table(
    "conditions",
    noun="condition",
    columns=(
        Column(PERSON_ID),
        Column("code_system", allowed=("snomed", "icd10", "ctv3", "read2"), unknown_reason=True),
        Column("code"),
        Column("recorded_on", "date", not_future=True),
        _optional("source", allowed=("gp", "inpatient", "outpatient", "ae", "community")),
    ),
)

ENCOUNTERS = Table(
    "encounters",
    noun="encounter",
    columns=(
        Column(PERSON_ID),
        Column("encounter_id"),
        Column("setting", allowed=SETTINGS),
        _optional("admission_method", allowed=("emergency", "elective", "other")),
        Column("start_date", "date", not_future=True),
        _optional("end_date", "date"),
        _optional("discharge_destination"),
    ),
    key=("encounter_id",),
    date_order=(("start_date", "end_date"),),
    stored_order=("start_date",),
)

MEDICATIONS = Table(
    "medications",
    noun="medication",
    columns=(
        Column(PERSON_ID),
        Column("code_system", allowed=MEDICATION_CODE_SYSTEMS, unknown_reason=True),
        Column("code"),
        Column("issued_on", "date", not_future=True),
    ),
    required=False,
)

SOCIAL_CARE = Table(
    "social_care",
    noun="social care service",
    columns=(
        Column(PERSON_ID),
        Column("service", allowed=SOCIAL_CARE_SERVICES),
        Column("start_date", "date", not_future=True),
        _optional("end_date", "date"),
    ),
    required=False,
    date_order=(("start_date", "end_date"),),
)

TRUTH = Table(
    "truth",
    noun="truth row",
    columns=(
        Column(PERSON_ID),
        Column("index_date", "date"),
        Column("p_emergency_admission_12m", "float", bounds=(0, 1)),
    ),
    required=False,
    key=(PERSON_ID, "index_date"),
)

# In load order: a table's references (practice, person) are loaded before it.
TABLES: dict[str, Table] = {
    t.name: t for t in (PRACTICES, PEOPLE, CONDITIONS, ENCOUNTERS, MEDICATIONS, SOCIAL_CARE, TRUTH)
}


def quarantine_columns() -> tuple[str, ...]:
    """Every layout column once, in layout order: the raw-row part of quarantine.csv."""
    names: dict[str, None] = {}
    for table in TABLES.values():
        names.update(dict.fromkeys(table.column_names))
    return tuple(names)
