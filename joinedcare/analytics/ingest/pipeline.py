"""One ingest: stage, pseudonymise, check, write a snapshot, switch to it.

All row work is SQL in an in-memory DuckDB (spilling to a temporary folder when large); Python
only loops over distinct person identifiers.
"""

# ruff: noqa: S608 -- SQL here is built from the schema's own names (quoted by quote()) and
# values escaped by literal(); no input text is put into SQL unescaped.

import importlib.metadata
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from joinedcare.analytics.schema import PERSON_ID, TABLES, Table, quarantine_columns
from joinedcare.analytics.store import SnapshotWriter, Store

from .identity import Identity, identity_table
from .rules import checked_column, checked_sql, duplicate_update_sql, reference_sql
from .staging import MALFORMED, StagedTable, create_malformed_table, literal, quote
from .summary import Summary, TableCounts

# Bump when the same input would give a different snapshot (recorded in every manifest).
# 2: encounters stored in date order.
INGEST_VERSION = 2

# Rows per Parquet row group: each group's min/max lets engines skip it (encounters are
# stored in date order, `Table.stored_order`).
ROW_GROUP_ROWS = 100_000

Progress = Callable[[str, int, int], None]
Stage = Callable[[duckdb.DuckDBPyConnection], dict[str, StagedTable]]

TOP_REASONS = 10
# A new snapshot with fewer people than this share of the current one's is loaded but not
# made current unless asked: a partial or test extract would otherwise silently replace the
# whole population behind every case list and dashboard.
SHRINK_LIMIT = 0.5
# DuckDB's own cap (its default is 80% of the machine): beyond it the staged tables spill to
# the temporary folder instead of growing the process.
MEMORY_LIMIT = "1500MB"


def run(
    stage: Stage,
    *,
    source: Path,
    format: str,
    store: Store,
    identity: Identity,
    progress: Progress | None = None,
    today: date | None = None,
    replace_smaller: bool = False,
) -> Summary:
    """Stage the input with `stage`, then check, pseudonymise and write a new snapshot, made
    current unless it holds fewer than SHRINK_LIMIT of the current one's people (and
    `replace_smaller` is not set): then it is kept, and `Summary.held_back` says why."""
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    today = today or date.today()
    with tempfile.TemporaryDirectory(prefix="joinedcare-ingest-") as spill:
        con = duckdb.connect(config={"temp_directory": spill, "memory_limit": MEMORY_LIMIT})
        # No DuckDB progress bar: it draws on long queries even without a terminal, into
        # the logs of `joinedcare ingest`, which reports its own progress.
        con.execute("SET enable_progress_bar = false")
        try:
            with store.begin() as writer:
                staged = _stage(con, stage, report)
                if format == "folder":
                    format = _folder_format(staged)
                _resolve_identities(con, identity, report)
                counts = _check_and_write_all(con, staged, writer, today, identity.label, report)
                _write_quarantine(con, writer)
                top = _top_reasons(con)
                manifest = _manifest(source, format, staged, counts, today)
                held_back = None if replace_smaller else _shrinks(store, counts["people"].loaded)
                snapshot = writer.commit(manifest, TABLES, make_current=held_back is None)
        finally:
            con.close()
    seconds = time.perf_counter() - started
    return Summary(snapshot, str(source), format, counts, top, seconds, held_back)


def _shrinks(store: Store, people: int) -> str | None:
    """Why a snapshot of `people` should not replace the current one, or None."""
    current = store.current()
    if current is None:
        return None
    before = current.manifest.get("rows", {}).get("people", {}).get("loaded", 0)
    if people >= SHRINK_LIMIT * before:
        return None
    return (
        f"it holds {people:,} people, fewer than {SHRINK_LIMIT:.0%} of the {before:,} in the "
        f"current snapshot {current.id}"
    )


def _stage(con: duckdb.DuckDBPyConnection, stage: Stage, report: Progress) -> dict:
    create_malformed_table(con)
    _create_quarantine_table(con)
    report("read", 0, len(TABLES))
    staged = stage(con)
    report("read", len(TABLES), len(TABLES))
    return staged


def _folder_format(staged: dict[str, StagedTable]) -> str:
    kinds = {s.counted_as for s in staged.values() if s.file is not None}
    if kinds == {"csv line"}:
        return "csv"
    return "parquet" if kinds == {"parquet row"} else "mixed"


def _resolve_identities(
    con: duckdb.DuckDBPyConnection, identity: Identity, report: Progress
) -> None:
    """The `ids` table: each distinct raw identifier, its pseudonym or why it has none."""
    union = " UNION ".join(
        f"SELECT {quote(PERSON_ID)} AS v FROM raw_{t.name}"
        for t in TABLES.values()
        if PERSON_ID in t.column_names
    )
    values = con.sql(f"SELECT DISTINCT v FROM ({union}) WHERE v IS NOT NULL").to_arrow_table()
    raw = values.column(0).to_pylist() if values.num_rows else []
    report("pseudonymise", 0, len(raw))
    ids = identity_table(identity, raw)
    con.register("ids_arrow", ids)
    con.execute("CREATE TABLE ids AS SELECT * FROM ids_arrow")
    con.unregister("ids_arrow")
    report("pseudonymise", len(raw), len(raw))


def _check_and_write_all(
    con: duckdb.DuckDBPyConnection,
    staged: dict[str, StagedTable],
    writer: SnapshotWriter,
    today: date,
    label: str,
    report: Progress,
) -> dict[str, TableCounts]:
    counts = {}
    for done, table in enumerate(TABLES.values(), start=1):
        counts[table.name] = _check_and_write(con, table, staged[table.name], writer, today, label)
        report("check and write", done, len(TABLES))
    return counts


