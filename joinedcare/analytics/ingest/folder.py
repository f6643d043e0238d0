"""Stage a folder of CSV or Parquet files (the layout in docs/ingest.md) into DuckDB."""

# ruff: noqa: S608 -- SQL here is built from the schema's own names (quoted by quote()) and
# values escaped by literal(); no input text is put into SQL unescaped.

import codecs
import csv
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
    # Replaced by the exact byte and column (_explain_not_utf8) when the line can be found.
    "INVALID ENCODING": "not UTF-8 text: save the file as UTF-8",
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
        f"escape='\"', parallel={str(_is_plain_utf8(path)).lower()}, store_rejects=true, "
        f"rejects_table='rej_{table.name}', rejects_scan='rej_scan_{table.name}'"
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
    _explain_not_utf8(con, table, path)
    parts = [f"{line} AS _line"] + [
        f"s.{quote(header[n][0])} AS {quote(n)}" for n in table.column_names if n in header
    ]
    select = f"SELECT {', '.join(parts)} FROM src_{table.name} s {join}"
    create_raw_table(con, table, select, set(header) & set(table.column_names))
    con.execute(f"DROP TABLE src_{table.name}")
    return StagedTable(table.name, path.name, "csv line"), problems


def _csv_header(path: Path) -> list[str]:
    """The header's names: read here so a short or long row cannot confuse DuckDB's sniffer."""
    try:
        with _open_binary(path) as f:
            names = next(csv.reader(_header_lines(f, path)), [])
    except (OSError, csv.Error) as e:
        raise IngestError(f"{path.name}: cannot read the header line ({e})") from e
    if not names:
        raise IngestError(f"{path.name}: empty file (a header line is needed)")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise IngestError(f"{path.name}: column {', '.join(repeated)} appears more than once")
    return names


def _is_plain_utf8(path: Path) -> bool:
    """Whether DuckDB may read the file in parallel: uncompressed and all UTF-8 text.

    DuckDB 2.0's parallel reader silently drops every row after a non-UTF-8 line that starts
    one of its 8 MB chunks, without a reject. Checking here costs about 0.2 s per 250 MB; a
    file that fails is read in one piece (about twice as slow, every row kept). A .gz file is
    always read in one piece: decompressing it here would cost more than it saves.
    """
    if path.name.lower().endswith(".gz"):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 23):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _open_binary(path: Path) -> BinaryIO:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _header_lines(f: BinaryIO, path: Path) -> Iterator[str]:
    """The file's lines as text, for csv.reader to take the header from.

    Decoded one line at a time (not a text-mode buffer of 8 KB) so that a bad byte in a data
    line cannot fail the header: that line is quarantined later. A byte-order mark is dropped.
    """
    for number, data in enumerate(f, start=1):
        data = data.removeprefix(b"\xef\xbb\xbf") if number == 1 else data
        problem = not_utf8(data)
        if problem:
            raise IngestError(f"{path.name}: line 1 (the header) is {problem}")
        yield data.decode("utf-8")


def not_utf8(data: bytes) -> str | None:
    """Why `data` is not UTF-8 text, naming its first bad byte and column; None when it is.

    The column counts characters from the start of the line (1 = first), as an editor does.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        column = len(data[line_start : e.start].decode("utf-8")) + 1
        return (
            f"not UTF-8 text (byte 0x{data[e.start]:02x} at column {column}): "
            "save the file as UTF-8"
        )
    return None


def _csv_line_numbers(con: duckdb.DuckDBPyConnection, table: Table) -> tuple[str, str]:
    """SQL for each read row's line (header = line 1) skipping unreadable lines, and its join.

    The table was created from the reader in file order, so rowid is the row's position.
    """
    rejects = f"rej_{table.name}"
    con.execute(
        f"INSERT INTO {MALFORMED} SELECT {literal(table.name)}, line, "
        f"{_csv_reason_sql()}, regexp_replace(csv_line, '{NHS_NUMBER_PATTERN}', '[masked]', 'g') "
        # One reason per line; a line that is not UTF-8 says so first (its other errors
        # may only be the reader's misreading of the bad bytes).
        f"FROM (SELECT DISTINCT ON (line) * FROM {rejects} "
        f"ORDER BY line, CAST(error_type AS VARCHAR) = 'INVALID ENCODING' DESC)"
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


def _explain_not_utf8(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> None:
    """Give each quarantined line that is not UTF-8 its first bad byte, column and text.

    DuckDB only says a line is not UTF-8 (and shows its bad bytes as '?'), so those lines are
    read again here. Only files with such lines are read twice: a clean file costs nothing.
    """
    lines = {
        r[0]
        for r in con.execute(
            f"SELECT line FROM {MALFORMED} WHERE table_name = ? AND reason = ?",
            [table.name, _CSV_ERRORS["INVALID ENCODING"]],
        ).fetchall()
    }
    if not lines:
        return
    found = []
    for number, data in _csv_records(path, last=max(lines)):
        problem = not_utf8(data) if number in lines else None
        if problem:
            text = data.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
            found.append({"line": number, "reason": problem, "raw_line": text})
    if not found:
        return  # a line that spans lines moved the count: the plain reason stays
    con.register(f"not_utf8_{table.name}", pa.Table.from_pylist(found))
    con.execute(
        f"UPDATE {MALFORMED} m SET reason = f.reason, raw_line = regexp_replace(f.raw_line, "
        f"'{NHS_NUMBER_PATTERN}', '[masked]', 'g') FROM not_utf8_{table.name} f "
        f"WHERE m.table_name = {literal(table.name)} AND m.line = f.line"
    )
    con.unregister(f"not_utf8_{table.name}")


def _csv_records(path: Path, last: int) -> Iterator[tuple[int, bytes]]:
    """Each CSV record's line number (header = 1, as DuckDB counts) and bytes, up to `last`.

    A record ends at a newline outside quotes: with '"' as the quote and its own escape, that
    is a newline after an even number of quotes.
    """
    with _open_binary(path) as f:
        number, record, quotes = 1, b"", 0
        for data in f:
            record, quotes = record + data, quotes + data.count(b'"')
            if quotes % 2:
                continue
            yield number, record
            if number >= last:
                return
            number, record, quotes = number + 1, b"", 0
        if record:
            yield number, record


def _csv_reason_sql() -> str:
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in _CSV_ERRORS.items())
    return f"CASE CAST(error_type AS VARCHAR) {cases} ELSE 'unreadable row' END"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]
