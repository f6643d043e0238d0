"""What a commissioner reads on a dashboard: each metric's caveats and sources, definition
texts written for them (not for developers), monthly rates that say so, percentage charts
on a 0-100% axis, charts of services that started late, and units named, not coded."""

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from django.conf import settings
from django.utils.html import escape

from joinedcare.analytics.metrics import catalogue, engine
from joinedcare.analytics.store import Snapshot
from joinedcare.outcomes import figures
from joinedcare.staff.roles import Role
from tests import factories

METRICS = {m.slug: m for m in catalogue.load_all()}
# The definition texts a dashboard shows for every metric.
SHOWN_FIELDS = ("why", "numerator", "denominator", "target_source", "notes")
# Words for developers, not commissioners: working notes, internal names, data codes.
DEVELOPER_PHRASES = (
    "we read it as",
    "check against",
    "the seed",
    "the layout",
    "the engine",
    "web app",
    "snapshot",
    "by_group",
    "cells",
    "setting",
    "europe/london",
    "pages divide",
)
SVG = {"svg": "http://www.w3.org/2000/svg"}


def _escaped(text: str) -> str:
    return str(escape(text))


def _body(client, path: str) -> str:
    client.force_login(factories.staff(Role.ANALYST))
    response = client.get(path)
    assert response.status_code == 200
    return response.text


def _section(body: str, slug: str) -> str:
    return body.split(f'<section id="{slug}"')[1].split("</section>")[0]


def _computed(tmp_path, metric, counts: list[tuple[int, int]]) -> figures.Computed:
    """One metric's place series from (numerator, denominator) per month, from Jan 2025."""
    months = pd.period_range("2025-01", periods=len(counts), freq="M").astype(str)
    frame = pd.DataFrame(
        {
            "level": "place",
            "unit": engine.PLACE,
            "month": months,
            "numerator": [n for n, _ in counts],
            "denominator": [d for _, d in counts],
        }
    )
    return figures.Computed(
        Snapshot(tmp_path), {metric.slug: metric}, {metric.slug: frame}, [], lambda: {}
    )


def _place_panel(tmp_path, slug: str, counts: list[tuple[int, int]]) -> figures.Panel:
    metric = METRICS[slug]
    return figures.panel(_computed(tmp_path, metric, counts), metric, "place", engine.PLACE)


def _axis_ticks(svg: str) -> list[float]:
    root = ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)
    # The y-axis labels are the only right-aligned texts.
    texts = root.findall("svg:text", SVG)
    return [float(t.text.replace(",", "")) for t in texts if t.get("text-anchor") == "end"]


@pytest.mark.django_db
def test_dashboard_shows_each_metrics_notes_and_references(client, units):
    body = _body(client, f"/outcomes/place/{units['place'].code}/")

    with_notes = [m for m in figures.current(settings.ANALYTICS_DIR).computed if m.notes]
    assert with_notes
    for metric in with_notes:
        section = _section(body, metric.slug)
        assert _escaped(metric.notes) in section, metric.slug
        for reference in metric.references:
            assert _escaped(reference) in section, metric.slug
    # The caveat the commissioner missed: ambulatory care sensitive admissions count any
    # diagnosis and are not age-standardised.
    assert "not age-standardised" in _section(body, "acs_admissions_per_100000")


@pytest.mark.django_db
def test_no_definition_text_shown_talks_to_developers(client, units):
    body = _body(client, f"/outcomes/place/{units['place'].code}/")

    for metric in figures.current(settings.ANALYTICS_DIR).computed:
        section = _section(body, metric.slug)
        texts = [getattr(metric, f) for f in SHOWN_FIELDS if getattr(metric, f)]
        for text in [*texts, *metric.references]:
            # The page shows the text (the numerator with a capital), so it is what is read.
            assert _escaped(text[:1].upper() + text[1:]) in section or _escaped(text) in section
            found = [p for p in DEVELOPER_PHRASES if p in text.lower()]
            assert not found, (metric.slug, found, text)
    for phrase in ("we read it as", "check against", "the seed"):
        assert phrase not in body.lower()


def test_no_monthly_rate_invites_comparison_with_yearly_national_figures():
    for metric in METRICS.values():
        if figures.side_kind(metric, "denominator") == figures.PEOPLE:
            assert "set beside national" not in metric.why, metric.slug
            assert metric.notes and "one month" in metric.notes, metric.slug


def test_the_delayed_transfers_target_says_what_is_assumed_and_where_it_comes_from():
    source = METRICS["delayed_transfer_days_per_100000"].target_source

    assert "Cabinet, March 2017, para 43" in source  # the provenance is kept
    assert "monthly target, an assumption" in source


