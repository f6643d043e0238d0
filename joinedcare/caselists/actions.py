"""Publishing a stratification run's case lists to the practices and teams."""

import json
import math
from pathlib import Path

import pyarrow.parquet as pq
from django.db import transaction

from joinedcare.analytics.stratify import SEGMENTS
from joinedcare.audit.models import AuditEvent
from joinedcare.organisations.models import Practice

from .models import CaseListEntry, PublishedRun

DEFAULT_TOP_PERCENT = 2.0
# A run gives reasons (top_factors) only to the people in its segments unless it explained
# everyone: a wider list would show an empty "Why" for everyone below the widest segment.
EXPLAINED_TOP_PERCENT = 100 * max(fraction for fraction, _ in SEGMENTS)
_COLUMNS = [
    "pseudonym",
    "practice_code",
    "risk",
    "rank_in_practice",
    "segment",
    "efi",
    "efi_category",
    "hfrs",
    "hfrs_band",
    "charlson",
    "lace",
    "top_factors",
]


class PublishError(Exception):
    """The run cannot be published; the message says why."""


def check_top_percent(top_percent: float, *, factors_for: str = "segments") -> None:
    """Refuse a share of each practice wider than the people the run gives reasons for.

    `factors_for` is the run's own ("segments", the default, or "all"); the stratify command
    checks before a run, with the default, so a wrong --top fails in seconds, not minutes.
    """
    limit = 100.0 if factors_for == "all" else EXPLAINED_TOP_PERCENT
    if 0 < top_percent <= limit:
        return
    message = (
        f"--top must be more than 0 and at most {limit:g} (percent of each practice), "
        f"not {top_percent:g}"
    )
    if factors_for != "all":
        segments = ", ".join(label for _, label in SEGMENTS)
        message += f": the run gives reasons only for the people in its segments ({segments})"
    raise PublishError(message + ".")


def _selected(rows: list[dict], top_percent: float) -> list[dict]:
    """The top `top_percent` of each practice's scored people (at least one each)."""
    per_practice: dict[str, int] = {}
    for row in rows:
        per_practice[row["practice_code"]] = per_practice.get(row["practice_code"], 0) + 1
    cut = {code: max(1, math.ceil(n * top_percent / 100)) for code, n in per_practice.items()}
    return [r for r in rows if r["rank_in_practice"] <= cut[r["practice_code"]]]


def _read_run(run_dir: Path) -> tuple[dict, list[dict]]:
    report_path, scores_path = run_dir / "report.json", run_dir / "scores.parquet"
    if not report_path.exists() or not scores_path.exists():
        raise PublishError(f"{run_dir} is not a complete run (report.json and scores.parquet).")
    report = json.loads(report_path.read_text())
    return report, pq.read_table(scores_path, columns=_COLUMNS).to_pylist()


def _model_card(run_dir: Path) -> str:
    card = run_dir / "report.html"
    return card.read_text(encoding="utf-8") if card.is_file() else ""


@transaction.atomic
def publish_run(*, by, run_dir: Path, top_percent: float = DEFAULT_TOP_PERCENT) -> PublishedRun:
    """Load the top of each practice's list; mark people new since the last publication."""
    report, rows = _read_run(run_dir)
    check_top_percent(top_percent, factors_for=report["run"].get("factors_for", "segments"))
    run_id = report["run"]["run_id"]
    if PublishedRun.objects.filter(run_id=run_id).exists():
        raise PublishError(f"Run {run_id} is already published.")
    practices = {p.code: p for p in Practice.objects.select_related("organisation")}
    unknown = sorted({r["practice_code"] for r in rows} - practices.keys())
    if unknown:
        raise PublishError(f"Practices not in joinedcare: {', '.join(unknown[:10])}.")
    previous = PublishedRun.objects.first()
    before = (
        set(previous.entries.values_list("practice__organisation__code", "pseudonym"))
        if previous
        else None
    )
    run = PublishedRun.objects.create(
        run_id=run_id,
        snapshot_fingerprint=report["run"]["snapshot_fingerprint"],
        index_date=report["run"]["index_dates"]["score"],
        top_percent=top_percent,
        summary=_summary(report, top_percent),
        model_card=_model_card(run_dir),
        published_by=by,
    )
    CaseListEntry.objects.bulk_create(
        (
            CaseListEntry(
                run=run,
                practice=practices[r["practice_code"]],
                new_entrant=before is not None
                and (r["practice_code"], r["pseudonym"]) not in before,
                **{k: _blank_if_none(k, r[k]) for k in _COLUMNS if k != "practice_code"},
            )
            for r in _selected(rows, top_percent)
        ),
        batch_size=2000,
    )
    AuditEvent.record(
        by=by,
        action=AuditEvent.Action.CASE_LIST_PUBLISHED,
        purpose=AuditEvent.Purpose.OPERATIONS,
        detail=f"run {run_id}, top {top_percent}% per practice",
    )
    return run


def _blank_if_none(key: str, value):
    if value is None and key in ("efi_category", "hfrs_band", "segment"):
        return ""
    if key == "top_factors":
        return list(value or [])
    return value


def _summary(report: dict, top_percent: float) -> dict:
    """The few figures the case-list page shows about the model that made it.

    The PPV is the one at the published share, so the page never quotes a 2% figure for a
    5% list; it is None when the model card has no figure at that share.
    """
    model = report.get("validation", {}).get("model", {})
    at_share = next(
        (
            c
            for c in model.get("case_finding", [])
            if math.isclose(c.get("top", -1), top_percent / 100)
        ),
        {},
    )
    return {
        "auc": (model.get("auc") or {}).get("auc"),
        "brier": model.get("brier"),
        "calibration_slope": (model.get("calibration") or {}).get("slope"),
        "ppv_at_top": at_share.get("ppv"),
    }
