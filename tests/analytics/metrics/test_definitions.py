"""Every metric definition file loads and is valid; the checker names what is wrong."""

import tomllib
from datetime import date

import pytest

from joinedcare.analytics.metrics import catalogue, engine
from joinedcare.analytics.metrics.catalogue import DEFINITIONS_DIR, DefinitionError

from .conftest import write_snapshot

FILES = sorted(DEFINITIONS_DIR.glob("*.toml"))

# The metrics issue 6 asks for, by the slug of their definition.
REQUIRED_METRICS = {
    "ae_attendances_per_1000", "emergency_admissions_per_1000",
    "emergency_admissions_per_100000", "emergency_readmissions_30_days",
    "emergency_bed_days_per_1000", "acs_admissions_per_100000",
    "care_home_admissions_65_per_100000", "discharges_to_usual_residence",
    "ascof_2b1_at_home_91_days", "ascof_2b2_offered_reablement",
    "delayed_transfer_days_per_100000", "discharges_via_d2a", "spa_referrals_per_week",
    "referral_to_triage_hours", "referral_to_service_start_days", "service_occupancy",
    "episodes_within_six_weeks", "episode_outcomes_at_home", "top2_with_care_plan",
    "care_plan_reviews_on_time", "care_plan_actions_overdue",
}  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_definition_file_is_valid(path):
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    assert catalogue.problems(raw, path.name) == []
    metric = catalogue.load(path)
    assert metric.unit in catalogue.UNITS
    assert metric.source in catalogue.SOURCES
    assert metric.low_is_good in (True, False, None)
    for side in ("numerator", "denominator"):
        spec = metric.query.get(side)
        if metric.computed_here and "diagnoses" in spec:
            assert engine.codelist(spec["diagnoses"]["codelist"]), "code list is empty"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_what_pages_show_cites_sources_by_name_not_project_shorthand(path):
    """The outcome pages show why, numerator, denominator, population and notes to staff
    and commissioners: no "seed 001" or file paths, which mean nothing to them."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    for key in ("name", "why", "numerator", "denominator", "population", "notes"):
        text = raw.get(key, "")
        assert "seed 0" not in text and "codelists/" not in text and ".csv" not in text, key


def test_every_required_metric_is_defined():
    assert {m.slug for m in catalogue.load_all()} >= REQUIRED_METRICS


def test_targets_from_the_seeds():
    assert catalogue.get("delayed_transfer_days_per_100000").target == 387.6
    assert catalogue.get("ascof_2b1_at_home_91_days").target == 86.0


def test_loaded_definitions_are_read_only():
    metric = catalogue.get("ae_attendances_per_1000")
    with pytest.raises(TypeError):
        metric.query["numerator"]["where"]["setting"] = "gp"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"unit": "per million"}, "unknown unit"),
        ({"source": "spreadsheet"}, "unknown source"),
        ({"low_is_good": "yes"}, "low_is_good"),
        ({"period": "fortnight"}, "unknown period"),
        ({"target": "high"}, "target must be a number"),
        ({"why": " "}, "why must be a non-empty string"),
        ({"colour": "blue"}, "unknown key 'colour'"),
        ({"slug": "other"}, "does not match the file name"),
        (
            {"query": {"numerator": {"events": "people", "date": "x"}, "denominator": {}}},
            "query.numerator.events",
        ),
        (
            {
                "query": {
                    "numerator": {"population": True},
                    "denominator": {"population": True},
                    "weights": 1,
                }
            },
            "unknown query key 'weights'",
        ),
        ({"unit": "count"}, "has no multiplier"),
    ],
)
def test_problems_are_named(change, problem):
    raw = tomllib.loads((DEFINITIONS_DIR / "ae_attendances_per_1000.toml").read_text())
    raw.update(change)
    found = catalogue.problems(raw, "ae_attendances_per_1000.toml")
    assert any(problem in p for p in found), found


def test_missing_keys_and_operations_query(tmp_path):
    assert "missing key 'why'" in catalogue.problems({"slug": "x"})
    raw = tomllib.loads((DEFINITIONS_DIR / "service_occupancy.toml").read_text())
    raw["query"] = {"records": "services.Service"}
    assert "unknown query key 'records'" in catalogue.problems(raw)
    bad = tmp_path / "x.toml"
    bad.write_text('slug = "x"\n')
    with pytest.raises(DefinitionError, match=r"x\.toml: missing key"):
        catalogue.load(bad)
    with pytest.raises(KeyError):
        catalogue.get("no_such_metric")


@pytest.mark.parametrize(
    ("slug", "change", "problem"),
    [
        # The web app's tables are for operations metrics only.
        ("ae_attendances_per_1000", {"events": "referrals"}, "query.numerator.events"),
        ("referral_to_triage_hours", {"events": "letters"}, "query.numerator.events"),
        ("referral_to_triage_hours", {"amount": {"hours_between": ["a", "b"]}}, "amount table"),
        ("referral_to_triage_hours", {"amount": "median"}, "amount must be one of"),
        ("ascof_2b1_at_home_91_days", {"months_of_year": [13]}, "months_of_year"),
        ("top2_with_care_plan", {"person_has": {"events": "letters"}}, "person_has.events"),
        ("referral_to_triage_hours", {"date": None}, "date must name the column"),
    ],
)
def test_operations_query_problems_are_named(slug, change, problem):
    raw = tomllib.loads((DEFINITIONS_DIR / f"{slug}.toml").read_text())
    raw["query"]["numerator"].update(change)
    raw["query"]["numerator"] = {k: v for k, v in raw["query"]["numerator"].items() if v}
    found = catalogue.problems(raw, f"{slug}.toml")
    assert any(problem in p for p in found), found


def test_a_metric_without_people_is_for_the_place_only():
    raw = tomllib.loads((DEFINITIONS_DIR / "service_occupancy.toml").read_text())
    assert catalogue.get("service_occupancy").place_only
    del raw["levels"]
    assert any("has no person" in p for p in catalogue.problems(raw))
    raw["levels"] = ["ward"]
    assert any("levels must be a list" in p for p in catalogue.problems(raw))


def test_engine_skips_operations_metrics_with_a_reason(random_snapshot):
    path, _ = random_snapshot(3)
    tables = engine.read_snapshot(path)
    results = engine.compute_all(tables)
    assert set(results) == {m.slug for m in catalogue.load_all()}
    for result in results.values():
        if result.metric.source == "operations":
            assert result.status == engine.SKIPPED
            assert "web app" in result.reason
            with pytest.raises(ValueError, match="not computed"):
                result.by_unit()
        else:
            assert result.status == engine.COMPUTED


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # Starts mid-January, ends on 31 May: February to May.
        (date(2023, 1, 15), date(2023, 5, 31), ["2023-02", "2023-03", "2023-04", "2023-05"]),
        # Starts on 1 January, ends on 30 May (May incomplete): January to April.
        (date(2023, 1, 1), date(2023, 5, 30), ["2023-01", "2023-02", "2023-03", "2023-04"]),
        # December to January across the year end.
        (date(2022, 12, 1), date(2023, 1, 31), ["2022-12", "2023-01"]),
    ],
)
def test_snapshot_months_are_complete_months(tmp_path, first, last, expected):
    rows = {
        "people": [],
        "practices": [],
        "encounters": [
            {"pseudonym": "a", "encounter_id": str(i), "setting": "gp", "start_date": d}
            for i, d in enumerate((first, last))
        ],
    }
    months = engine.snapshot_months(engine.read_snapshot(write_snapshot(tmp_path, rows)))
    assert [m.strftime("%Y-%m") for m in months] == expected


def test_unknown_breakdown_is_refused(random_snapshot):
    path, _ = random_snapshot(3)
    tables = engine.read_snapshot(path)
    result = engine.compute_all(tables, metrics=[catalogue.get("ae_attendances_per_1000")])
    with pytest.raises(ValueError, match="Unknown breakdown"):
        result["ae_attendances_per_1000"].by_group("postcode")


def test_snapshot_without_people_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="lacks tables"):
        engine.read_snapshot(tmp_path)
