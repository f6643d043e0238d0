"""A stratification run: features -> fitted model -> temporal validation -> scores -> report.

    from joinedcare.analytics.stratify import run
    result = run(snapshot.path, runs_dir, engine="duckdb", seed=20170628)
    result.scores_path  # runs/<run-id>/scores.parquet

Three index dates, derived from the data unless given: the model is fitted at T1, validated
at T2 = T1 + 12 months (outcomes known for everyone), and the latest date (the day after the
extract ends) is scored. Same snapshot and seed give byte-identical scores.parquet.
"""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from joinedcare.analytics import engines, factors
from joinedcare.analytics import evaluation as E
from joinedcare.analytics import features as F
from joinedcare.analytics import model as M

DEFAULT_SEED = 20170628
SEGMENTS = ((0.005, "top 0.5%"), (0.02, "top 2%"), (0.05, "top 5%"))

# The least a run needs at the fitting and validation dates. LightGBM's leaves need 50
# people (model.lightgbm_params), so below 100 the booster's four fifths cannot split even
# once; and with fewer than 10 people admitted (or not admitted) the calibration fit and the
# AUC's confidence interval are noise. The smallest test county has thousands of people.
MIN_PEOPLE = 100
MIN_EACH_OUTCOME = 10

Progress = Callable[[str, float], None]


class StratifyError(ValueError):
    """A run that cannot be done on this snapshot, said in words an analyst can act on."""


@dataclass(frozen=True)
class IndexDates:
    """Fit at `fit`, validate at `validate` (= fit + 12 months), score at `score`."""

    fit: date
    validate: date
    score: date


@dataclass
class RunResult:
    """Where a run wrote its outputs, and its headline figures."""

    run_id: str
    run_dir: Path
    scores_path: Path
    report_json: Path
    report_html: Path
    report: dict = field(repr=False)


class Stages:
    """Seconds and peak resident memory after each stage (for the report and benchmark)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.peak_rss_mb: dict[str, float] = {}
        self._clock = time.perf_counter()

    def done(self, name: str) -> None:
        """Close a stage; a stage closed again (features, once per index date) adds up."""
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self._clock, 3)
        self.peak_rss_mb[name] = round(peak_rss_mb(), 1)
        self._clock = now
        if self.progress is not None:
            self.progress(name, self.seconds[name])


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def derive_index_dates(tables: dict, snapshot_path: Path) -> IndexDates:
    """The latest index date with 12 months of outcomes behind it, and the year before.

    The extract's last day comes from the snapshot manifest (`extract_date`) when it says,
    else from the last encounter: extracts run to a month's end, so the scoring date is the
    first of the month after the last recorded encounter.
    """
    last = _manifest_extract_date(snapshot_path)
    if last is None:
        e = tables["encounters"]
        latest = e.aggregate(d=e.start_date.max()).to_pandas()["d"].iloc[0]
        latest = pd.Timestamp(latest).date()
        score = F.months_before(date(latest.year, latest.month, 1), -1)
    else:
        score = date.fromordinal(last.toordinal() + 1)
    validate = F.months_before(score, 12)
    return IndexDates(F.months_before(validate, 12), validate, score)


def _manifest_extract_date(snapshot_path: Path) -> date | None:
    for candidate in (snapshot_path / "manifest.json", snapshot_path.parent / "manifest.json"):
        if candidate.exists():
            value = json.loads(candidate.read_text()).get("extract_date")
            if value:
                return date.fromisoformat(str(value)[:10])
    return None


def snapshot_fingerprint(snapshot_path: Path) -> str:
    """The snapshot manifest's fingerprint, else a SHA-256 over its Parquet files' bytes."""
    manifest = snapshot_path / "manifest.json"
    if manifest.exists():
        fp = json.loads(manifest.read_text()).get("fingerprint")
        if fp:
            return str(fp)
    root = snapshot_path / "extract" if (snapshot_path / "extract").is_dir() else snapshot_path
    digest = hashlib.sha256()
    for path in sorted(root.glob("*.parquet")):
        digest.update(path.name.encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def code_version() -> str:
    """`git describe` of the working tree when there is one, else the package version."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],  # noqa: S607
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("joinedcare")
        except PackageNotFoundError:
            return "unknown"


