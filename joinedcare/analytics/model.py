"""The fitted model of emergency admission in the next 12 months, and its plain-English factors.

LightGBM is the fitted model; a standardised logistic regression is its baseline. Both are
fitted on the features at an earlier index date (T1) and Platt-calibrated on a held-out
slice of T1.

Why Platt rather than isotonic: LightGBM's log-loss objective is already close to
calibrated, so the correction needed is a smooth shift and stretch of the log-odds, which
two parameters capture. Platt scaling is strictly increasing, so it keeps every person's
rank (and so the AUC, the case lists and their ties) exactly as the booster gave them;
isotonic regression is a step function that creates ties among the highest-risk people and
overfits the slice's few positives in the top percentiles, where the case lists are cut.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from joinedcare.analytics import features as F

CALIBRATION_FRACTION = 0.2  # of T1, held out from the booster to fit the Platt scaling


def lightgbm_params(seed: int, n_rows: int) -> dict:
    """Deterministic LightGBM parameters: same data and seed give the same trees."""
    return {
        "objective": "binary",
        "learning_rate": 0.1,
        # Shallow trees: the risk is close to additive on the log-odds scale, and the cost
        # of per-person contributions (TreeSHAP) grows with leaves x depth squared.
        "num_leaves": 8,
        "max_depth": 3,
        # Leaves need enough people to estimate a rate: at least 50, more on big lists.
        "min_data_in_leaf": max(50, n_rows // 5000),
        "lambda_l2": 1.0,
        "feature_fraction": 1.0,
        "bagging_fraction": 1.0,
        "max_bin": 63,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 2,
        "verbosity": -1,
    }


@dataclass
class FittedModel:
    """A fitted booster with its Platt scaling, and the calibrated logistic baseline."""

    columns: list[str]
    booster: lgb.Booster
    platt: tuple[float, float]  # p = sigmoid(a * margin + b)
    logistic: object  # sklearn pipeline: StandardScaler -> LogisticRegression
    logistic_platt: tuple[float, float]
    seed: int
    info: dict = field(default_factory=dict)

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """The model's inputs in training column order (nulls as NaN)."""
        return design_matrix(frame, self.columns)

    def margin(self, x: np.ndarray) -> np.ndarray:
        """The booster's raw log-odds."""
        return self.booster.predict(x, raw_score=True, num_threads=2)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probability of an emergency admission in the next 12 months."""
        return _sigmoid(self.platt[0] * self.margin(x) + self.platt[1])

    def predict_logistic(self, x: np.ndarray) -> np.ndarray:
        """The logistic-regression baseline's calibrated probability."""
        a, b = self.logistic_platt
        return _sigmoid(a * self.logistic.decision_function(_impute(x)) + b)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-person SHAP contributions on the log-odds scale, one column per input."""
        return self.booster.predict(x, pred_contrib=True, num_threads=2)[:, :-1]


def design_matrix(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """float32 matrix of `columns` (float32 halves the memory of a million-person list)."""
    return np.column_stack(
        [
            pd.to_numeric(frame[c], errors="coerce").to_numpy(np.float32, na_value=np.nan)
            for c in columns
        ]
    )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def _impute(x: np.ndarray) -> np.ndarray:
    """The logistic baseline cannot take NaN: missing scores/deprivation become 0 (and the
    scaler centres them); the booster keeps NaN as its own branch."""
    return np.nan_to_num(x, nan=0.0)


def _platt(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Unpenalised logistic fit of y on a one-dimensional score."""
    lr = LogisticRegression(C=np.inf, solver="lbfgs", max_iter=1000)
    lr.fit(np.asarray(score, dtype=np.float64).reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def split_for_calibration(n: int, seed: int) -> np.ndarray:
    """Boolean mask of the held-out calibration rows (a seeded random fifth)."""
    rng = np.random.default_rng(seed)
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[: round(n * CALIBRATION_FRACTION)]] = True
    return mask


def fit(
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    seed: int,
    columns: Sequence[str] | None = None,
    max_rounds: int = 500,
) -> FittedModel:
    """Fit the booster on four fifths of T1 (early stopping and Platt on the fifth held out)
    and the logistic baseline likewise."""
    columns = list(columns or F.feature_columns())
    x = design_matrix(frame, columns)
    y = np.asarray(y, dtype=np.float64)
    held = split_for_calibration(len(y), seed)
    params = lightgbm_params(seed, int((~held).sum()))
    train = lgb.Dataset(x[~held], y[~held], feature_name=columns, free_raw_data=True)
    valid = lgb.Dataset(x[held], y[held], reference=train)
    booster = lgb.train(
        params,
        train,
        num_boost_round=max_rounds,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(30, verbose=False)],
    )
    platt = _platt(booster.predict(x[held], raw_score=True, num_threads=2), y[held])
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    logistic.fit(_impute(x[~held]), y[~held])
    logistic_platt = _platt(logistic.decision_function(_impute(x[held])), y[held])
    info = {
        "rows_fit": int((~held).sum()),
        "rows_calibration": int(held.sum()),
        "events_fit": int(y[~held].sum()),
        "events_calibration": int(y[held].sum()),
        "trees": int(booster.best_iteration or booster.current_iteration()),
        "params": params,
        "platt": list(platt),
    }
    if booster.best_iteration:
        booster = _trim(booster, booster.best_iteration)
    return FittedModel(columns, booster, platt, logistic, logistic_platt, seed, info)


def _trim(booster: lgb.Booster, rounds: int) -> lgb.Booster:
    """A booster with only its first `rounds` trees (what prediction would use anyway),
    so contributions and the saved model agree with the predictions."""
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=rounds))


# ---- plain-English factors -------------------------------------------------------------

