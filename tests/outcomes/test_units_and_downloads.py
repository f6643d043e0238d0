"""What an analyst or commissioner reads on the dashboards: figures with their units, months
and load times in words, and CSV downloads that say what they hold."""

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape

from joinedcare.analytics import profiles
from joinedcare.analytics.metrics import catalogue
from joinedcare.analytics.store import Snapshot
from joinedcare.analytics.suppression import SUPPRESSED_TEXT
from joinedcare.outcomes import figures
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

METRICS = {m.slug: m for m in catalogue.load_all()}
MONTH = (
    r"(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"
)


def _escaped(text: str) -> str:
    return str(escape(text))


def _place_panels(units) -> dict[str, figures.Panel]:
    computed = figures.current(settings.ANALYTICS_DIR)
    return {
        m.slug: figures.panel(computed, m, "place", figures.unit_key("place", ""))
        for m in computed.computed
    }


def _dashboard(client, path: str) -> str:
    client.force_login(factories.staff(Role.ANALYST))
    response = client.get(path)
    assert response.status_code == 200
    return response.text


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_with_unit_names_the_unit_of_every_kind_of_value():
    assert figures.with_unit(METRICS["care_plan_actions_overdue"], 78.7) == "78.7%"
    # A rate per population is a month's: it says so, not to be read as a year's.
    assert figures.with_unit(METRICS["emergency_admissions_per_100000"], 441.43) == (
        "441.4 per 100,000 people a month"
    )
    assert figures.with_unit(METRICS["ae_attendances_per_1000"], 1234.5) == (
        "1,234.5 per 1,000 people a month"
    )
    assert figures.with_unit(METRICS["referral_to_service_start_days"], 3.25) == "3.2 days"
    assert figures.with_unit(METRICS["spa_referrals_per_week"], 12.0) == "12.0 per week"
    assert figures.with_unit(METRICS["care_plan_actions_overdue"], None) == SUPPRESSED_TEXT


def test_month_words():
    assert figures.month_words("2026-03") == "March 2026"
    assert figures.month_words("2025-12") == "December 2025"
    assert figures.month_words("2025-09", short=True) == "Sep 2025"


def test_place_dashboard_shows_the_latest_month_in_words_and_the_value_with_its_unit(client, units):
    body = _dashboard(client, f"/outcomes/place/{units['place'].code}/")

    panels = _place_panels(units)
    shown = [p for p in panels.values() if p.latest and p.latest.figure.value is not None]
    assert shown  # the seeded snapshot has figures big enough to show
    for p in shown:
        expected = figures.with_unit(p.metric, p.latest.figure.value)
        assert p.metric.unit in expected
        assert _escaped(f"{expected} ({figures.month_words(p.latest.month)})") in body
    # No bare "(2026-03)" beside a figure, nor in the charts read by screen readers.
    assert not re.search(r"\d{4}-\d{2}\b(?!-)", body.split("<main")[1].split("</main>")[0])
    assert re.search(r"Latest \([A-Z][a-z]{2} \d{4}\): ", body)
    # Rates per population as well as percentages (the small snapshot hides many months).
    assert {p.metric.unit for p in shown} & {"per 1,000", "per 100,000"}


def test_every_percentage_on_the_dashboard_carries_its_unit(client, units):
    body = _dashboard(client, f"/outcomes/place/{units['place'].code}/")

    panels = _place_panels(units)
    percentages = [p for p in panels.values() if p.metric.unit == "%" and p.latest]
    assert percentages
    for p in percentages:
        value = p.latest.figure.value
        if value is not None:
            assert f"{value:,.1f}% (" in body, p.metric.slug
    # The comparison tables and targets carry the unit too.
    target = METRICS["ascof_2b1_at_home_91_days"].target
    assert f"{target:,.1f}%" in body
    per_100000 = METRICS["delayed_transfer_days_per_100000"].target
    assert _escaped(f"{per_100000:,.1f} per 100,000") in body


def test_dashboard_says_when_the_data_was_loaded_in_words(client, units):
    body = _dashboard(client, f"/outcomes/team/{units['teams']['T1'].code}/")

    snapshot = figures.current(settings.ANALYTICS_DIR).snapshot
    local = timezone.localtime(figures.loaded_at(snapshot))
    assert f"Data loaded {local.day} {local:%B %Y} at {local:%H:%M}." in body
    assert "From the analytics snapshot" not in body
    # The id stays for an analyst, on a visually secondary line.
    assert f'<p class="nhsuk-body-s jc-meta">Analytics snapshot {snapshot.id}</p>' in body


