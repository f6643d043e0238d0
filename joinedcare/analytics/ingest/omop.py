"""Stage an OMOP CDM 5.x database (a DuckDB file or a folder of its tables) as the layout.

The mapping (docs/ingest.md has the reasoning):
- person -> people: person_id is the identifier (pseudonymised as "omop:<id>"); date of birth
  from year/month/day_of_birth (a missing month is July, a missing day the 1st) or
  birth_datetime; gender_concept_id 8507 male, 8532 female, 8521 other, else unknown;
  registered_from = first observation_period start; date_of_death from death; practice from
  care_site ("CS<care_site_id>") or the single practice UNKNOWN.
- visit_occurrence -> encounters: setting from visit_concept_id; 262 (ER and inpatient) or
  an inpatient visit admitted from the emergency room (8870) is an emergency admission.
- condition_occurrence -> conditions and drug_exposure -> medications: the code and
  code_system of the source concept when it is in a vocabulary the layout holds, else of the
  standard concept. Other vocabularies (RxNorm, CVX, ICD9CM, ...) are kept as their name and
  so quarantined as "unknown code_system 'rxnorm'": nothing is dropped silently.
"""

# ruff: noqa: S608 -- SQL here is built from the schema's own names (quoted by quote()) and
# values escaped by literal(); no input text is put into SQL unescaped.

import logging
from pathlib import Path

import duckdb

from joinedcare.analytics.schema import TABLES

from .staging import (
    IngestError,
    StagedTable,
    create_raw_table,
    empty_staged,
    find_file,
    literal,
    quote,
)

log = logging.getLogger(__name__)

SOURCE_TABLES = (
    "person",
    "observation_period",
    "visit_occurrence",
    "condition_occurrence",
    "drug_exposure",
    "death",
    "concept",
    "care_site",
)
REQUIRED_TABLES = ("person", "observation_period", "concept")

UNKNOWN_PRACTICE = "UNKNOWN"

# visit_concept_id -> setting. Anything else is kept as "visit_concept_id N" and quarantined.
SETTINGS = {
    9201: "inpatient",  # Inpatient Visit
    262: "inpatient",  # Emergency Room and Inpatient Visit
    8717: "inpatient",  # Inpatient Hospital
    9203: "ae",  # Emergency Room Visit
    8870: "ae",  # Emergency Room - Hospital
    9202: "outpatient",  # Outpatient Visit
    38004207: "outpatient",  # Ambulatory Clinic / Center
    581477: "gp",  # Office Visit
    581476: "community",  # Home Visit
}
SEXES = {8507: "male", 8532: "female", 8521: "other"}  # gender_concept_id; else unknown
EMERGENCY_ROOM = 8870  # admitted_from: the admission came through the emergency department
DISCHARGE_DESTINATIONS = {
    8536: "usual_residence",  # Home
    8863: "care_home",  # Skilled Nursing Facility
    8676: "care_home",  # Nursing Facility
    8827: "care_home",  # Custodial Care Facility
}
VOCABULARIES = {
    "SNOMED": "snomed",
    "ICD10": "icd10",
    "ICD10CM": "icd10",
    "Read": "read2",
    "dm+d": "dmd",
    "BNF": "bnf",
}


def stage_omop(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, StagedTable]:
    """raw_<table> for every layout table from the OMOP tables at `path`."""
    available = _usable(con, _open(con, path))
    missing = [t for t in REQUIRED_TABLES if t not in available]
    if missing:
        raise IngestError(f"{path}: no OMOP table {', '.join(missing)}")
    staged = {
        "practices": _stage(con, "practices", _practices_sql(con, available), "care_site row"),
        "people": _stage(con, "people", _people_sql(con, available), "person row"),
    }
    for name, (source, sql) in {
        "encounters": ("visit_occurrence", _encounters_sql),
        "conditions": ("condition_occurrence", _conditions_sql),
        "medications": ("drug_exposure", _medications_sql),
    }.items():
        if source in available:
            staged[name] = _stage(con, name, sql(con), f"{source}_id", source)
        else:
            staged[name] = empty_staged(con, name)
    for name in ("social_care", "truth"):
        staged[name] = empty_staged(con, name)
    return {name: staged[name] for name in TABLES}


def _stage(
    con: duckdb.DuckDBPyConnection,
    name: str,
    sql: str,
    counted_as: str,
    file: str | None = None,
) -> StagedTable:
    columns = {r[0].lower() for r in con.execute(f"DESCRIBE {sql}").fetchall()}
    create_raw_table(con, TABLES[name], sql, columns - {"_line"})
    return StagedTable(
        name, file or {"practices": "care_site", "people": "person"}[name], counted_as
    )