# Frailty category thresholds of the electronic frailty index (Clegg et al. 2016).
EFI_CATEGORIES = ((0.36, "severe frailty"), (0.24, "moderate frailty"), (0.12, "mild frailty"))

_ENCOUNTER_PHRASES = {
    "ae_attendances": ("A&E attendance", "A&E attendances"),
    "emergency_admissions": ("emergency admission", "emergency admissions"),
    "elective_admissions": ("planned admission", "planned admissions"),
    "outpatient_attendances": ("outpatient appointment", "outpatient appointments"),
    "gp_contacts": ("GP contact", "GP contacts"),
    "community_contacts": (
        "community nursing or therapy contact",
        "community nursing or therapy contacts",
    ),
}


def factor_groups(columns: Sequence[str]) -> dict[str, list[int]]:
    """Inputs that say one thing to a reader, grouped: every window of a count is one factor
    (its contributions are added), both sex flags are one."""
    groups: dict[str, list[int]] = {}
    for i, col in enumerate(columns):
        groups.setdefault(_group_of(col), []).append(i)
    return groups


def _group_of(col: str) -> str:
    if col in ("sex_male", "sex_female"):
        return "sex"
    stem, _, window = col.rpartition("_")
    if window.endswith("m") and window[:-1].isdigit() and stem:
        return stem
    return col


def _plural(n: int, words: tuple[str, str]) -> str:
    return f"{n} {words[0] if n == 1 else words[1]}"


def phrase(group: str, row: _Row, windows: Sequence[int]) -> str | None:
    """A plain-English phrase for a factor from this person's own values, or None when the
    value says nothing worth showing (e.g. a count of zero)."""
    longest = max(windows)
    names = {c.key: c.name for c in F.conditions()}
    if group in _ENCOUNTER_PHRASES:
        n = _int(row.get(f"{group}_{longest}m"))
        return (
            f"{_plural(n, _ENCOUNTER_PHRASES[group])} in the last {longest} months" if n else None
        )
    if group == "bed_days":
        n = _int(row.get(f"bed_days_{longest}m"))
        return (
            f"{_plural(n, ('day', 'days'))} in hospital in the last {longest} months" if n else None
        )
    if group == "age":
        return f"aged {_int(row.get('age'))}"
    if group == "sex":
        return {"male": "male", "female": "female"}.get(row.get("sex"))
    if group == "imd_decile":
        d = _int(row.get("imd_decile"))
        return f"lives in a deprived area (IMD decile {d})" if 1 <= d <= 4 else None
    if group.startswith("ltc_") and group != "ltc_count":
        return names[group[4:]].lower() if _int(row.get(group)) else None
    if group == "ltc_count":
        n = _int(row.get("ltc_count"))
        return f"{n} long-term conditions" if n >= 2 else None
    if group.startswith("frailty_") and group != "frailty_deficit_count":
        return names[group[8:]].lower() if _int(row.get(group)) else None
    if group == "frailty_deficit_count":
        n = _int(row.get(group))
        return f"{n} signs of frailty recorded" if n >= 2 else None
    return _other_phrase(group, row)


def _other_phrase(group: str, row: _Row) -> str | None:
    value = row.get(group)
    if group == "medicines_12m":
        n = _int(value)
        return f"{n} different medicines in the last 12 months" if n >= 2 else None
    if group == "care_home":
        return "lives in a care home" if _int(value) else None
    if group == "home_care":
        return "receives home care" if _int(value) else None
    if group == "reablement_12m":
        return "had reablement in the last 12 months" if _int(value) else None
    if group == "social_care_services":
        n = _int(value)
        return f"{_plural(n, ('social care service', 'social care services'))}" if n else None
    if group == "efi":
        return _efi_phrase(value)
    if group == "hfrs":
        return f"hospital frailty risk score {value:.1f}" if _num(value) and value >= 5 else None
    if group == "charlson":
        return f"Charlson comorbidity index {_int(value)}" if _int(value) else None
    return None


def _efi_phrase(value: object) -> str | None:
    if not _num(value):
        return None
    for threshold, label in EFI_CATEGORIES:
        if value > threshold:
            return f"{label} (eFI {value:.2f})"
    return None


def _num(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _int(value: object) -> int:
    return int(value) if _num(value) else 0


class _Row:
    """One person's values, read lazily from column arrays (a pandas row per person is
    too slow for a million people)."""

    __slots__ = ("i", "values")

    def __init__(self, values: dict[str, np.ndarray], i: int) -> None:
        self.values = values
        self.i = i

    def get(self, col: str) -> object:
        arr = self.values.get(col)
        if arr is None:
            return None
        v = arr[self.i]
        return None if v is pd.NA else v


def top_factors(
    frame: pd.DataFrame,
    contributions: np.ndarray,
    columns: Sequence[str],
    *,
    windows: Sequence[int] = F.DEFAULT_WINDOWS,
    k: int = 3,
) -> list[list[str]]:
    """Up to `k` phrases per person for the factors that RAISE their risk most.

    Contributions of a factor's inputs are added (all windows of a count), factors with a
    total above zero are ranked, and the first `k` with something to say are kept.
    """
    groups = factor_groups(columns)
    names = list(groups)
    summed = np.column_stack([contributions[:, idx].sum(axis=1) for idx in groups.values()])
    # Stable sort on the negated totals: equal contributions keep column order, so the
    # phrases are the same on every run.
    order = np.argsort(-summed, axis=1, kind="stable")
    values = {c: frame[c].to_numpy() for c in frame.columns}
    out: list[list[str]] = []
    for i in range(len(frame)):
        row = _Row(values, i)
        found: list[str] = []
        for g in order[i]:
            if summed[i, g] <= 0 or len(found) == k:
                break
            text = phrase(names[g], row, windows)
            if text:
                found.append(text)
        out.append(found)
    return out