def test_loaded_at_reads_the_manifest_else_the_snapshot_id(tmp_path):
    named = tmp_path / "20261204T161736770247Z-d20981"
    named.mkdir()
    (named / "manifest.json").write_text(json.dumps({"created_at": "2026-07-01T09:05:00+00:00"}))
    assert figures.loaded_at(Snapshot(named)) == datetime(2026, 7, 1, 9, 5, tzinfo=UTC)

    (named / "manifest.json").write_text("{}")
    assert figures.loaded_at(Snapshot(named)) == datetime(
        2026, 12, 4, 16, 17, 36, 770247, tzinfo=UTC
    )
    assert figures.loaded_at(Snapshot(tmp_path / "not-an-id")) is None


def test_csv_names_the_metric_its_unit_and_the_unit_it_is_for(client, units):
    practice = units["practices"]["P1"]
    client.force_login(factories.staff(Role.ANALYST))
    slug = "emergency_admissions_per_100000"

    response = client.get(f"/outcomes/practice/{practice.code}/{slug}.csv")

    assert response.status_code == 200
    rows = _csv(response)
    assert rows[0] == [
        "metric",
        "metric_name",
        "value_unit",
        "level",
        "unit_code",
        "unit_name",
        "snapshot",
        "month",
        "numerator",
        "denominator",
        "value",
    ]
    snapshot = figures.current(settings.ANALYTICS_DIR).snapshot
    assert len(rows) > 12
    for row in rows[1:]:
        assert row[:7] == [
            slug,
            METRICS[slug].name,
            "per 100,000 people a month",
            "practice",
            practice.code,
            practice.name,
            snapshot.id,
        ]
    loaded = timezone.localdate(figures.loaded_at(snapshot)).isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="{slug}-practice-{practice.code}-data-loaded-{loaded}.csv"'
    )


def test_place_csv_names_the_place_by_its_code(client, units):
    place = units["place"]
    client.force_login(factories.staff(Role.ANALYST))

    rows = _csv(client.get(f"/outcomes/place/{place.code}/ae_attendances_per_1000.csv"))

    assert {(r[3], r[4], r[5]) for r in rows[1:]} == {("place", place.code, place.name)}


def test_place_only_metric_is_not_offered_below_the_place(client, units):
    practice = units["practices"]["P1"]
    slug = "service_occupancy"
    assert METRICS[slug].place_only

    body = _dashboard(client, f"/outcomes/practice/{practice.code}/")

    assert f'href="/outcomes/practice/{practice.code}/{slug}.csv"' not in body
    assert "Measured for the place as a whole" in body
    # No empty comparison table of practices for it, and the summary says why it has no value.
    section = body.split(f'id="{slug}"')[1].split("</section>")[0]
    assert "Latest month of each practice" not in section
    assert "place only" in body
    # A saved or typed link finds nothing rather than a file holding only its header.
    assert client.get(f"/outcomes/practice/{practice.code}/{slug}.csv").status_code == 404


def test_inequalities_page_gives_months_in_words_and_the_gap_with_its_unit(client, units):
    body = _dashboard(client, f"/outcomes/place/{units['place'].code}/inequalities/")

    # Was "summed over": the page now covers the months, its rates are not sums of them.
    assert re.search(rf"over the months from {MONTH} to {MONTH},", body)
    assert not re.search(r"from \d{4}-\d{2}", body)
    gaps = re.findall(r"least deprived quintile: (.*?); ratio", body)
    assert gaps
    for gap in gaps:
        # "[c]" alone, or a number and the unit: percentages differ by percentage points, and
        # a rate per population over twelve months is per year (it was per month).
        assert gap == SUPPRESSED_TEXT or re.fullmatch(
            r"-?[\d,]+\.\d (percentage points|per (1,000|100,000) people a year|days|hours"
            r"|per week)",
            gap,
        ), gap


def test_profile_method_says_plainly_that_everyone_is_a_year_older(client, units):
    body = _dashboard(client, f"/outcomes/locality/{units['localities']['L1'].code}/profile/")

    assert "Each year everyone is a year older." in body
    assert "a year a year" not in profiles.METHOD_TEXT


def test_inequalities_rows_read_as_words_and_counts_with_separators(client, units):
    body = _dashboard(client, f"/outcomes/place/{units['place'].code}/inequalities/")
    cells = re.findall(r'<td class="nhsuk-table__cell[^"]*">([^<]*)</td>', body)
    assert "Female" in cells and "Male" in cells
    assert "female" not in cells and "male" not in cells
    # A count of a thousand or more has its separator, as the values beside it do.
    big = [c for c in cells if re.fullmatch(r"\d{4,}", c)]
    assert big == [], big
