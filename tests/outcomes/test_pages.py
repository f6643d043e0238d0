"""The outcomes dashboard, its CSV downloads and the inequality page, on a seeded snapshot."""

import csv
import io

import pytest
from django.utils.html import escape

from joinedcare.analytics.metrics import catalogue
from joinedcare.analytics.suppression import RULE_TEXT, SUPPRESSED_TEXT
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

ANALYTICS = [m for m in catalogue.load_all() if m.computed_here]
OPERATIONS = [m for m in catalogue.load_all() if not m.computed_here]


def _escaped(text: str) -> str:
    return str(escape(text))


@pytest.mark.parametrize("role", [Role.TAP_LEAD, Role.ANALYST, Role.LOCALITY_MANAGER])
def test_dashboard_for_staff_who_see_aggregates(client, units, role):
    team = units["teams"]["T1"]
    client.force_login(factories.staff(role, teams=[team]))

    response = client.get(f"/outcomes/team/{team.code}/")

    assert response.status_code == 200
    body = response.text
    assert "Summary of every metric" in body
    assert _escaped(RULE_TEXT) in body
    # The web app's operations metrics are computed beside the snapshot's, none left out.
    for metric in ANALYTICS + OPERATIONS:
        link = f'href="/outcomes/team/{team.code}/{metric.slug}.csv"'
        # Every snapshot metric has team figures to download; a metric measured for the place
        # only has none (nor has an operations metric without records, offered only with them).
        if metric in ANALYTICS:
            assert link in body, metric.slug
        if metric.place_only:
            assert link not in body, metric.slug
        assert _escaped(metric.name) in body
    assert "Not yet computed" not in body
    assert "T2 TAP" in body  # compared with the other teams


def test_place_dashboard_draws_spc_charts(client, units):
    client.force_login(factories.staff(Role.ANALYST))

    response = client.get(f"/outcomes/place/{units['place'].code}/")

    assert response.status_code == 200
    assert response.text.count('class="jc-spc"') >= 1


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_staff_without_aggregates_are_refused(client, units, role):
    team = units["teams"]["T1"]
    client.force_login(factories.staff(role))

    for url in (
        "/outcomes/",
        f"/outcomes/team/{team.code}/",
        f"/outcomes/team/{team.code}/inequalities/",
        f"/outcomes/team/{team.code}/{ANALYTICS[0].slug}.csv",
    ):
        assert client.get(url).status_code == 403, url


def test_csv_has_header_and_suppresses_small_counts(client, units):
    practice = units["practices"]["P1"]
    client.force_login(factories.staff(Role.ANALYST))

    response = client.get(f"/outcomes/practice/{practice.code}/emergency_readmissions_30_days.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-4:] == ["month", "numerator", "denominator", "value"]
    rows = [r[-4:] for r in rows]
    months = [r[0] for r in rows[1:]]
    assert len(months) >= 12 and months == sorted(set(months))  # every complete month, once
    assert any(r[1] == SUPPRESSED_TEXT and r[3] == SUPPRESSED_TEXT for r in rows[1:])
    for _, numerator, denominator, _ in rows[1:]:
        for count in (numerator, denominator):
            assert count == SUPPRESSED_TEXT or (int(count) > 7 and int(count) % 5 == 0)


def test_unknown_units_and_metrics_are_not_found(client, units):
    client.force_login(factories.staff(Role.ANALYST))
    team = units["teams"]["T1"]

    assert client.get("/outcomes/team/NOPE/").status_code == 404
    assert client.get(f"/outcomes/ward/{team.code}/").status_code == 404
    assert client.get(f"/outcomes/team/{team.code}/no_such_metric.csv").status_code == 404
    # An operations metric is known now: computed from the web app's records.
    delayed = f"/outcomes/team/{team.code}/delayed_transfer_days_per_100000.csv"
    assert client.get(delayed).status_code == 200
    # One with no records has no months, so no file (the dashboard offers none).
    assert client.get(f"/outcomes/team/{team.code}/spa_referrals_per_week.csv").status_code == 404


def test_inequalities_page_breaks_down_every_metric(client, units):
    client.force_login(factories.staff(Role.ANALYST))

    response = client.get(f"/outcomes/place/{units['place'].code}/inequalities/")

    assert response.status_code == 200
    body = response.text
    assert _escaped(RULE_TEXT) in body
    assert body.count("</caption>") == 4 * len(ANALYTICS + OPERATIONS)
    for metric in ANALYTICS + OPERATIONS:
        for title in ("deprivation quintile", "age band", "sex", "ethnic group"):
            assert f"{_escaped(metric.name)} by {title}" in body
    assert "Gap, most deprived minus least deprived quintile" in body
    assert "65-74" in body and "Asian or Asian British" in body


def test_without_a_snapshot_the_page_says_how_to_make_one(client, settings, tmp_path):
    settings.ANALYTICS_DIR = tmp_path / "empty"
    team = factories.team()
    client.force_login(factories.staff(Role.TAP_LEAD, teams=[team]))

    response = client.get(f"/outcomes/team/{team.code}/")

    assert response.status_code == 200
    assert "joinedcare ingest" in response.text


def test_index_lists_units_and_the_nav_links_to_it(client, units):
    client.force_login(factories.staff(Role.TAP_LEAD, teams=[units["teams"]["T1"]]))

    response = client.get("/outcomes/")

    assert response.status_code == 200
    assert 'href="/outcomes/"' in response.text  # the header's "Outcomes" link
    assert f'href="/outcomes/practice/{units["practices"]["P4"].code}/"' in response.text
