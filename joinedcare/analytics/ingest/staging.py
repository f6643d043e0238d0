"""Staging: every input table as text in DuckDB, one row per input row, with its line number.

Each source (a folder of CSV or Parquet files, an OMOP database) fills `raw_<table>` with
`_line` and every layout column as VARCHAR, trimmed, empty as NULL. Reading everything as
text is what lets a bad value become one quarantined row instead of a failed load.
CSV lines that cannot be split into fields, or are not UTF-8, go to `malformed` with
their line.
"""

# ruff: noqa: S608 -- SQL here is built from the schema's own names (quoted by quote()) and
# values escaped by literal(); no input text is put into SQL unescaped.

from dataclasses import dataclass
from pathlib import Path

import duckdb

from joinedcare.analytics.schema import TABLES, Table

MALFORMED = "malformed"


class IngestError(Exception):
    """A problem with a whole input (a missing file or required column): nothing is loaded."""


@dataclass(frozen=True)
class StagedTable:
    """Where a staged table came from and how its `_line` numbers count."""

    name: str
    file: str | None  # the file name as shown in quarantine.csv; None when absent
    counted_as: str  # "csv line", "parquet row", ...


def quote(name: str) -> str:
    """A DuckDB identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A DuckDB string literal."""
    return "'" + value.replace("'", "''") + "'"


def create_malformed_table(con: duckdb.DuckDBPyConnection) -> None:
    """The table of CSV lines that could not be read as rows."""
    con.execute(
        f"CREATE TABLE {MALFORMED} "
        "(table_name VARCHAR, line BIGINT, reason VARCHAR, raw_line VARCHAR)"
    )


def create_raw_table(
    con: duckdb.DuckDBPyConnection, table: Table, select_sql: str | None, columns: set[str]
) -> None:
    """raw_<table> from a query whose columns are `columns` plus `_line` (None: empty table).

    Optional columns missing from the input become NULL.
    """
    parts = ["CAST(_line AS BIGINT) AS _line"]
    for name in table.column_names:
        if name in columns:
            parts.append(f"NULLIF(trim(CAST({quote(name)} AS VARCHAR)), '') AS {quote(name)}")
        else:
            parts.append(f"CAST(NULL AS VARCHAR) AS {quote(name)}")
    source = select_sql or "SELECT NULL AS _line WHERE false"
    con.execute(f"CREATE TABLE raw_{table.name} AS SELECT {', '.join(parts)} FROM ({source})")


def check_required_columns(table: Table, file: str, columns: set[str]) -> list[str]:
    """File-level problems: each required column missing from the file's header."""
    return [
        f"{file}: missing required column {name!r} (the {table.name} file needs "
        f"{', '.join(table.required_columns)})"
        for name in table.required_columns
        if name not in columns
    ]


def empty_staged(con: duckdb.DuckDBPyConnection, name: str) -> StagedTable:
    """An optional table that is absent: staged with no rows."""
    create_raw_table(con, TABLES[name], None, set())
    return StagedTable(name, None, "")


def find_file(folder: Path, stem: str) -> Path | None:
    """<stem>.csv, .csv.gz or .parquet in `folder` (case-insensitive); two is an error."""
    matches = [
        p
        for p in folder.iterdir()
        if p.is_file() and p.name.lower() in {f"{stem}.csv", f"{stem}.csv.gz", f"{stem}.parquet"}
    ]
    if len(matches) > 1:
        names = ", ".join(sorted(p.name for p in matches))
        raise IngestError(f"{folder}: more than one {stem} file ({names}); keep one")
    return matches[0] if matches else None
