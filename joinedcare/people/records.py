"""A person's known conditions and recent activity, read from the population extract.

The extract is the folder of Parquet files in the ingest layout (Demo County writes
one). Each file is sorted by NHS number, so DuckDB reads only the row groups of one
person. The web app reads it by NHS number; analytics only ever sees pseudonyms.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import duckdb

from joinedcare.people.terms import describe


@dataclass
class ClinicalSummary:
    available: bool
    conditions: list[dict] = field(default_factory=list)
    activity: list[dict] = field(default_factory=list)
    activity_counts: dict[str, int] = field(default_factory=dict)
    social_care: list[dict] = field(default_factory=list)
    # Rows of activity since `recent_from` before `limit` cut them: the page says so.
    activity_total: int = 0
    medications: list[dict] = field(default_factory=list)


SETTINGS = {
    "gp": "GP contact",
    "ae": "A&E attendance",
    "inpatient": "Hospital admission",
    "outpatient": "Outpatient appointment",
    "community": "Community health contact",
}


def _query(folder: Path, table: str, sql: str, *params) -> list[dict]:
    """Rows of one table for one person; `sql` reads `read_parquet(?)`, then `params`."""
    path = folder / f"{table}.parquet"
    if not path.exists():
        return []
    with duckdb.connect() as con:
        cursor = con.execute(sql, [str(path), *params])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def summary_for(
    folder: Path,
    nhs_number: str,
    *,
    recent_from: date,
    limit: int | None = 20,
    everything: bool = False,
) -> ClinicalSummary:
    """Long-term conditions (first recorded), activity since `recent_from`, social care.

    The page leaves out GP contacts (counted, too many to list) and medicines;
    `everything` lists them too, as a subject access report must."""
    if not (folder / "people.parquet").exists():
        return ClinicalSummary(available=False)
    conditions = _query(
        folder,
        "conditions",
        "select code_system, code, min(recorded_on) as first_recorded "
        "from read_parquet(?) where nhs_number = ? and source = 'gp' "
        "group by all order by first_recorded",
        nhs_number,
    )
    for row in conditions:
        row["term"] = describe(row["code_system"], row["code"])
    activity = _query(
        folder,
        "encounters",
        "select setting, admission_method, start_date, end_date, discharge_destination "
        "from read_parquet(?) where nhs_number = ? and (? or setting <> 'gp') "
        "order by start_date desc",
        nhs_number,
        everything,
    )
    counts = _query(
        folder,
        "encounters",
        "select setting, count(*) as n from read_parquet(?) "
        "where nhs_number = ? and start_date >= ? group by setting",
        nhs_number,
        recent_from,
    )
    social_care = _query(
        folder,
        "social_care",
        "select service, start_date, end_date from read_parquet(?) "
        "where nhs_number = ? order by start_date desc",
        nhs_number,
    )
    medications = (
        _query(
            folder,
            "medications",
            "select code_system, code, min(issued_on) as start_date, count(*) as issues "
            "from read_parquet(?) where nhs_number = ? group by all order by start_date",
            nhs_number,
        )
        if everything
        else []
    )
    for row in medications:
        row["label"] = describe(row["code_system"], row["code"])
    recent = [a for a in activity if a["start_date"] >= recent_from]
    for row in recent:
        row["label"] = SETTINGS.get(row["setting"], row["setting"])
        row["destination"] = (row["discharge_destination"] or "").replace("_", " ")
    return ClinicalSummary(
        available=True,
        conditions=conditions,
        activity=recent[:limit] if limit else recent,
        activity_total=len(recent),
        medications=medications,
        activity_counts={SETTINGS.get(c["setting"], c["setting"]): c["n"] for c in counts},
        social_care=[s | {"label": s["service"].replace("_", " ")} for s in social_care],
    )


@cache
def _latest(path: str, mtime: float) -> date | None:
    with duckdb.connect() as con:
        return con.execute("select max(start_date) from read_parquet(?)", [path]).fetchone()[0]


def latest_activity_date(folder: Path) -> date | None:
    """The newest activity in the extract (cached until the file changes)."""
    path = folder / "encounters.parquet"
    if not path.exists():
        return None
    return _latest(str(path), path.stat().st_mtime)