def _open(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """A view omop_<table> for each OMOP table found; the names found."""
    if path.is_dir():
        return _open_folder(con, path)
    if not path.is_file():
        raise IngestError(f"{path}: no such OMOP database or folder")
    try:
        con.execute(f"ATTACH {literal(str(path))} AS omop_db (READ_ONLY)")
    except duckdb.Error as e:
        raise IngestError(f"{path}: cannot be opened as a DuckDB database ({e})") from e
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = 'omop_db'"
    ).fetchall()
    # The CDM may live in main or in its own schema (often "cdm"): use the schema with person.
    schemas = [s for s, t in rows if t.lower() == "person"]
    schema = "main" if "main" in schemas else (schemas[0] if schemas else "main")
    found = {t.lower(): t for s, t in rows if s == schema and t.lower() in SOURCE_TABLES}
    for name, table in found.items():
        con.execute(
            f"CREATE VIEW omop_{name} AS SELECT * FROM omop_db.{quote(schema)}.{quote(table)}"
        )
    return set(found)


def _open_folder(con: duckdb.DuckDBPyConnection, folder: Path) -> set[str]:
    found = set()
    for name in SOURCE_TABLES:
        path = find_file(folder, name)
        if path is None:
            continue
        reader = "read_parquet" if path.name.lower().endswith(".parquet") else "read_csv"
        extra = "" if reader == "read_parquet" else ", header=true, all_varchar=true"
        con.execute(
            f"CREATE VIEW omop_{name} AS SELECT * FROM {reader}({literal(str(path))}{extra})"
        )
        found.add(name)
    return found


# The columns each table must have to be used. Eunomia's own care_site and death tables have
# their header row as data (columns column0, column1, ...): such a table is left out, and
# the log says so, rather than failing the whole ingest.
NEEDED_COLUMNS = {
    "person": ("person_id", "gender_concept_id"),
    "observation_period": ("person_id", "observation_period_start_date"),
    "visit_occurrence": ("visit_occurrence_id", "person_id", "visit_concept_id"),
    "condition_occurrence": ("condition_occurrence_id", "person_id", "condition_concept_id"),
    "drug_exposure": ("drug_exposure_id", "person_id", "drug_concept_id"),
    "death": ("person_id", "death_date"),
    "concept": ("concept_id", "vocabulary_id", "concept_code"),
    "care_site": ("care_site_id", "care_site_name"),
}


def _usable(con: duckdb.DuckDBPyConnection, found: set[str]) -> set[str]:
    usable = set()
    for name in sorted(found):
        missing = [c for c in NEEDED_COLUMNS[name] if c not in _columns(con, name)]
        if missing:
            log.warning("OMOP table %s left out: no column %s", name, ", ".join(missing))
        else:
            usable.add(name)
    return usable


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> set[str]:
    return {r[0].lower() for r in con.execute(f"DESCRIBE omop_{view}").fetchall()}


def _int(expr: str) -> str:
    return f"try_cast({expr} AS BIGINT)"


def _date_text(expr: str) -> str:
    """A date as YYYY-MM-DD text; a value that is not a date passes through to be rejected."""
    return f"coalesce(strftime(try_cast({expr} AS DATE), '%Y-%m-%d'), CAST({expr} AS VARCHAR))"


def _case(expr: str, mapping: dict, default: str = "NULL") -> str:
    whens = " ".join(f"WHEN {literal(str(k))} THEN {literal(v)}" for k, v in mapping.items())
    return f"CASE CAST({expr} AS VARCHAR) {whens} ELSE {default} END"


def _practices_sql(con: duckdb.DuckDBPyConnection, available: set[str]) -> str:
    unknown = (
        f"SELECT 0 AS _line, {literal(UNKNOWN_PRACTICE)} AS practice_code, "
        "'Unknown practice (OMOP person without a care site)' AS practice_name, "
        f"{literal(UNKNOWN_PRACTICE)} AS team_code, {literal(UNKNOWN_PRACTICE)} AS locality_code"
    )
    if "care_site" not in available:
        return unknown
    return (
        f"{unknown} UNION ALL SELECT {_int('care_site_id')}, 'CS' || CAST(care_site_id AS "
        "VARCHAR), coalesce(CAST(care_site_name AS VARCHAR), 'Care site ' || "
        f"CAST(care_site_id AS VARCHAR)), {literal(UNKNOWN_PRACTICE)}, "
        f"{literal(UNKNOWN_PRACTICE)} FROM omop_care_site"
    )