def _check_and_write(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    staged: StagedTable,
    writer: SnapshotWriter,
    today: date,
    label: str,
) -> TableCounts:
    """Check every row of one table; write the good ones and quarantine the rest."""
    name = table.name
    sql = reference_sql(table, checked_sql(table, today, label))
    con.execute(f"CREATE TABLE checked AS {sql}")
    con.execute(duplicate_update_sql(table))
    if name == "practices":
        con.execute(
            "CREATE TABLE good_practices AS SELECT DISTINCT practice_code "
            "FROM checked WHERE _reason IS NULL"
        )
    if name == "people":
        con.execute(
            "CREATE TABLE good_people AS SELECT DISTINCT _pseudonym AS pseudonym "
            "FROM checked WHERE _reason IS NULL"
        )
    _write_table(con, _good_rows_sql(table), writer.table_path(name))
    _quarantine_rows(con, table, staged)
    read, loaded = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE _reason IS NULL) FROM checked"
    ).fetchall()[0]
    malformed = con.execute(
        f"SELECT count(*) FROM {MALFORMED} WHERE table_name = {literal(name)}"
    ).fetchall()[0][0]
    con.execute(f"DROP TABLE checked; DROP TABLE raw_{name}")
    return TableCounts(read + malformed, loaded, read - loaded + malformed)


def _good_rows_sql(table: Table) -> str:
    """The stored columns, typed, sorted by the table's `stored_order` and then input order:
    the pseudonym replaces the NHS number."""
    parts = [
        f"{checked_column(table, name)} AS {quote(stored)}"
        for name, stored in zip(table.column_names, table.stored_columns, strict=True)
    ]
    order = [checked_column(table, c) for c in table.stored_order] + ["_line"]
    return (
        f"SELECT {', '.join(parts)} FROM checked WHERE _reason IS NULL ORDER BY {', '.join(order)}"
    )


def _write_table(con: duckdb.DuckDBPyConnection, select_sql: str, path: Path) -> None:
    """Write one snapshot table as Parquet."""
    con.execute(
        f"COPY ({select_sql}) TO {literal(str(path))} "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
    )


def _create_quarantine_table(con: duckdb.DuckDBPyConnection) -> None:
    raw = ", ".join(f"{quote(c)} VARCHAR" for c in quarantine_columns())
    con.execute(
        "CREATE TABLE quarantine (table_order INTEGER, file VARCHAR, line BIGINT, "
        f"reason VARCHAR, counted_as VARCHAR, table_name VARCHAR, kind VARCHAR, {raw}, "
        "raw_line VARCHAR)"
    )


def _quarantine_rows(con: duckdb.DuckDBPyConnection, table: Table, staged: StagedTable) -> None:
    """Rejected rows with NHS numbers masked: the pseudonym when valid, '[invalid]' when not."""
    order = list(TABLES).index(table.name)
    head = f"{order}, {literal(staged.file or '')}"
    raw = []
    for column in quarantine_columns():
        if column == PERSON_ID and column in table.column_names:
            raw.append(
                f"CASE WHEN _pseudonym IS NOT NULL THEN _pseudonym WHEN {quote(PERSON_ID)} "
                "IS NULL THEN NULL ELSE '[invalid]' END"
            )
        else:
            raw.append(quote(column) if column in table.column_names else "NULL")
    con.execute(
        f"INSERT INTO quarantine SELECT {head}, _line, _reason, {literal(staged.counted_as)}, "
        f"{literal(table.name)}, _kind, {', '.join(raw)}, NULL FROM checked "
        "WHERE _reason IS NOT NULL"
    )
    nulls = ", ".join("NULL" for _ in quarantine_columns())
    con.execute(
        f"INSERT INTO quarantine SELECT {head}, line, reason, {literal(staged.counted_as)}, "
        f"table_name, reason, {nulls}, raw_line FROM {MALFORMED} "
        f"WHERE table_name = {literal(table.name)}"
    )


def _write_quarantine(con: duckdb.DuckDBPyConnection, writer: SnapshotWriter) -> None:
    raw = ", ".join(quote(c) for c in quarantine_columns())
    con.execute(
        f'COPY (SELECT file, line, reason, counted_as, table_name AS "table", {raw}, raw_line '
        "FROM quarantine ORDER BY table_order, line) "
        f"TO {literal(str(writer.quarantine_path))} (FORMAT csv, HEADER true)"
    )


def _top_reasons(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    # Lines that are not UTF-8 are one reason however many columns their bytes are at.
    kind = r"regexp_replace(kind, ' \(byte 0x[0-9a-f]{2} at column \d+\)', '')"
    rows = con.execute(
        f"SELECT {kind}, count(*) FROM quarantine GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP_REASONS}"
    ).fetchall()
    return [(str(kind), int(n)) for kind, n in rows]


def _manifest(
    source: Path,
    format: str,
    staged: dict[str, StagedTable],
    counts: dict[str, TableCounts],
    today: date,
) -> dict:
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(source),
        "format": format,
        "files": {name: s.file for name, s in staged.items()},
        "line_numbers": {name: s.counted_as for name, s in staged.items() if s.file},
        "rows": {
            name: {"read": c.read, "loaded": c.loaded, "quarantined": c.quarantined}
            for name, c in counts.items()
        },
        "future_dates_checked_against": today.isoformat(),
        "code_version": {"joinedcare": _version(), "ingest": INGEST_VERSION},
    }


def _version() -> str:
    try:
        return importlib.metadata.version("joinedcare")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return "unknown"
