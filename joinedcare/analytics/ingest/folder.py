"""Stage a folder of CSV or Parquet files (the layout in docs/ingest.md) into DuckDB."""

# ruff: noqa: S608 -- SQL here is built from the schema's own names (quoted by quote()) and
# values escaped by literal(); no input text is put into SQL unescaped.

import csv
import gzip
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from joinedcare.analytics.schema import TABLES, Table

from .staging import (
    MALFORMED,
    IngestError,
    StagedTable,
    check_required_columns,
    create_raw_table,
    empty_staged,
    find_file,
    literal,
    quote,
)

# Any run of ten digits (optionally spaced like an NHS number) in an unreadable CSV line is
# masked: we cannot tell which field it was in, and the quarantine must hold no NHS number.
NHS_NUMBER_PATTERN = r"\d{3}[ -]?\d{3}[ -]?\d{4}"

_CSV_ERRORS = {
    "MISSING COLUMNS": "row has fewer fields than the header",
    "TOO MANY COLUMNS": "row has more fields than the header",
    "UNQUOTED VALUE": "row has a quote inside an unquoted value",
    "INVALID UNICODE": "row is not valid UTF-8",
    "LINE SIZE OVER MAXIMUM": "row is too long",
}


def stage_folder(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, StagedTable]:
    """raw_<table> for every table in the layout; IngestError lists every file-level problem."""
    if not folder.is_dir():
        raise IngestError(f"{folder}: not a folder")
    found = {name: find_file(folder, name) for name in TABLES}
    missing = [
        f"{folder}: no {name} file ({name}.csv or {name}.parquet)"
        for name, path in found.items()
        if path is None and TABLES[name].required
    ]
    if missing:
        raise IngestError("\n".join(missing))
    staged, errors = {}, []
    for name, path in found.items():
        if path is None:
            staged[name] = empty_staged(con, name)
            continue
        reader = _stage_parquet if path.name.lower().endswith(".parquet") else _stage_csv
        staged[name], problems = reader(con, TABLES[name], path)
        errors += problems
    if errors:
        raise IngestError("\n".join(errors))
    return staged


def _header(con: duckdb.DuckDBPyConnection, relation_sql: str) -> dict[str, tuple[str, str]]:
    """Lower-cased, trimmed column name -> (name in the file, DuckDB type)."""
    rows = con.execute(f"DESCRIBE {relation_sql}").fetchall()
    return {str(r[0]).strip().lower(): (r[0], r[1]) for r in rows}


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path
) -> tuple[StagedTable, list[str]]:
    source = f"read_parquet({literal(str(path))}, file_row_number=true)"
    try:
        header = _header(con, f"SELECT * FROM read_parquet({literal(str(path))})")
    except duckdb.Error as e:
        raise IngestError(f"{path.name}: cannot be read as Parquet ({_first_line(e)})") from e
    problems = check_required_columns(table, path.name, set(header))
    parts = ["file_row_number + 1 AS _line"]
    for name in table.column_names:
        if name in header:
            original, type_ = header[name]
            parts.append(f"{_as_text(quote(original), type_, table, name)} AS {quote(name)}")
    select = f"SELECT {', '.join(parts)} FROM {source}"
    create_raw_table(con, table, select, set(header) & set(table.column_names))
    return StagedTable(table.name, path.name, "parquet row"), problems


def _as_text(expr: str, type_: str, table: Table, name: str) -> str:
    # A timestamp in a date column keeps its date: the layout has dates only.
    if table.column(name).type == "date" and type_.upper().startswith("TIMESTAMP"):
        return f"CAST(CAST({expr} AS DATE) AS VARCHAR)"
    return f"CAST({expr} AS VARCHAR)"


def _stage_csv(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path
) -> tuple[StagedTable, list[str]]:
    # Every column as text, fixed dialect (no guessing the delimiter from a sample), and rows
    # the reader cannot split kept aside with their line number instead of failing the load.
    names = _csv_header(path)
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names) + "}"
    options = (
        f"columns={columns}, header=true, auto_detect=false, delim=',', quote='\"', "
        f"escape='\"', store_rejects=true, rejects_table='rej_{table.name}', "
        f"rejects_scan='rej_scan_{table.name}'"
    )
    try:
        con.execute(
            f"CREATE TABLE src_{table.name} AS "
            f"SELECT * FROM read_csv({literal(str(path))}, {options})"
        )
    except duckdb.Error as e:
        raise IngestError(f"{path.name}: cannot be read as CSV ({_first_line(e)})") from e
    header = _header(con, f"src_{table.name}")
    problems = check_required_columns(table, path.name, set(header))
    line, join = _csv_line_numbers(con, table)
    parts = [f"{line} AS _line"] + [
        f"s.{quote(header[n][0])} AS {quote(n)}" for n in table.column_names if n in header
    ]
    select = f"SELECT {', '.join(parts)} FROM src_{table.name} s {join}"
    create_raw_table(con, table, select, set(header) & set(table.column_names))
    con.execute(f"DROP TABLE src_{table.name}")
    return StagedTable(table.name, path.name, "csv line"), problems


def _csv_header(path: Path) -> list[str]:
    """The header's names: read here so a short or long row cannot confuse DuckDB's sniffer."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
            names = next(csv.reader(f), [])
    except (UnicodeDecodeError, OSError, csv.Error) as e:
        raise IngestError(f"{path.name}: cannot read the header line ({e})") from e
    if not names:
        raise IngestError(f"{path.name}: empty file (a header line is needed)")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise IngestError(f"{path.name}: column {', '.join(repeated)} appears more than once")
    return names


def _csv_line_numbers(con: duckdb.DuckDBPyConnection, table: Table) -> tuple[str, str]:
    """SQL for each read row's line (header = line 1) skipping unreadable lines, and its join.

    The table was created from the reader in file order, so rowid is the row's position.
    """
    rejects = f"rej_{table.name}"
    con.execute(
        f"INSERT INTO {MALFORMED} SELECT {literal(table.name)}, line, "
        f"{_csv_reason_sql()}, regexp_replace(csv_line, '{NHS_NUMBER_PATTERN}', '[masked]', 'g') "
        f"FROM (SELECT DISTINCT ON (line) * FROM {rejects} ORDER BY line)"
    )
    bad = np.array(
        [r[0] for r in con.execute(f"SELECT DISTINCT line FROM {rejects} ORDER BY 1").fetchall()],
        dtype=np.int64,
    )
    if bad.size == 0:
        return "s.rowid + 2", ""
    rows = con.execute(f"SELECT count(*) FROM src_{table.name}").fetchall()[0][0]
    lines = np.setdiff1d(np.arange(2, rows + bad.size + 2, dtype=np.int64), bad)[:rows]
    mapping = pa.table({"row": np.arange(rows, dtype=np.int64), "line": lines})
    con.register(f"lines_{table.name}", mapping)
    return "m.line", f"JOIN lines_{table.name} m ON m.row = s.rowid"


def _csv_reason_sql() -> str:
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in _CSV_ERRORS.items())
    return f"CASE CAST(error_type AS VARCHAR) {cases} ELSE 'unreadable row' END"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