@pytest.mark.django_db
def test_a_monthly_rate_says_it_is_per_month_wherever_its_value_is_shown(client, units):
    body = _body(client, f"/outcomes/place/{units['place'].code}/")

    rates = [
        p
        for p in (
            figures.panel(figures.current(settings.ANALYTICS_DIR), m, "place", engine.PLACE)
            for m in figures.current(settings.ANALYTICS_DIR).computed
        )
        if figures.side_kind(p.metric, "denominator") == figures.PEOPLE
    ]
    assert any(p.latest and p.latest.figure.value is not None for p in rates)
    for p in rates:
        if p.latest and p.latest.figure.value is not None:
            month = figures.month_words(p.latest.month)
            assert p.latest_text.endswith(f"a month ({month})")
            assert "people" in p.latest_text
            assert _escaped(p.latest_text) in body
        for _, value, _ in p.comparison:
            assert value == figures.SUPPRESSED_TEXT or value.endswith("a month")
        if p.svg:
            assert "a month" in p.svg
    target = METRICS["delayed_transfer_days_per_100000"].target
    # A rate of a part of the population says which part ("adults" had read as everyone).
    assert f"{target:,.1f} per 100,000 people aged 18 and over a month" in body
    older = METRICS["care_home_admissions_65_per_100000"]
    assert figures.shown_unit(older) == "per 100,000 people aged 65 and over a month"


def test_percentage_axis_stays_within_0_and_100_percent(tmp_path):
    # Months of 50% and 100%: the process limits lie far beyond 0 and 100%.
    counts = [(50, 100), (100, 100)] * 9

    p = _place_panel(tmp_path, "episode_outcomes_at_home", counts)

    assert p.chart is not None and p.chart.upper > 100 and p.chart.lower < 0
    ticks = _axis_ticks(p.svg)
    assert max(ticks) <= 100
    assert min(ticks) >= 0
    assert "The upper limit is above 100%, the largest possible value" in p.svg


def test_a_chart_is_drawn_from_the_first_month_with_a_figure_but_not_across_a_gap(tmp_path):
    # Four months before the service started (nothing to count, suppressed), then 16 months.
    late_start = [(0, 10_000)] * 4 + [(40 + 5 * (i % 3), 10_000) for i in range(16)]
    # The same with a month of 3 in the middle: joining its neighbours would mislead.
    gap = [*late_start[:10], (3, 10_000), *late_start[11:]]

    drawn = _place_panel(tmp_path, "ae_attendances_per_1000", late_start)
    not_drawn = _place_panel(tmp_path, "ae_attendances_per_1000", gap)
    all_suppressed = _place_panel(tmp_path, "ae_attendances_per_1000", [(2, 10_000)] * 5)

    assert drawn.chart is not None and drawn.why_no_chart is None
    assert len(drawn.chart.points) == 16
    assert drawn.chart.points[0].label == "May 2025"
    assert drawn.drawn_from.startswith("Drawn from May 2025")
    # Every point is a suppressed figure, as the page's table and CSV show it.
    assert all(m.figure.value is None for m in drawn.months[:4])
    assert [pt.value for pt in drawn.chart.points] == [m.figure.value for m in drawn.months[4:]]
    assert not_drawn.chart is None and not_drawn.svg is None and not_drawn.drawn_from is None
    assert "no chart is drawn" in not_drawn.why_no_chart
    assert all_suppressed.chart is None and "no chart is drawn" in all_suppressed.why_no_chart


@pytest.mark.django_db
@pytest.mark.parametrize("level", ["place", "locality", "team", "practice"])
def test_dashboard_names_its_unit_not_its_code(client, units, level):
    unit = {
        "place": units["place"],
        "locality": units["localities"]["L1"],
        "team": units["teams"]["T1"],
        "practice": units["practices"]["P1"],
    }[level]

    body = _body(client, f"/outcomes/{level}/{unit.code}/")

    heading = re.search(r"<h1.*?</h1>", body, re.S).group(0)
    assert unit.name in heading
    assert unit.code not in heading
    expected = {
        "place": "Place",
        "locality": f"Locality of {units['place'].name}",
        "team": f"Team Around Patients, {units['localities']['L1'].name}",
        "practice": f"GP practice, {units['teams']['T1'].name}",
    }[level]
    assert f'<span class="nhsuk-caption-l">{expected}</span>' in heading


@pytest.mark.django_db
def test_place_comparison_names_the_place(client, units):
    place = units["place"]

    body = _body(client, f"/outcomes/place/{place.code}/")

    assert f"<strong>{place.name} (this place)</strong>" in body
    assert f"<strong>{engine.PLACE} (this place)</strong>" not in body


@pytest.mark.django_db
def test_inequalities_and_profile_pages_name_the_locality(client, units):
    locality = units["localities"]["L1"]

    for path in (
        f"/outcomes/locality/{locality.code}/inequalities/",
        f"/outcomes/locality/{locality.code}/profile/",
    ):
        heading = re.search(r"<h1.*?</h1>", _body(client, path), re.S).group(0)
        assert locality.code not in heading, path
        assert f"Locality of {units['place'].name}" in heading, path


@pytest.mark.django_db
def test_a_setting_code_never_reaches_the_page(client, units):
    body = _body(client, f"/outcomes/place/{units['place'].code}/")

    assert "ae setting" not in body
    assert "encounters in" not in body
    assert "A&amp;E attendances starting in the month" in body
