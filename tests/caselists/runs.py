"""A stratification run's output files, made by hand for the web-app tests."""

import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from joinedcare.analytics.report import TEMPLATE
from joinedcare.analytics.stratify import SEGMENTS

REASON = "3 emergency admissions in the last 12 months"


def write_run(
    folder: Path,
    run_id: str,
    people: list[tuple],
    index_date="2026-04-01",
    *,
    factors_for: str = "all",
) -> Path:
    """`people`: (pseudonym, practice_code, risk) tuples; ranks follow risk per practice.

    With `factors_for="segments"`, as a real run by default, only people in a segment
    (the top 5% of their practice) have reasons; with "all", everyone has.
    """
    run_dir = folder / run_id
    run_dir.mkdir(parents=True)
    rows = []
    for code in sorted({p[1] for p in people}):
        ranked = sorted((p for p in people if p[1] == code), key=lambda p: -p[2])
        for rank, (pseudonym, practice_code, risk) in enumerate(ranked, start=1):
            segment = _segment(rank, len(ranked))
            explained = factors_for == "all" or segment != ""
            rows.append(
                {
                    "pseudonym": pseudonym,
                    "practice_code": practice_code,
                    "risk": risk,
                    "rank_in_practice": rank,
                    "segment": segment,
                    "efi": 0.31,
                    "efi_category": "moderate",
                    "hfrs": 6.2,
                    "hfrs_band": "intermediate",
                    "charlson": 3,
                    "lace": None,
                    "top_factors": [REASON] if explained else [],
                }
            )
    pq.write_table(pa.Table.from_pylist(rows), run_dir / "scores.parquet")
    report = {
        "run": {
            "run_id": run_id,
            "snapshot_fingerprint": "f" * 64,
            "index_dates": {"score": index_date},
            "factors_for": factors_for,
        },
        "validation": {
            "model": {
                "auc": {"auc": 0.78},
                "brier": 0.07,
                "calibration": {"slope": 1.0},
                "case_finding": [{"top": 0.02, "ppv": 0.41}, {"top": 0.05, "ppv": 0.33}],
            }
        },
    }
    (run_dir / "report.json").write_text(json.dumps(report))
    (run_dir / "report.html").write_text(_model_card(run_id))
    return run_dir


def _segment(rank: int, size: int) -> str:
    """The narrowest segment the rank falls in, sized as a real run sizes them."""
    for fraction, label in SEGMENTS:
        if rank <= max(1, math.ceil(size * fraction - 1e-9)):
            return label
    return ""


def _model_card(run_id: str) -> str:
    """The real model card's page (its <style> included) with placeholder figures."""
    html = TEMPLATE.read_text().replace(
        "{{ title }}", f"Risk stratification model card: run {run_id}"
    )
    keys = ("headline", "plot", "calibration_table", "comparison", "subgroups", "shares")
    for key in (*keys, "segments", "metadata", "model"):
        html = html.replace("{{ " + key + " }}", f"<p>{key}</p>")
    return html