def collect(expr: Any) -> pd.DataFrame:
    """An Ibis result as pandas through Arrow, so both engines give the same dtypes.

    The Arrow buffers are released column by column as pandas takes them over
    (`self_destruct`), so a million-person frame is not held twice.
    """
    table = expr.to_pyarrow()
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    return frame


def frame_at(
    tables: dict,
    day: date,
    windows: tuple[int, ...],
    *,
    outcome: bool,
    labels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Features at one index date and, with `outcome`, the 12-month label beside them
    (`labels`, the outcome already collected at `day`, saves collecting it again)."""
    frame = collect(F.features(tables, day, windows))
    if outcome:
        y = collect(F.outcome(tables, day)) if labels is None else labels
        # Both are the cohort at `day` ordered by pseudonym: a column, not a merge (a merge
        # would copy the million-row frame).
        if not np.array_equal(y["pseudonym"].to_numpy(), frame["pseudonym"].to_numpy()):
            raise RuntimeError(f"features and outcome disagree on the cohort at {day}")
        frame["emergency_admission"] = y["emergency_admission"].to_numpy()
    return frame


def check_enough_to_fit(y: np.ndarray, day: date, seed: int) -> None:
    """Raise StratifyError unless the fitting date has enough people and outcomes of each
    kind, in both the booster's four fifths and the fifth held out to calibrate it."""
    check_enough(y, day, "fitting")
    y = np.asarray(y)
    held = M.split_for_calibration(len(y), seed)
    for part, mask in (("fitting", ~held), ("calibration", held)):
        admitted = int(y[mask].sum())
        if admitted in (0, int(mask.sum())):
            raise StratifyError(
                f"At the fitting date {day.isoformat()} the {part} part ({int(mask.sum()):,} "
                f"people, chosen at random with seed {seed}) has {admitted:,} people with an "
                "emergency admission in the next 12 months; it needs people both admitted and "
                "not. Try another seed or a larger snapshot."
            )


def check_enough(y: np.ndarray, day: date, role: str) -> None:
    """Raise StratifyError unless the cohort at `day` (the `role` date: "fitting" or
    "validation") has MIN_PEOPLE people, MIN_EACH_OUTCOME of them admitted and as many not."""
    people = len(y)
    admitted = int(np.asarray(y).sum())
    if people < MIN_PEOPLE or min(admitted, people - admitted) < MIN_EACH_OUTCOME:
        raise StratifyError(
            f"Too little data at the {role} date {day.isoformat()}: {people:,} people alive "
            f"and registered, {admitted:,} of them with an emergency admission in the next 12 "
            f"months and {people - admitted:,} without. A run needs at least {MIN_PEOPLE:,} "
            f"people, with at least {MIN_EACH_OUTCOME:,} admitted and {MIN_EACH_OUTCOME:,} "
            "not, at both the fitting and the validation date. Use a snapshot with more "
            "people or history, or other index dates."
        )


@dataclass(frozen=True)
class Ranking:
    """People in practice and rank order: `position` is each one's row in the frame
    ranked, beside their rank in the practice (1 = highest risk) and segment ("" for
    none)."""

    position: np.ndarray
    rank_in_practice: np.ndarray
    segment: np.ndarray


def rank_and_segment(frame: pd.DataFrame, risk: np.ndarray) -> Ranking:
    """Rank within practice (1 = highest risk; ties by pseudonym) and the segment.

    Sorted with numpy on integer keys: a pandas sort on the two text columns, and the
    frame built for it, took over a second at a million people.
    """
    pseudonym = frame["pseudonym"].to_numpy()
    n = len(frame)
    codes, _ = pd.factorize(frame["practice_code"].to_numpy(), sort=True)
    # Ties go to the lower pseudonym: a feature frame is already in pseudonym order, so
    # its row positions are the tie-break; any other frame is put in that order first.
    if n < 2 or bool(np.all(pseudonym[:-1] < pseudonym[1:])):
        by_pseudonym = np.arange(n)
    else:
        by_pseudonym = np.empty(n, dtype=np.int64)
        by_pseudonym[np.argsort(pseudonym, kind="stable")] = np.arange(n)
    order = np.lexsort((by_pseudonym, -np.asarray(risk, dtype=np.float64), codes))
    grouped = codes[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, n])
    rank = np.arange(n) - np.repeat(starts, sizes) + 1
    size = np.repeat(sizes, sizes)
    segment = np.full(n, "", dtype=object)
    for fraction, label in reversed(SEGMENTS):
        k = np.maximum(1, np.ceil(size * fraction - 1e-9)).astype(np.int64)
        segment[rank <= k] = label
    return Ranking(order, rank.astype(np.int64), segment)


