"""End to end on a small Demo County: outputs, segments, determinism, report; and factors."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from joinedcare.analytics import factors, stratify

COLUMNS = [
    "pseudonym",
    "practice_code",
    "team_code",
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


@pytest.fixture(scope="module")
def runs(demo_county, tmp_path_factory):
    """The same snapshot and seed run twice (at different times)."""
    out = tmp_path_factory.mktemp("runs")
    first = stratify.run(demo_county, out, seed=11, now=datetime(2026, 4, 2, 9, tzinfo=UTC))
    second = stratify.run(demo_county, out, seed=11, now=datetime(2026, 4, 2, 10, tzinfo=UTC))
    return first, second


def test_outputs_exist_with_the_right_columns(runs):
    result = runs[0]
    assert result.run_dir.name.startswith("20260402T090000Z-")
    table = pq.read_table(result.scores_path)
    assert table.column_names == COLUMNS
    df = table.to_pandas()
    assert df["pseudonym"].is_unique
    assert df["risk"].between(0, 1).all()
    assert set(df["segment"]) == {"top 0.5%", "top 2%", "top 5%", ""}
    assert result.report_json.exists() and result.report_html.exists()


def test_segments_are_sized_by_rank_within_practice(runs):
    df = pq.read_table(runs[0].scores_path).to_pandas()
    for _, g in df.groupby("practice_code"):
        n = len(g)
        assert sorted(g["rank_in_practice"]) == list(range(1, n + 1))
        g = g.sort_values("rank_in_practice")
        assert g["risk"].is_monotonic_decreasing
        cut = {f: max(1, math.ceil(n * f - 1e-9)) for f in (0.005, 0.02, 0.05)}
        expected = (
            ["top 0.5%"] * cut[0.005]
            + ["top 2%"] * (cut[0.02] - cut[0.005])
            + ["top 5%"] * (cut[0.05] - cut[0.02])
            + [""] * (n - cut[0.05])
        )
        assert g["segment"].tolist() == expected


@pytest.mark.parametrize("rows", [[3, 1, 2, 0, 4], [0, 1, 2, 3, 4]])
def test_ranks_break_ties_by_pseudonym_whatever_the_row_order(rows):
    frame = pd.DataFrame(
        {
            "pseudonym": ["a", "b", "c", "d", "e"],
            "practice_code": ["P1", "P1", "P1", "P2", "P2"],
            "risk": [0.2, 0.5, 0.5, 0.1, 0.1],
        }
    ).iloc[rows]
    ranking = stratify.rank_and_segment(frame, frame["risk"].to_numpy())
    ranked = frame.iloc[ranking.position]
    assert ranked["pseudonym"].tolist() == ["b", "c", "a", "d", "e"]
    assert ranking.rank_in_practice.tolist() == [1, 2, 3, 1, 2]
    # A practice's top 0.5%, 2% and 5% hold at least its first person.
    assert ranking.segment.tolist() == ["top 0.5%", "", "", "top 0.5%", ""]


def test_people_on_the_lists_have_factors_that_raise_their_risk(runs):
    df = pq.read_table(runs[0].scores_path).to_pandas()
    listed = df[df["segment"] != ""]
    assert listed["top_factors"].map(len).between(1, 3).all()
    assert (df.loc[df["segment"] == "", "top_factors"].map(len) == 0).all()
    phrases = {p for f in listed["top_factors"] for p in f}
    assert any(p.startswith("aged ") for p in phrases)


def test_same_snapshot_and_seed_give_identical_scores(runs):
    first, second = runs
    assert first.run_id != second.run_id
    assert first.scores_path.read_bytes() == second.scores_path.read_bytes()


def test_report_content(runs):
    report = json.loads(runs[0].report_json.read_text())
    run = report["run"]
    assert run["seed"] == 11
    assert run["index_dates"] == {
        "fit": "2024-04-01",
        "validate": "2025-04-01",
        "score": "2026-04-01",
    }
    assert len(run["snapshot_fingerprint"]) == 64
    assert run["code_version"]
    assert set(run["stage_seconds"]) == {"read", "features", "fit", "validate", "score", "write"}
    v = report["validation"]
    assert 0.65 < v["model"]["auc"]["auc"] < 0.9
    assert v["model"]["auc"]["ci_low"] < v["model"]["auc"]["auc"] < v["model"]["auc"]["ci_high"]
    assert [c["top"] for c in v["model"]["case_finding"]] == [0.005, 0.01, 0.02, 0.05]
    assert set(v["subgroups"]) == {"age band", "sex", "deprivation (IMD quintile)", "ethnic group"}
    assert {r["group"] for r in v["subgroups"]["age band"]} == {"0-17", "18-64", "65-74", "75+"}
    assert "age only" in v["baselines"] and "logistic regression" in v["baselines"]
    assert "prior emergency admissions only" in v["baselines"]
    assert v["oracle"]["oracle"]["auc"]["auc"] > 0.7
    assert len(v["calibration_plot"]) == 10
    html = runs[0].report_html.read_text()
    assert "<svg" in html and "Calibration" in html
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_top_factors_are_plain_english_and_only_raise_risk():
    columns = ["age", "emergency_admissions_6m", "emergency_admissions_12m", "care_home", "efi"]
    frame = pd.DataFrame(
        {
            "age": [87, 40],
            "emergency_admissions_6m": [1, 0],
            "emergency_admissions_12m": [3, 0],
            "care_home": [1, 0],
            "efi": [0.31, 0.05],
        }
    )
    contrib = np.array([[0.45, 0.2, 0.3, 0.1, 0.4], [-0.3, -0.1, -0.1, -0.05, 0.2]])
    out = factors.top_factors(frame, contrib, columns, windows=(6, 12))
    assert out[0] == [
        "3 emergency admissions in the last 12 months",
        "aged 87",
        "moderate frailty (eFI 0.31)",
    ]
    # The second person's eFI of 0.05 raises their risk but is not frailty: nothing to say.
    assert out[1] == []


def test_reasons_are_counted_by_kind_not_by_the_person_s_figures():
    # Every phrase `top_factors` can give, at two different figures, is one kind of reason.
    columns = [
        "age",
        "gp_contacts_12m",
        "bed_days_12m",
        "social_care_services",
        "hfrs",
        "charlson",
        "ltc_count",
        "medicines_12m",
        "efi",
        "imd_decile",
        "reablement_12m",
    ]
    frame = pd.DataFrame(
        {
            "age": [88, 89],
            "gp_contacts_12m": [1, 13],
            "bed_days_12m": [1, 9],
            "social_care_services": [1, 2],
            "hfrs": [5.5, 11.2],
            "charlson": [2, 5],
            "ltc_count": [2, 4],
            "medicines_12m": [3, 11],
            "efi": [0.14, 0.22],
            "imd_decile": [1, 3],
            "reablement_12m": [1, 1],
        }
    )
    contrib = np.ones((2, len(columns)))
    one, other = factors.top_factors(frame, contrib, columns, windows=(12,), k=len(columns))
    # Each input says something here: medicines_12m used to be grouped as "medicines", a
    # factor with no phrase, so it (and reablement_12m) never showed.
    assert len(one) == len(other) == len(columns)
    assert one != other
    kinds = [factors.reason_kind(p) for p in one]
    assert kinds == [factors.reason_kind(p) for p in other]
    assert kinds[:3] == [
        "age",
        "GP contacts in the last 12 months",
        "days in hospital in the last 12 months",
    ]
    assert "mild frailty" in kinds and "hospital frailty risk score" in kinds


def test_model_card_run_table_reads_as_words_not_python(runs):
    html = runs[0].report_html.read_text()
    report = runs[0].report
    run_table = html[html.index("<h2>Run</h2>") :]
    assert "fitted at 1 April 2024, validated at 1 April 2025, scored at 1 April 2026" in run_table
    assert "6 and 12 months" in run_table
    people = report["run"]["people"]
    assert (
        f"{people['fit']:,} at fitting, {people['validate']:,} at validation, "
        f"{people['score']:,} at scoring"
    ) in run_table
    assert "2 April 2026 at 09:00 UTC" in run_table
    assert "DuckDB" in run_table and "<td>11</td>" in run_table
    assert "Validated at 1 April 2025 on" in html and "fitted at 1 April 2024 on" in html
    # No Python repr of a dict or list, no None, no long floats anywhere on the card.
    assert "&#x27;" not in html and "[6, 12]" not in html and "None" not in html
    text = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    assert not re.search(r"\d\.\d{5,}", text)


def test_model_card_counts_case_lists_as_published(runs):
    report = runs[0].report
    segment = pq.read_table(runs[0].scores_path, columns=["segment"]).to_pandas()["segment"]
    on_top_2 = int(segment.isin(["top 0.5%", "top 2%"]).sum())
    assert report["case_list_sizes"] == {
        "top 0.5%": int((segment == "top 0.5%").sum()),
        "top 2%": on_top_2,
        "top 5%": int((segment != "").sum()),
    }
    # The exclusive bands stay in report.json beside them.
    assert report["segments"]["top 2%"] == int((segment == "top 2%").sum()) < on_top_2
    html = runs[0].report_html.read_text()
    assert f"<td>in the top 2% of their practice</td><td>{on_top_2:,}</td>" in html
    assert "the top 2% includes the top 0.5%" in html
