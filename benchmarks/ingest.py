"""Build Demo County, ingest it, and report rows, rows per second, seconds and peak memory.

    .venv/bin/python benchmarks/ingest.py --scale 1 [--csv]

The last line printed is one JSON object with every figure, for scripts and CI.
"""

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import duckdb
from _apart import KEY, in_child

from joinedcare.analytics.ingest import ingest_folder
from joinedcare.analytics.store import Store
from joinedcare.synthetic import build_county


def _as_csv(extract: Path, out: Path) -> Path:
    """The same extract as CSV files (to time the CSV reader)."""
    out.mkdir()
    con = duckdb.connect()
    for parquet in sorted(extract.glob("*.parquet")):
        target = out / f"{parquet.stem}.csv"
        # Our own temporary paths, not user input.
        con.execute(f"COPY (SELECT * FROM read_parquet('{parquet}')) TO '{target}' (HEADER)")  # noqa: S608
    return out


def main(argv: list[str] | None = None) -> dict:
    """Build at --scale, ingest once, print per-table rows and rows/s, then one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20170628)
    parser.add_argument("--csv", action="store_true", help="ingest CSV copies of the files")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ingest_bench_") as tmp:
        out = Path(tmp)
        # The generator's own peak (about 2.5 GB at scale 1) is not what is measured.
        in_child(
            "building Demo County", build_county, out / "county", seed=args.seed, scale=args.scale
        )
        extract = out / "county" / "extract"
        if args.csv:
            extract = _as_csv(extract, out / "csv")
        stages: dict[str, float] = {}
        last = [time.perf_counter()]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            stages[stage] = stages.get(stage, 0.0) + now - last[0]
            last[0] = now

        start = time.perf_counter()
        summary = ingest_folder(extract, Store(out / "store"), KEY, progress=progress)
        seconds = time.perf_counter() - start
    # ru_maxrss is in kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(summary)
    rows = {name: c.read for name, c in summary.counts.items()}
    total = sum(rows.values())
    for name, n in rows.items():
        print(f"{name:14s} {n:>12,d} rows")
    print(
        f"total {total:,d} rows in {seconds:.1f} s = {total / seconds:,.0f} rows/s, "
        f"peak RSS {peak_mb:.0f} MB"
    )
    result = {
        "scale": args.scale,
        "format": "csv" if args.csv else "parquet",
        "seconds_total": round(seconds, 2),
        "seconds_by_stage": {k: round(v, 2) for k, v in stages.items()},
        "rows": rows,
        "rows_total": total,
        "rows_per_second": round(total / seconds),
        "quarantined": summary.quarantined,
        "peak_rss_mb": round(peak_mb, 1),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
