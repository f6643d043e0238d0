"""How good is a risk score: discrimination, calibration, case-finding, fairness.

Plain numpy and scikit-learn on arrays of outcomes `y` (0/1) and scores `p`. Every
function is deterministic: the AUC's 95% CI is DeLong's (no resampling), and ties in the
top-k selections are broken by position (the caller's rows are sorted by pseudonym).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata

TOP_FRACTIONS = (0.005, 0.01, 0.02, 0.05)
Z95 = 1.959963984540054


def auc_ci(y: np.ndarray, p: np.ndarray) -> dict:
    """AUC with DeLong's 95% confidence interval (DeLong et al. 1988, Sun & Xu's fast form).

    None figures when one class is missing (no AUC is defined).
    """
    y = np.asarray(y).astype(bool)
    p = np.asarray(p, dtype=np.float64)
    pos, neg = p[y], p[~y]
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        return {"auc": None, "ci_low": None, "ci_high": None, "se": None}
    # Midranks handle ties: a tied pair counts one half, as in the Mann-Whitney statistic.
    tx, ty, tz = rankdata(pos), rankdata(neg), rankdata(np.concatenate([pos, neg]))
    auc = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (tz[:m] - tx) / n  # each positive's share of negatives ranked below it
    v01 = 1.0 - (tz[m:] - ty) / m  # each negative's share of positives ranked above it
    var = (np.var(v10, ddof=1) / m if m > 1 else 0.0) + (np.var(v01, ddof=1) / n if n > 1 else 0.0)
    se = math.sqrt(max(var, 0.0))
    return {
        "auc": float(auc),
        "ci_low": float(max(0.0, auc - Z95 * se)),
        "ci_high": float(min(1.0, auc + Z95 * se)),
        "se": float(se),
    }


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared difference between probability and outcome."""
    y = np.asarray(y, dtype=np.float64)
    return float(np.mean((np.asarray(p, dtype=np.float64) - y) ** 2))


def _logistic_fit(x: np.ndarray, y: np.ndarray, offset: np.ndarray | None = None) -> np.ndarray:
    """Unpenalised logistic regression by Newton-Raphson (columns of x, no intercept added)."""
    beta = np.zeros(x.shape[1])
    off = np.zeros(len(y)) if offset is None else offset
    for _ in range(50):
        eta = x @ beta + off
        mu = 1.0 / (1.0 + np.exp(-eta))
        w = np.clip(mu * (1 - mu), 1e-12, None)
        step = np.linalg.solve((x * w[:, None]).T @ x, x.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def calibration(y: np.ndarray, p: np.ndarray) -> dict:
    """Calibration slope and intercept from the logistic recalibration y ~ a + b logit(p),
    and calibration-in-the-large (a with b fixed at 1). Perfect: slope 1, intercepts 0."""
    y = np.asarray(y, dtype=np.float64)
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-9, 1 - 1e-9)
    lp = np.log(p / (1 - p))
    if y.min() == y.max():
        return {"slope": None, "intercept": None, "in_the_large": None}
    a, b = _logistic_fit(np.column_stack([np.ones_like(lp), lp]), y)
    (citl,) = _logistic_fit(np.ones((len(y), 1)), y, offset=lp)
    return {"slope": float(b), "intercept": float(a), "in_the_large": float(citl)}


