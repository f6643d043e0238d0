"""The model card's page: every table captioned, the calibration plot's points as a table, and
sentences that say what the run did (its shares, its memory figures), read from the run."""

from __future__ import annotations

import re

import pytest

from joinedcare.analytics import report as R
from joinedcare.analytics.evaluation import TOP_FRACTIONS


def _summary(auc: float) -> dict:
    cases = [{"top": f, "ppv": 0.3, "sensitivity": 0.1} for f in TOP_FRACTIONS]
    return {"auc": {"auc": auc, "ci_low": auc - 0.01, "ci_high": auc + 0.01}, "case_finding": cases}


def _subgroup_row(group: str) -> dict:
    row: dict = {"group": group, "n": 100, "events": 10, "auc": 0.7}
    for f in TOP_FRACTIONS:
        row |= {f"flagged_{f}": 2, f"ppv_{f}": 0.5, f"sensitivity_{f}": 0.1}
    return row


def a_report(*, sizes: dict[str, int] | None = None, peaks: dict[str, float] | None = None) -> dict:
    """The smallest report.json render_html reads, with figures chosen by hand."""
    model = _summary(0.78) | {
        "n": 1000,
        "events": 80,
        "observed_rate": 0.08,
        "mean_predicted": 0.079,
        "brier": 0.07,
        "calibration": {"slope": 1.01, "intercept": -0.02},
    }
    bins = [
        {"bin": i, "n": 100, "predicted": 0.01 * i, "observed": 0.011 * i} for i in range(1, 11)
    ]
    seconds = {"read": 0.02, "features": 4.0, "fit": 6.0, "write": 0.5}
    return {
        "run": {
            "run_id": "20260402T090000Z-abcdef12",
            "index_dates": {"fit": "2024-04-01", "validate": "2025-04-01", "score": "2026-04-01"},
            "people": {"fit": 1000, "validate": 1000, "score": 1000},
            "factors_for": "segments",
            "stage_seconds": seconds,
            "stage_peak_rss_mb": peaks
            or {"read": 2552.0, "features": 2552.0, "fit": 2600.4, "write": 2600.4},
        },
        "model": {
            "kind": "LightGBM",
            "trees": 100,
            "features": ["age"],
            "rows_fit": 800,
            "rows_calibration": 200,
        },
        "validation": {
            "model": model,
            "baselines": {"age only": _summary(0.6)},
            "oracle": None,
            "subgroups": {"sex": [_subgroup_row("F"), _subgroup_row("M")]},
            "calibration_plot": bins,
        },
        "case_list_sizes": sizes or {"top 0.5%": 5, "top 2%": 20, "top 5%": 50},
    }


def test_model_card_captions_every_table():
    html = R.render_html(a_report())
    tables = re.findall(r"<table>(.*?)</table>", html, flags=re.S)
    assert len(tables) >= 6
    assert all(t.startswith("<caption>") for t in tables)


def test_model_card_gives_the_calibration_points_as_a_table():
    html = R.render_html(a_report())
    table = re.search(r"<table><caption>Calibration[^<]*</caption>.*?</table>", html, re.S)
    assert table is not None
    # Tenth 3: predicted 3.0%, observed 3.3%, both as the plot draws them.
    assert "<tr><td>3</td><td>100</td><td>3.0%</td><td>3.3%</td></tr>" in table.group()
    assert table.group().count("<tr>") == 11  # heading + ten tenths


def test_model_card_says_fairness_lists_are_cut_across_the_whole_population():
    html = R.render_html(a_report())
    assert "as practices see them" not in html
    assert "top 0.5%, 1%, 2% and 5% of the whole validation population" in html
    assert "not of each practice as the published case lists are" in html


@pytest.mark.parametrize("widest", ["top 2%", "top 5%"])
def test_model_card_reads_where_top_factors_stop_from_the_run(widest):
    sizes = {"top 0.5%": 5, widest: 50}
    html = R.render_html(a_report(sizes=sizes))
    assert f"<td>top factors given for</td><td>the {widest} of each practice" in html
    other = "top 5%" if widest == "top 2%" else "top 2%"
    assert f"the {other} of each practice" not in html


def test_model_card_says_which_stages_raised_the_process_peak_memory():
    html = R.render_html(a_report())
    stages = html[html.index("<caption>Time and memory by stage") :]
    assert "peak memory so far" not in html
    assert "<td>read</td><td>0.0 s</td><td>2,552 MB</td>" in stages
    assert "<td>features</td><td>4.0 s</td><td>no higher</td>" in stages
    assert "<td>fit</td><td>6.0 s</td><td>2,600 MB</td>" in stages
    assert "<td>write</td><td>0.5 s</td><td>no higher</td>" in stages
    assert "highest since the process started" in html
