"""The fitted model of emergency admission in the next 12 months (its plain-English factors
are in `factors`).

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