def calibration_bins(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Mean predicted and observed rates by tenth of predicted risk (the calibration plot)."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    out = []
    for i, idx in enumerate(np.array_split(order, bins)):
        if len(idx):
            out.append(
                {
                    "bin": i + 1,
                    "n": len(idx),
                    "predicted": float(p[idx].mean()),
                    "observed": float(y[idx].mean()),
                }
            )
    return out


def top_k(n: int, fraction: float) -> int:
    """People in the top `fraction` of `n`: rounded up, so a list is never empty."""
    return min(n, max(1, math.ceil(n * fraction - 1e-9)))


def flagged(p: np.ndarray, fraction: float) -> np.ndarray:
    """Boolean mask of the top `fraction` by score (ties broken by position: earlier first)."""
    p = np.asarray(p, dtype=np.float64)
    order = np.argsort(-p, kind="stable")
    mask = np.zeros(len(p), dtype=bool)
    mask[order[: top_k(len(p), fraction)]] = True
    return mask


def case_finding(
    y: np.ndarray, p: np.ndarray, fractions: Sequence[float] = TOP_FRACTIONS
) -> list[dict]:
    """PPV and sensitivity of the list made of the top fraction by score."""
    y = np.asarray(y).astype(bool)
    events = int(y.sum())
    out = []
    for f in fractions:
        mask = flagged(p, f)
        hits = int(y[mask].sum())
        out.append(
            {
                "top": f,
                "flagged": int(mask.sum()),
                "true_positives": hits,
                "ppv": hits / int(mask.sum()),
                "sensitivity": hits / events if events else None,
            }
        )
    return out


def summary(y: np.ndarray, p: np.ndarray, *, probabilities: bool = True) -> dict:
    """AUC (95% CI), case-finding and, for probabilities, Brier and calibration."""
    out: dict = {
        "n": len(y),
        "events": int(np.sum(y)),
        "auc": auc_ci(y, p),
        "case_finding": case_finding(y, p),
    }
    if probabilities:
        out["brier"] = brier(y, p)
        out["calibration"] = calibration(y, p)
        out["mean_predicted"] = float(np.mean(p))
        out["observed_rate"] = float(np.mean(y))
    return out


# ---- subgroups ---------------------------------------------------------------------------

AGE_BANDS = ((0, 17, "0-17"), (18, 64, "18-64"), (65, 74, "65-74"), (75, 200, "75+"))

# NHS Data Dictionary ethnic category letters -> the 2001 census broad groups.
ETHNIC_GROUPS = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian or Asian British"),
    **dict.fromkeys("MNP", "Black or Black British"),
    **dict.fromkeys("RS", "Other ethnic group"),
    "Z": "Not stated",
}


def age_band(age: pd.Series) -> pd.Series:
    """0-17, 18-64, 65-74, 75+ (the bands of the locality profiles)."""
    out = pd.Series("unknown", index=age.index, dtype=object)
    for lo, hi, label in AGE_BANDS:
        out[(age >= lo) & (age <= hi)] = label
    return out


def imd_quintile(decile: pd.Series) -> pd.Series:
    """IMD quintile 1 (most deprived) to 5 from the decile; unknown where missing."""
    q = (pd.to_numeric(decile, errors="coerce") + 1) // 2
    return q.map(lambda v: f"Q{int(v)}" if v == v else "unknown").astype(object)


def ethnic_group(letter: pd.Series) -> pd.Series:
    """Broad ethnic group of an NHS ethnic category letter; Not known when missing."""
    return letter.map(
        lambda v: ETHNIC_GROUPS.get(v, "Not known") if isinstance(v, str) else "Not known"
    ).astype(object)


def subgroup_tables(
    y: np.ndarray,
    p: np.ndarray,
    groups: Mapping[str, pd.Series],
    fractions: Sequence[float] = TOP_FRACTIONS,
) -> dict[str, list[dict]]:
    """Per level of each grouping: n, events, AUC, and PPV and sensitivity of the
    population-wide top lists (the lists practices actually see) within that level."""
    y = np.asarray(y).astype(bool)
    masks = {f: flagged(p, f) for f in fractions}
    out: dict[str, list[dict]] = {}
    for name, series in groups.items():
        labels = np.asarray(series, dtype=object)
        rows = []
        for level in sorted(set(labels), key=str):
            sel = labels == level
            row = {
                "group": str(level),
                "n": int(sel.sum()),
                "events": int(y[sel].sum()),
                "auc": auc_ci(y[sel], np.asarray(p)[sel])["auc"],
            }
            for f, mask in masks.items():
                hit = mask & sel
                row[f"flagged_{f}"] = int(hit.sum())
                row[f"ppv_{f}"] = float(y[hit].mean()) if hit.any() else None
                row[f"sensitivity_{f}"] = (
                    float(y[hit].sum() / y[sel].sum()) if y[sel].any() else None
                )
            rows.append(row)
        out[name] = rows
    return out
