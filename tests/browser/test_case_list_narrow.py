"""A VAWAS nurse reads the team's case list on a phone (320 CSS pixels): the page does not
scroll sideways, each person is a card with every value under its heading, and the list
still sorts (from "Sort the list by", as the column headings are hidden there) and pages."""

import pytest
from playwright.sync_api import expect

from joinedcare.caselists import views as caselist_views
from joinedcare.caselists.actions import publish_run
from joinedcare.organisations.models import Organisation
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations
from tests.caselists.runs import write_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}


@pytest.fixture
def team_list(tmp_path, settings, monkeypatch):
    """A team of two practices, Auckland's list then Bishopgate's by rank, 3 people on
    each; 2 people a page, so it pages."""
    settings.RUNS_DIR = tmp_path
    monkeypatch.setattr(caselist_views, "PAGE_SIZE", 2)
    team = factories.team(name="Consett TAP")
    rows = []
    named = (("Auckland Surgery", (0.52, 0.31, 0.20)), ("Bishopgate Practice", (0.97, 0.60, 0.44)))
    for name, practice_risks in named:
        gp_practice = factories.organisation(kind=Organisation.Kind.GP_PRACTICE, name=name)
        practice = factories.practice(team=team, organisation=gp_practice)
        for risk in practice_risks:
            rows.append((factories.person(practice=practice).pseudonym, practice.code, risk))
    publish_run(
        by=factories.staff(Role.ANALYST), run_dir=write_run(tmp_path, "r1", rows), top_percent=99
    )
    factories.staff(Role.VAWAS_NURSE, teams=[team], username="vawas")
    factories.staff(Role.ANALYST, username="analyst")
    return team


def _phone(browser, live_server, username: str):
    # bypass_csp only so axe-core can be injected, as test_accessibility does.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, username, factories.PASSWORD)
    return context, page


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _risks(page) -> list[str]:
    """Each card's risk, as shown beside its "Risk" heading."""
    cells = page.locator("tbody td").filter(
        has=page.locator(".nhsuk-table__heading", has_text="Risk")
    )
    return [text.replace("Risk", "").strip() for text in cells.all_inner_texts()]


def test_team_case_list_fits_a_phone_and_sorts_and_pages(browser, live_server, team_list):
    context, page = _phone(browser, live_server, "vawas")
    page.goto(f"/case-lists/teams/{team_list.code}/")
    assert _page_width(page) <= PHONE["width"]
    assert violations(page) == []  # the cards keep the table's meaning (WCAG 2.2 AA)
    # Each value is labelled on the card itself: the column headings are out of sight.
    first = page.get_by_role("row").nth(1)
    for heading in ("Rank in practice", "Person", "Practice", "Risk", "Why (at 1 April 2026)"):
        expect(first.get_by_text(heading, exact=True)).to_be_visible()
    expect(first.get_by_role("link")).to_be_visible()  # the person's name, to open
    assert _risks(page) == ["97%", "60%"]  # a team's list: highest risk first

    sort_by = page.get_by_label("Sort the list by")
    expect(sort_by).to_be_visible()
    sort_by.select_option(label="Rank in practice, grouped by practice")
    page.get_by_role("button", name="Sort").click()
    expect(page).to_have_url(f"{live_server.url}/case-lists/teams/{team_list.code}/?sort=rank")
    assert _risks(page) == ["52%", "31%"]  # the first practice's list, in rank order
    assert _page_width(page) <= PHONE["width"]

    next_page = page.get_by_role("link", name="Next page")
    expect(next_page).to_be_visible()
    next_page.click()
    assert _risks(page) == ["20%", "97%"]  # the sort is kept from page to page
    expect(page.get_by_label("Sort the list by")).to_have_value("rank")
    assert _page_width(page) <= PHONE["width"]
    context.close()


def test_pseudonymised_practice_list_fits_a_phone(browser, live_server, team_list):
    practice = team_list.practices.get(organisation__name="Auckland Surgery")
    context, page = _phone(browser, live_server, "analyst")
    page.goto(f"/case-lists/practices/{practice.code}/?sort=risk")
    expect(page.locator(".jc-pseudonym").first).to_be_visible()
    expect(page.get_by_label("Sort the list by")).to_have_value("risk")
    assert _page_width(page) <= PHONE["width"]
    context.close()


@pytest.mark.parametrize("width", [800, 1280])
def test_wider_screens_keep_the_table_sorting_from_its_headings(
    browser, live_server, team_list, width
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    sign_in(page, "vawas", factories.PASSWORD)
    page.goto(f"/case-lists/teams/{team_list.code}/")
    heading = page.get_by_role("columnheader", name="Frailty (eFI)")
    expect(heading).to_be_visible()
    heading.get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Frailty (eFI)")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert _page_width(page) <= width
    context.close()