def explain(
    fitted: M.FittedModel,
    frame: pd.DataFrame,
    x: np.ndarray,
    ranking: Ranking,
    windows: tuple[int, ...],
    factors_for: str,
) -> dict[int, list[str]]:
    """Top factors of the people explained, by their row in `frame` (with "segments",
    only people in a segment of `ranking` are explained)."""
    if factors_for not in ("segments", "all"):
        raise ValueError('factors_for must be "segments" or "all"')
    rows = np.arange(len(frame))
    if factors_for == "segments":
        rows = np.sort(ranking.position[ranking.segment != ""])
    found = factors.top_factors(
        frame.iloc[rows], fitted.contributions(x[rows]), fitted.columns, windows=windows
    )
    return dict(zip(rows.tolist(), found, strict=True))


def scores_table(
    frame: pd.DataFrame, risk: np.ndarray, ranking: Ranking, factors: dict[int, list[str]]
) -> pa.Table:
    """scores.parquet's rows, ordered by practice and rank, with a fixed Arrow schema;
    people without factors get an empty list."""
    pos = ranking.position
    take = pa.array(pos)

    def col(name: str) -> np.ndarray:
        return frame[name].to_numpy()[pos]

    def text(name: str) -> pa.Array:
        # Arrow's take: a text column through numpy makes a million Python strings
        # (0.66 s a column at a million people, 0.11 s this way).
        return pa.Array.from_pandas(frame[name]).take(take).cast(pa.string())

    none: tuple[str, ...] = ()
    return pa.table(
        {
            "pseudonym": text("pseudonym"),
            "practice_code": text("practice_code"),
            "team_code": text("team_code"),
            "risk": pa.array(np.asarray(risk, dtype=np.float64)[pos], pa.float64()),
            "rank_in_practice": pa.array(ranking.rank_in_practice, pa.int64()),
            "segment": pa.array(ranking.segment, pa.string()),
            "efi": pa.array(col("efi"), pa.float64(), from_pandas=True),
            "efi_category": text("efi_category"),
            "hfrs": pa.array(col("hfrs"), pa.float64(), from_pandas=True),
            "hfrs_band": text("hfrs_band"),
            "charlson": pa.array(col("charlson"), pa.int64(), from_pandas=True),
            "lace": pa.array(col("lace"), pa.int64(), from_pandas=True),
            "top_factors": pa.array(
                [factors.get(i, none) for i in pos.tolist()], pa.list_(pa.string())
            ),
        }
    )


