"""A stratification run's output files, made by hand for the web-app tests."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write_run(folder: Path, run_id: str, people: list[tuple], index_date="2026-04-01") -> Path:
    """`people`: (pseudonym, practice_code, risk) tuples; ranks follow risk per practice."""
    run_dir = folder / run_id
    run_dir.mkdir(parents=True)
    rows = []
    for code in sorted({p[1] for p in people}):
        ranked = sorted((p for p in people if p[1] == code), key=lambda p: -p[2])
        for rank, (pseudonym, practice_code, risk) in enumerate(ranked, start=1):
            rows.append(
                {
                    "pseudonym": pseudonym,
                    "practice_code": practice_code,
                    "risk": risk,
                    "rank_in_practice": rank,
                    "segment": "top 2%" if rank == 1 else "",
                    "efi": 0.31,
                    "efi_category": "moderate",
                    "hfrs": 6.2,
                    "hfrs_band": "intermediate",
                    "charlson": 3,
                    "lace": None,
                    "top_factors": ["3 emergency admissions in the last 12 months"],
                }
            )
    pq.write_table(pa.Table.from_pylist(rows), run_dir / "scores.parquet")
    report = {
        "run": {
            "run_id": run_id,
            "snapshot_fingerprint": "f" * 64,
            "index_dates": {"score": index_date},
        },
        "validation": {
            "model": {
                "auc": {"auc": 0.78},
                "brier": 0.07,
                "calibration": {"slope": 1.0},
                "case_finding": [{"top": 0.02, "ppv": 0.41}],
            }
        },
    }
    (run_dir / "report.json").write_text(json.dumps(report))
    return run_dir
