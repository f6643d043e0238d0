"""A TAP lead reads their team's outcomes dashboard and downloads a metric's data as CSV."""

import csv

import pytest
from playwright.sync_api import expect

from joinedcare.outcomes.figures import CSV_HEADER
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.outcomes.conftest import analytics_dir, units  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tap_lead_reads_the_dashboard_and_downloads_a_csv(page, units):  # noqa: F811
    team = units["teams"]["T1"]
    factories.staff(Role.TAP_LEAD, teams=[team], username="tap-lead")

    sign_in(page, "tap-lead", factories.PASSWORD)
    page.get_by_role("link", name="Outcomes", exact=True).click()
    page.get_by_role("link", name=team.name).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(team.name)
    summary = page.get_by_role("table", name="Summary of every metric")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("row").filter(has_text="A&E attendances")).to_have_count(1)
    expect(page.get_by_text("counts of 7 or fewer").first).to_be_visible()

    with page.expect_download() as download_info:
        section = page.locator("#ae_attendances_per_1000")
        section.get_by_role("link", name="Download data (CSV)").click()
    download = download_info.value
    path = download.path()
    with open(path, encoding="utf-8", newline="") as fh:
        header, first = list(csv.reader(fh))[:2]
    # A file opened later says what it is: the metric, its unit and the team, in every row.
    assert header == CSV_HEADER
    assert first[0] == "ae_attendances_per_1000" and first[3:5] == ["team", team.code]
    assert first[1].startswith("A&E attendances") and first[2] == "per 1,000 people a month"
    assert download.suggested_filename.startswith(f"ae_attendances_per_1000-team-{team.code}-")
