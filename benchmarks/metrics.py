"""Build Demo County, ingest it, and compute every analytics metric for every unit and month.

    .venv/bin/python benchmarks/metrics.py --scale 1 [--workdir DIR]

Prints the seconds of each metric, the roll-up to practices, teams, localities and the place,
the breakdowns by deprivation, age band, sex and ethnic group, storing the results beside the
snapshot and reading them back, and peak memory. The last line printed is one JSON object with
every figure (aim: all of it under 60 s at scale 1). `--workdir` keeps the county and its
analytics store there and reuses them on the next run (the build and ingest then take no time).
"""

import argparse
import json
import resource
import secrets
import tempfile
import time
from pathlib import Path

from joinedcare.analytics.ingest import ingest
from joinedcare.analytics.metrics import engine, stored
from joinedcare.analytics.store import Store
from joinedcare.synthetic import build_county


def county_store(out: Path, seed: int, scale: float) -> tuple[Store, float, float]:
    """The county's analytics store under `out`, built and ingested unless already there."""
    store = Store(out / "store")
    if store.current() is not None:
        return store, 0.0, 0.0
    start = time.perf_counter()
    build_county(out / "county", seed=seed, scale=scale)
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    ingest(out / "county" / "extract", store, secrets.token_hex(16))
    return store, build_seconds, time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20170628)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary one")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="metrics_bench_") as tmp:
        out = args.workdir or Path(tmp)
        store, build_seconds, ingest_seconds = county_store(out, args.seed, args.scale)
        snapshot = store.current()

        start = time.perf_counter()
        tables = engine.read_snapshot(snapshot.path)
        months = engine.snapshot_months(tables)
        results = engine.compute_all(tables, months=months)
        compute_seconds = time.perf_counter() - start

        start = time.perf_counter()
        practices = engine.practices_frame(tables)
        rows = 0
        for result in results.values():
            if result.status != engine.COMPUTED:
                continue
            rows += len(result.by_unit())
            for dimension in engine.DIMENSIONS:
                for level in engine.LEVELS:
                    rows += len(result.by_group(dimension, level=level))
        rollup_seconds = time.perf_counter() - start
        people = tables["people"].count().execute()

        # What an ingest adds after computing: the results written beside the snapshot, and
        # what the first dashboard view after it pays instead of computing: reading them.
        start = time.perf_counter()
        stored.write(snapshot, results)
        write_seconds = time.perf_counter() - start
        start = time.perf_counter()
        read_back = stored.read(snapshot)
        read_seconds = time.perf_counter() - start
        assert read_back is not None and set(read_back) == set(results)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    computed = {s: r for s, r in results.items() if r.status == engine.COMPUTED}
    for slug, result in computed.items():
        print(f"{slug:40s} {result.seconds:6.2f} s  {len(result.cells):>9,d} cells")
    skipped = sorted(s for s, r in results.items() if r.status == engine.SKIPPED)
    print(f"skipped (operations): {', '.join(skipped)}")
    metrics_seconds = compute_seconds + rollup_seconds
    print(
        f"{people:,d} people, {len(months)} months, {len(practices)} practices: "
        f"{len(computed)} metrics in {compute_seconds:.1f} s, units and breakdowns "
        f"({rows:,d} rows) in {rollup_seconds:.1f} s; stored in {write_seconds:.2f} s, "
        f"read back in {read_seconds:.2f} s; peak RSS {peak_mb:.0f} MB"
    )
    figures = {
        "scale": args.scale,
        "people": int(people),
        "months": len(months),
        "practices": len(practices),
        "metrics_computed": len(computed),
        "metrics_skipped": len(skipped),
        "seconds_build": round(build_seconds, 2),
        "seconds_ingest": round(ingest_seconds, 2),
        "seconds_metrics": round(compute_seconds, 2),
        "seconds_units_and_breakdowns": round(rollup_seconds, 2),
        "seconds_all_metrics_total": round(metrics_seconds, 2),
        "seconds_by_metric": {s: round(r.seconds, 2) for s, r in computed.items()},
        "seconds_store_write": round(write_seconds, 2),
        "seconds_store_read": round(read_seconds, 2),
        "rows_out": rows,
        "peak_rss_mb": round(peak_mb, 1),
        "under_60_s": metrics_seconds < 60,
    }
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