def _people_sql(con: duckdb.DuckDBPyConnection, available: set[str]) -> str:
    death = (
        f"SELECT {_int('person_id')} AS pid, min(try_cast(death_date AS DATE)) AS died "
        "FROM omop_death GROUP BY 1"
        if "death" in available
        else "SELECT NULL::BIGINT AS pid, NULL::DATE AS died WHERE false"
    )
    born = (
        "CASE WHEN p.year_of_birth IS NOT NULL THEN printf('%04d-%02d-%02d', "
        f"{_int('p.year_of_birth')}, coalesce({_int('p.month_of_birth')}, 7), "
        f"coalesce({_int('p.day_of_birth')}, 1)) ELSE {_date_text('p.birth_datetime')} END"
    )
    care_site = "NULLIF(trim(CAST(p.care_site_id AS VARCHAR)), '')"
    return (
        f"WITH obs AS (SELECT {_int('person_id')} AS pid, "
        "min(try_cast(observation_period_start_date AS DATE)) AS since "
        f"FROM omop_observation_period GROUP BY 1), death AS ({death}) "
        f"SELECT row_number() OVER (ORDER BY {_int('p.person_id')}) AS _line, "
        "CAST(p.person_id AS VARCHAR) AS nhs_number, "
        f"{born} AS date_of_birth, "
        f"{_case('p.gender_concept_id', SEXES, literal('unknown'))} AS sex, "
        f"coalesce('CS' || {care_site}, {literal(UNKNOWN_PRACTICE)}) AS practice_code, "
        "strftime(obs.since, '%Y-%m-%d') AS registered_from, "
        "strftime(death.died, '%Y-%m-%d') AS date_of_death "
        f"FROM omop_person p LEFT JOIN obs ON obs.pid = {_int('p.person_id')} "
        f"LEFT JOIN death ON death.pid = {_int('p.person_id')}"
    )


def _encounters_sql(con: duckdb.DuckDBPyConnection) -> str:
    columns = _columns(con, "visit_occurrence")
    # CDM 5.3 and 5.4 name these two columns differently.
    admitted = next(
        (c for c in ("admitted_from_concept_id", "admitting_source_concept_id") if c in columns),
        None,
    )
    discharged = next(
        (c for c in ("discharged_to_concept_id", "discharge_to_concept_id") if c in columns), None
    )
    concept = _int("visit_concept_id")
    setting = _case(concept, SETTINGS, f"'visit_concept_id ' || CAST({concept} AS VARCHAR)")
    emergency = f"{concept} = 262" + (
        f" OR ({concept} = 9201 AND {_int(admitted)} = {EMERGENCY_ROOM})" if admitted else ""
    )
    destination = (
        _case(
            _int(discharged),
            DISCHARGE_DESTINATIONS,
            f"CASE WHEN coalesce({_int(discharged)}, 0) <> 0 THEN 'other' END",
        )
        if discharged
        else "NULL"
    )
    return (
        f"SELECT {_int('visit_occurrence_id')} AS _line, CAST(person_id AS VARCHAR) AS "
        "nhs_number, CAST(visit_occurrence_id AS VARCHAR) AS encounter_id, "
        f"{setting} AS setting, CASE WHEN {emergency} THEN 'emergency' END AS admission_method, "
        f"{_date_text('visit_start_date')} AS start_date, "
        f"{_date_text('visit_end_date')} AS end_date, "
        f"{destination} AS discharge_destination FROM omop_visit_occurrence"
    )


def _coded_sql(table: str, prefix: str, date_column: str, layout: str) -> str:
    """Code and code_system from the source concept if usable, else the standard concept."""
    allowed = TABLES[layout].column("code_system").allowed or ()
    src_system, std_system = _vocabulary("src"), _vocabulary("std")
    usable = f"{src_system} IN ({', '.join(literal(a) for a in allowed)})"
    date_name = "recorded_on" if layout == "conditions" else "issued_on"
    return (
        f"SELECT {_int(f'o.{table}_id')} AS _line, CAST(o.person_id AS VARCHAR) AS nhs_number, "
        f"CASE WHEN {usable} THEN {src_system} ELSE coalesce({std_system}, {src_system}) END "
        "AS code_system, "
        f"CASE WHEN {usable} THEN {_code('src')} ELSE coalesce({_code('std')}, {_code('src')}, "
        f"CAST(o.{prefix}_source_value AS VARCHAR)) END AS code, "
        f"{_date_text(f'o.{date_column}')} AS {date_name} "
        f"FROM omop_{table} o "
        f"LEFT JOIN omop_concept src ON {_int('src.concept_id')} = "
        f"{_int(f'o.{prefix}_source_concept_id')} AND {_int('src.concept_id')} <> 0 "
        f"LEFT JOIN omop_concept std ON {_int('std.concept_id')} = "
        f"{_int(f'o.{prefix}_concept_id')} AND {_int('std.concept_id')} <> 0"
    )


def _vocabulary(alias: str) -> str:
    return _case(f"{alias}.vocabulary_id", VOCABULARIES, f"lower({alias}.vocabulary_id)")


def _code(alias: str) -> str:
    # ICD-10 codes in the layout have no dot (K57.3 -> K573), as in HES.
    return (
        f"CASE WHEN {alias}.vocabulary_id IN ('ICD10', 'ICD10CM') "
        f"THEN replace({alias}.concept_code, '.', '') ELSE {alias}.concept_code END"
    )


def _conditions_sql(con: duckdb.DuckDBPyConnection) -> str:
    return _coded_sql("condition_occurrence", "condition", "condition_start_date", "conditions")


def _medications_sql(con: duckdb.DuckDBPyConnection) -> str:
    return _coded_sql("drug_exposure", "drug", "drug_exposure_start_date", "medications")