def evaluate(frame: pd.DataFrame, fitted: M.FittedModel, truth: pd.DataFrame | None) -> dict:
    """Every figure of the model card on the validation date."""
    x = fitted.matrix(frame)
    y = frame["emergency_admission"].to_numpy(np.int64)
    p = fitted.predict(x)
    p_lr = fitted.predict_logistic(x)
    efi = frame["efi"].to_numpy(np.float64, na_value=np.nan)
    has_efi = bool(np.isfinite(efi).any())
    baselines = {
        "age only": E.summary(y, frame["age"].to_numpy(np.float64), probabilities=False),
        "prior emergency admissions only": E.summary(
            y,
            frame[f"emergency_admissions_{_longest(fitted)}m"].to_numpy(np.float64),
            probabilities=False,
        ),
        # Until the scores module gives eFI, the count of frailty deficits stands in for it.
        ("eFI only" if has_efi else "frailty deficits only (eFI stand-in)"): E.summary(
            y,
            np.nan_to_num(efi, nan=-1.0)
            if has_efi
            else frame["frailty_deficit_count"].to_numpy(np.float64),
            probabilities=False,
        ),
        "logistic regression": E.summary(y, p_lr),
    }
    groups = {
        "age band": E.age_band(frame["age"]),
        "sex": frame["sex"].astype(object).fillna("unknown"),
        "deprivation (IMD quintile)": E.imd_quintile(frame["imd_decile"]),
        "ethnic group": E.ethnic_group(frame["ethnic_category"]),
    }
    out = {
        "model": E.summary(y, p),
        "calibration_plot": E.calibration_bins(y, p),
        "subgroups": E.subgroup_tables(y, p, groups),
        "baselines": baselines,
        "oracle": None,
    }
    if truth is not None:
        out["oracle"] = _oracle(frame, p, truth)
    return out


def _longest(fitted: M.FittedModel) -> int:
    return max(
        int(c.rsplit("_", 1)[1][:-1])
        for c in fitted.columns
        if c.startswith("emergency_admissions_")
    )


def _oracle(frame: pd.DataFrame, p: np.ndarray, truth: pd.DataFrame) -> dict:
    """The true probabilities' figures, and the model's on the same people."""
    j = pd.DataFrame(
        {"pseudonym": frame["pseudonym"], "p": p, "y": frame["emergency_admission"]}
    ).merge(truth, on="pseudonym")
    y = j["y"].to_numpy(np.int64)
    return {
        "n_matched": len(j),
        "oracle": E.summary(y, j["p_true"].to_numpy(np.float64)),
        "model_on_same_people": E.summary(y, j["p"].to_numpy(np.float64)),
    }


def _truth(tables: dict, day: date) -> pd.DataFrame | None:
    if "truth" not in tables:
        return None
    t = tables["truth"]
    t = t.filter(t.index_date == day).select(
        "pseudonym", p_true=t.p_emergency_admission_12m.cast("float64")
    )
    return collect(t.order_by("pseudonym"))


