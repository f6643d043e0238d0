"""Evaluation figures on hand-worked cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from joinedcare.analytics import evaluation as E


def test_auc_of_a_known_ranking():
    # Positives at scores 0.9 and 0.4, negatives at 0.8, 0.3, 0.1: of the 6 pairs the
    # positive ranks higher in 5 (0.4 < 0.8 is the one miss), so AUC = 5/6.
    y = np.array([1, 0, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.4, 0.3, 0.1])
    assert E.auc_ci(y, p)["auc"] == pytest.approx(5 / 6)


def test_auc_counts_ties_as_half():
    assert E.auc_ci(np.array([1, 0]), np.array([0.5, 0.5]))["auc"] == pytest.approx(0.5)


def test_auc_ci_matches_sklearn_and_covers_it():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 2000)
    p = y * 0.5 + rng.normal(size=2000)
    out = E.auc_ci(y, p)
    assert out["auc"] == pytest.approx(roc_auc_score(y, p))
    assert out["ci_low"] < out["auc"] < out["ci_high"]
    # DeLong's standard error for this design is about 0.012.
    assert 0.008 < out["se"] < 0.016


def test_auc_undefined_with_one_class():
    assert E.auc_ci(np.array([0, 0]), np.array([0.1, 0.2]))["auc"] is None


def test_ppv_and_sensitivity_at_top_k():
    # 200 people, 10 admitted; the score puts 3 of them in the top 1% + 1% = 4 people.
    y = np.zeros(200, dtype=int)
    y[[0, 2, 3, 50, 60, 70, 80, 90, 100, 110]] = 1
    p = np.linspace(1, 0, 200)  # person 0 highest
    out = {c["top"]: c for c in E.case_finding(y, p, fractions=(0.02, 0.005))}
    assert out[0.02]["flagged"] == 4
    assert out[0.02]["true_positives"] == 3  # people 0, 2, 3
    assert out[0.02]["ppv"] == pytest.approx(3 / 4)
    assert out[0.02]["sensitivity"] == pytest.approx(3 / 10)
    assert out[0.005]["flagged"] == 1  # 0.5% of 200 rounds up to one person
    assert out[0.005]["ppv"] == 1.0


def test_ties_in_the_list_are_broken_by_position():
    mask = E.flagged(np.array([0.5, 0.9, 0.5, 0.5]), 0.5)
    assert mask.tolist() == [True, True, False, False]


def test_brier():
    assert E.brier(np.array([1, 0]), np.array([0.8, 0.4])) == pytest.approx((0.04 + 0.16) / 2)


def test_calibration_of_perfect_probabilities():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.01, 0.6, 200_000)
    y = (rng.uniform(size=p.size) < p).astype(int)
    cal = E.calibration(y, p)
    assert cal["slope"] == pytest.approx(1, abs=0.03)
    assert cal["intercept"] == pytest.approx(0, abs=0.03)
    assert cal["in_the_large"] == pytest.approx(0, abs=0.02)


def test_calibration_detects_overconfidence():
    rng = np.random.default_rng(3)
    true = rng.uniform(0.05, 0.5, 100_000)
    y = (rng.uniform(size=true.size) < true).astype(int)
    logit = np.log(true / (1 - true))
    overconfident = 1 / (1 + np.exp(-2 * logit))  # log-odds doubled
    assert E.calibration(y, overconfident)["slope"] == pytest.approx(0.5, abs=0.03)


def test_calibration_bins_are_tenths():
    p = np.arange(100) / 100
    y = (p >= 0.5).astype(int)
    bins = E.calibration_bins(y, p)
    assert [b["n"] for b in bins] == [10] * 10
    assert bins[0]["predicted"] == pytest.approx(0.045)
    assert [b["observed"] for b in bins] == [0] * 5 + [1] * 5


def test_subgroup_labels():
    assert E.age_band(pd.Series([0, 17, 18, 64, 65, 74, 75, 101])).tolist() == [
        "0-17",
        "0-17",
        "18-64",
        "18-64",
        "65-74",
        "65-74",
        "75+",
        "75+",
    ]
    assert E.imd_quintile(pd.Series([1, 2, 3, 10, None])).tolist() == [
        "Q1",
        "Q1",
        "Q2",
        "Q5",
        "unknown",
    ]
    assert E.ethnic_group(pd.Series(["A", "H", "N", "Z", None])).tolist() == [
        "White",
        "Asian or Asian British",
        "Black or Black British",
        "Not stated",
        "Not known",
    ]


def test_subgroup_tables_use_the_population_list():
    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.8, 0.2, 0.1])
    groups = {"sex": pd.Series(["f", "m", "f", "m"])}
    rows = {r["group"]: r for r in E.subgroup_tables(y, p, groups, fractions=(0.5,))["sex"]}
    assert rows["f"]["flagged_0.5"] == 1 and rows["m"]["flagged_0.5"] == 1
    assert rows["f"]["ppv_0.5"] == 1.0 and rows["m"]["ppv_0.5"] == 0.0
    assert rows["f"]["sensitivity_0.5"] == 0.5
    assert rows["m"]["sensitivity_0.5"] is None  # no admissions among m
