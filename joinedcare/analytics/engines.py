"""Engines: one interface over DuckDB (the default) and PySpark (scale-out).

Feature code is written once in Ibis; this module is the only place that knows which
engine runs it. `connect()` gives an Ibis backend, `tables()` reads a snapshot's Parquet
files into Ibis tables on that backend.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from pathlib import Path
from typing import Any, Literal

import ibis

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")

# Tables a snapshot may hold; missing optional ones (truth) are simply left out.
TABLE_NAMES = (
    "people",
    "practices",
    "conditions",
    "encounters",
    "medications",
    "social_care",
    "truth",
)

_spark_lock = threading.Lock()
_spark_session: Any = None
# Spark views are global to the session: unique names keep two snapshots read in one
# session (tests) from replacing each other's views under existing expressions.
_view_ids = itertools.count()


def spark_session(*, cores: int = 2, memory: str = "2g") -> Any:
    """The process-wide local Spark session, created once.

    Local mode only: `local[cores]`, few shuffle partitions (the default 200 makes small
    jobs spend their time scheduling empty tasks), no UI and bound to the loopback address
    so nothing listens on the network. UTC so dates never shift with the machine's zone.
    """
    global _spark_session
    with _spark_lock:
        if _spark_session is None:
            from pyspark.sql import SparkSession

            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            _spark_session = (
                SparkSession.builder.master(f"local[{cores}]")
                .appName("joinedcare-analytics")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
                .config("spark.default.parallelism", str(max(2, cores * 2)))
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.driver.memory", memory)
                .config("spark.sql.ansi.enabled", "false")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .getOrCreate()
            )
            _spark_session.sparkContext.setLogLevel("ERROR")
        return _spark_session


def connect(engine: Engine = "duckdb", *, threads: int | None = None) -> Any:
    """An Ibis backend for `engine`: a fresh in-memory DuckDB, or the shared Spark session."""
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        # DuckDB draws a progress bar on long queries even without a terminal; it would
        # garble logs and the benchmark's output.
        con.raw_sql("SET enable_progress_bar = false")
        # The feature query left-joins each pass to the cohort, whose row count DuckDB
        # underestimates (a quarter, from its filters); it then built hash tables from the
        # wide million-row cohort side instead of the pass (0.9 CPU-s for one join at a
        # million people, 0.1 s as written): the feature query puts each pass on the right.
        con.raw_sql("SET disabled_optimizers = 'build_side_probe_side'")
        if threads:
            con.raw_sql(f"SET threads = {int(threads)}")
        return con
    if engine == "spark":
        return ibis.pyspark.connect(spark_session())
    raise ValueError(f"Unknown engine {engine!r}: choose one of {', '.join(ENGINES)}.")


def tables(con: Any, snapshot_path: str | Path) -> dict[str, ibis.Table]:
    """Read every table of the snapshot folder (`<name>.parquet`) on the backend `con`.

    A snapshot from ingest keeps its tables at the top of the folder; a Demo County build
    keeps them under `extract/`, so both layouts are accepted.
    """
    root = Path(snapshot_path)
    if not (root / "people.parquet").exists() and (root / "extract" / "people.parquet").exists():
        root = root / "extract"
    found = {}
    for name in TABLE_NAMES:
        path = root / f"{name}.parquet"
        if path.exists():
            found[name] = con.read_parquet(str(path), table_name=f"jc_{name}_{next(_view_ids)}")
    missing = {"people", "practices", "encounters"} - set(found)
    if missing:
        raise FileNotFoundError(f"Snapshot {root} lacks tables: {', '.join(sorted(missing))}")
    return found
