"""Build Demo County and report time, rows, size on disk and peak memory.

    .venv/bin/python benchmarks/demo_county.py --scale 1

The last line printed is one JSON object with every figure, for scripts and CI.
"""

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from joinedcare.synthetic import build_county


def main(argv: list[str] | None = None) -> dict:
    """Build the county once and print per-stage seconds, rows, MB and peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20170628)
    parser.add_argument("--out", type=Path, default=None, help="default: a temporary directory")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="demo_county_") as tmp:
        out = args.out or Path(tmp)
        start = time.perf_counter()
        manifest = build_county(
            out,
            seed=args.seed,
            scale=args.scale,
            progress=lambda stage, seconds: print(f"{stage:45s} {seconds:8.2f} s"),
        )
        total = time.perf_counter() - start
        sizes = {name: (out / name).stat().st_size / 1e6 for name in manifest["sha256"]}
    rows = manifest["row_counts"]
    # ru_maxrss is in kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name in rows:
        print(f"{name:45s} {rows[name]:>12,d} rows {sizes[name]:8.1f} MB")
    result = {
        "scale": args.scale,
        "seed": args.seed,
        "seconds_total": round(total, 2),
        "seconds_by_stage": manifest["timings_seconds"],
        "rows": rows,
        "rows_total": sum(rows.values()),
        "mb_on_disk": round(sum(sizes.values()), 1),
        "mb_by_file": {k: round(v, 2) for k, v in sizes.items()},
        "peak_rss_mb": round(peak_mb, 1),
    }
    print(
        f"total {total:.1f} s, {result['rows_total']:,d} rows, "
        f"{result['mb_on_disk']} MB, peak RSS {peak_mb:.0f} MB"
    )
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
