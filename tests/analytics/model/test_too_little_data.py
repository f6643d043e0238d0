"""A run on a snapshot too small to fit or validate a model stops with a message an analyst
can act on, before LightGBM or scikit-learn fail on it."""

from __future__ import annotations

from datetime import date

import pytest

from joinedcare.analytics import model as M
from joinedcare.analytics import stratify
from tests.analytics.conftest import PRACTICES

DATES = stratify.IndexDates(date(2024, 4, 1), date(2025, 4, 1), date(2026, 4, 1))
SEED = 11


def people(n: int, **kw) -> list[dict]:
    """`n` people registered at P1 since 2000, pseudonyms p000, p001, ... (in frame order)."""
    return [
        {
            "pseudonym": f"p{i:03d}",
            "date_of_birth": date(1940 + i % 50, 6, 15),
            "sex": "female" if i % 2 else "male",
            "practice_code": "P1",
            "registered_from": date(2000, 1, 1),
            "imd_decile": 1 + i % 10,
            "ethnic_category": "A",
            **kw,
        }
        for i in range(n)
    ]


def admissions(indices: list[int], day: date) -> list[dict]:
    """One emergency admission on `day` for each of people `indices`."""
    return [
        {
            "pseudonym": f"p{i:03d}",
            "encounter_id": f"e{i}{day}",
            "setting": "inpatient",
            "admission_method": "emergency",
            "start_date": day,
            "end_date": day,
        }
        for i in indices
    ]


def run(snapshot, tmp_path) -> stratify.RunResult:
    return stratify.run(snapshot, tmp_path / "runs", seed=SEED, index_dates=DATES)


def test_run_with_nobody_at_the_fitting_date_says_so(snapshot_factory, tmp_path):
    snap = snapshot_factory({"practices": PRACTICES})
    with pytest.raises(stratify.StratifyError) as error:
        run(snap, tmp_path)
    message = str(error.value)
    assert "fitting date 2024-04-01: 0 people" in message
    assert f"at least {stratify.MIN_PEOPLE} people" in message
    assert not (tmp_path / "runs").exists()


def test_run_on_a_tiny_snapshot_names_the_people_and_admissions_found(snapshot_factory, tmp_path):
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": people(3),
            "encounters": admissions([0], date(2024, 6, 1)),
        }
    )
    with pytest.raises(stratify.StratifyError) as error:
        run(snap, tmp_path)
    message = str(error.value)
    assert "fitting date 2024-04-01: 3 people" in message
    assert "1 of them with an emergency admission in the next 12 months and 2 without" in message
    assert f"at least {stratify.MIN_EACH_OUTCOME} admitted" in message


def test_run_without_admissions_after_the_validation_date_says_so(snapshot_factory, tmp_path):
    # Plenty at the fitting date, but no one admitted in the year after the validation date.
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": people(150),
            "encounters": admissions(list(range(0, 150, 5)), date(2024, 6, 1)),
        }
    )
    with pytest.raises(stratify.StratifyError) as error:
        run(snap, tmp_path)
    message = str(error.value)
    assert "validation date 2025-04-01: 150 people" in message
    assert "0 of them with an emergency admission" in message


def test_run_whose_calibration_slice_has_no_admissions_says_so(snapshot_factory, tmp_path):
    # Enough admissions at the fitting date, all outside the fifth held out for calibration.
    n = 100
    held = M.split_for_calibration(n, SEED)
    admitted = [i for i in range(n) if not held[i]][:15]
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": people(n),
            "encounters": admissions(admitted, date(2024, 6, 1)),
        }
    )
    with pytest.raises(stratify.StratifyError) as error:
        run(snap, tmp_path)
    message = str(error.value)
    assert "fitting date 2024-04-01 the calibration part (20 people" in message
    assert "has 0 people with an emergency admission" in message


def test_run_with_nobody_at_the_scoring_date_says_so(snapshot_factory, tmp_path):
    # Enough to fit and validate, but everyone's registration ended before the scoring date.
    snap = snapshot_factory(
        {
            "practices": PRACTICES,
            "people": people(200, registered_to=date(2026, 3, 1)),
            "encounters": admissions(list(range(0, 200, 4)), date(2024, 6, 1))
            + admissions(list(range(1, 200, 4)), date(2025, 6, 1)),
        }
    )
    with pytest.raises(stratify.StratifyError, match="scoring date 2026-04-01"):
        run(snap, tmp_path)
