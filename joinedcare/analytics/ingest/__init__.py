"""Ingest population data into the analytics store (see docs/ingest.md).

    summary = ingest("extract/", Store(root), key)                  # CSV or Parquet folder
    summary = ingest("cdm.duckdb", Store(root), key, format="omop")  # OMOP CDM 5.x

Every row read is either loaded into a new snapshot or written to its quarantine.csv with
file, line and reason. The NHS number is replaced by its keyed pseudonym before anything is
written. The new snapshot becomes current only once complete.
"""

from datetime import date
from pathlib import Path

from joinedcare.analytics.store import Store

from .folder import stage_folder
from .identity import NhsNumbers, OmopPersonIds
from .omop import stage_omop
from .pipeline import INGEST_VERSION, ROW_GROUP_ROWS, Progress, run
from .staging import IngestError
from .summary import Summary, TableCounts

FORMATS = ("folder", "omop")

__all__ = [
    "FORMATS",
    "INGEST_VERSION",
    "ROW_GROUP_ROWS",
    "IngestError",
    "Progress",
    "Summary",
    "TableCounts",
    "ingest",
    "ingest_folder",
    "ingest_omop",
]


def _store(store: Store | Path | str) -> Store:
    return store if isinstance(store, Store) else Store(store)


def ingest_folder(
    path: Path | str,
    store: Store | Path | str,
    key: str,
    *,
    progress: Progress | None = None,
    today: date | None = None,
    replace_smaller: bool = False,
) -> Summary:
    """Ingest a folder of CSV and/or Parquet files in the joinedcare layout.

    `progress(stage, done, total)` is called as the work advances; `today` (default: today)
    is the date after which birth, death and event dates are rejected as in the future.
    Raises IngestError, leaving the current snapshot as it was, for a missing file or
    required column. A snapshot with far fewer people than the current one is kept but not
    made current unless `replace_smaller` (see `Summary.held_back`).
    """
    identity = NhsNumbers(_checked_key(key))
    return _ingest(path, store, identity, "folder", progress, today, replace_smaller)


def ingest_omop(
    path: Path | str,
    store: Store | Path | str,
    key: str,
    *,
    progress: Progress | None = None,
    today: date | None = None,
    replace_smaller: bool = False,
) -> Summary:
    """Ingest an OMOP CDM 5.x database: a DuckDB file or a folder of its tables.

    person_id is pseudonymised as "omop:<person_id>" under the same key (OMOP has no NHS
    number); the mapping is in docs/ingest.md.
    """
    identity = OmopPersonIds(_checked_key(key))
    return _ingest(path, store, identity, "omop", progress, today, replace_smaller)


def ingest(
    path: Path | str,
    store: Store | Path | str,
    key: str,
    *,
    format: str = "folder",
    progress: Progress | None = None,
    today: date | None = None,
    replace_smaller: bool = False,
) -> Summary:
    """One front door for `joinedcare ingest PATH [--format omop]`."""
    if format not in FORMATS:
        raise IngestError(f"unknown format {format!r}: one of {', '.join(FORMATS)}")
    reader = ingest_omop if format == "omop" else ingest_folder
    return reader(path, store, key, progress=progress, today=today, replace_smaller=replace_smaller)


_STAGES = {"folder": stage_folder, "omop": stage_omop}


def _ingest(path, store, identity, format: str, progress, today, replace_smaller) -> Summary:
    path = Path(path)
    return run(
        lambda con: _STAGES[format](con, path),
        source=path,
        format=format,
        store=_store(store),
        identity=identity,
        progress=progress,
        today=today,
        replace_smaller=replace_smaller,
    )


def _checked_key(key: str) -> str:
    # Fail before reading anything: without a key every pseudonym would be guessable.
    if not key:
        raise IngestError("a pseudonym key is required (the web app's settings hold it)")
    return key