def run(
    snapshot_path: str | Path,
    runs_dir: str | Path,
    *,
    engine: engines.Engine = "duckdb",
    seed: int = DEFAULT_SEED,
    index_dates: IndexDates | None = None,
    windows: tuple[int, ...] = F.DEFAULT_WINDOWS,
    factors_for: str = "segments",
    progress: Progress | None = None,
    now: datetime | None = None,
) -> RunResult:
    """Fit, validate and score on a snapshot; write runs/<run-id>/ and return where.

    `factors_for="segments"` explains the people on the case lists (top 5% of each practice)
    and leaves others' top_factors empty; "all" explains everyone. Per-person contributions
    (TreeSHAP) cost about as much as the rest of scoring per person, so explaining a million
    people would break the 30-second scoring budget for lists nobody reads.
    """
    from joinedcare.analytics import report as R

    snapshot_path = Path(snapshot_path)
    stages = Stages(progress)
    fingerprint = snapshot_fingerprint(snapshot_path)
    con = engines.connect(engine)
    tables = engines.tables(con, snapshot_path)
    dates = index_dates or derive_index_dates(tables, snapshot_path)
    stages.done("read")

    # One index date at a time, each frame dropped once used: three million-person frames
    # held together were most of a run's peak memory.
    truth = _truth(tables, dates.validate)
    people = {}
    fit_frame = frame_at(tables, dates.fit, windows, outcome=True)
    people["fit"] = len(fit_frame)
    # Checked before fitting: too few people or outcomes otherwise end in a LightGBM or
    # scikit-learn traceback, or in a model card of noise.
    check_enough_to_fit(fit_frame["emergency_admission"].to_numpy(), dates.fit, seed)
    validate_labels = collect(F.outcome(tables, dates.validate))
    check_enough(validate_labels["emergency_admission"].to_numpy(), dates.validate, "validation")
    stages.done("features")

    columns = F.feature_columns(windows)
    fitted = M.fit(
        fit_frame, fit_frame["emergency_admission"].to_numpy(), seed=seed, columns=columns
    )
    del fit_frame
    stages.done("fit")

    frame = frame_at(tables, dates.validate, windows, outcome=True, labels=validate_labels)
    del validate_labels
    people["validate"] = len(frame)
    stages.done("features")
    validation = evaluate(frame, fitted, truth)
    del frame, truth
    stages.done("validate")

    score_frame = frame_at(tables, dates.score, windows, outcome=False)
    people["score"] = len(score_frame)
    if not people["score"]:
        raise StratifyError(
            f"No one is alive and registered at the scoring date {dates.score.isoformat()}: "
            "there is no one to score. Check the snapshot's registrations or the index dates."
        )
    stages.done("features")
    x = fitted.matrix(score_frame)
    risk = fitted.predict(x)
    ranking = rank_and_segment(score_frame, risk)
    factors = explain(fitted, score_frame, x, ranking, windows, factors_for)
    table = scores_table(score_frame, risk, ranking, factors)
    stages.done("score")

    started = now or datetime.now(UTC)
    run_id = f"{started.strftime('%Y%m%dT%H%M%SZ')}-{fingerprint[:8]}"
    run_dir = Path(runs_dir) / run_id
    run_dir.mkdir(parents=True, exist_ok=False)
    scores_path = run_dir / "scores.parquet"
    pq.write_table(table, scores_path, compression="zstd")
    report = {
        "run": {
            "run_id": run_id,
            "started": started.isoformat(),
            "snapshot": str(snapshot_path),
            "snapshot_fingerprint": fingerprint,
            "code_version": code_version(),
            "engine": engine,
            "seed": seed,
            "index_dates": {k: v.isoformat() for k, v in vars(dates).items()},
            "windows_months": list(windows),
            "factors_for": factors_for,
            "people": people,
            "scores_sha256": hashlib.sha256(scores_path.read_bytes()).hexdigest(),
        },
        "model": {
            "kind": "LightGBM, Platt-calibrated",
            "features": columns,
            **fitted.info,
            "previous_scores_available": _scores_available(score_frame),
        },
        "validation": validation,
        # "segments": people in each band only (the top 2% band leaves out the top 0.5%);
        # "case_list_sizes": people on each list as published (the top 2% includes them).
        "segments": _segment_counts(table),
        "case_list_sizes": _case_list_sizes(table),
    }
    stages.done("write")
    report["run"]["stage_seconds"] = stages.seconds
    report["run"]["stage_peak_rss_mb"] = stages.peak_rss_mb
    report["run"]["seconds_total"] = round(sum(stages.seconds.values()), 3)
    paths = R.write_reports(report, run_dir)
    return RunResult(run_id, run_dir, scores_path, paths[0], paths[1], report)


def _scores_available(frame: pd.DataFrame) -> dict[str, bool]:
    return {c: bool(frame[c].notna().any()) for c in F.SCORE_COLUMNS}


def _segment_counts(table: pa.Table) -> dict[str, int]:
    """People in each segment band alone: "top 2%" counts the top 2% but not the top 0.5%."""
    seg = table.column("segment").to_pandas()
    return {label: int((seg == label).sum()) for _, label in SEGMENTS}


def _case_list_sizes(table: pa.Table) -> dict[str, int]:
    """People in the top x% of their practice, each list including those above it: the
    size of the case list published at that cut."""
    bands = _segment_counts(table)
    sizes, running = {}, 0
    for _, label in SEGMENTS:
        running += bands[label]
        sizes[label] = running
    return sizes
