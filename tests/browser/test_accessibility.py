"""Every main page passes axe-core's WCAG 2.2 A and AA rules (serious and critical)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from joinedcare.caselists import views as caselist_views
from joinedcare.caselists.actions import publish_run
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.caselists.runs import write_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page) -> list[str]:
    """Serious and critical axe-core findings on the current page."""
    # After a click that sends a form the new page may be committed but not yet parsed
    # (no <head> to add the script to): wait until it has loaded.
    page.wait_for_load_state()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def axe_page(browser, live_server):
    # The page's CSP forbids injected scripts; only this test context bypasses it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def test_main_pages_have_no_serious_accessibility_failures(
    axe_page, tmp_path, settings, monkeypatch
):
    settings.RUNS_DIR = tmp_path
    monkeypatch.setattr(caselist_views, "PAGE_SIZE", 1)  # so case lists show their pages
    team = factories.team(name="Consett TAP")
    practice = factories.practice(team=team)
    person = factories.person(practice=practice)
    listed = [person] + [factories.person(practice=practice) for _ in range(19)]
    rows = [(p.pseudonym, practice.code, 0.9 - i / 40) for i, p in enumerate(listed)]
    run_dir = write_run(tmp_path, "r1", rows)
    publish_run(by=factories.staff(Role.ANALYST), run_dir=run_dir, top_percent=10)
    other = factories.person()
    factories.staff(Role.GP, teams=[team], username="gp")
    page = axe_page
    page.goto("/sign-in/")
    found = {"sign in": violations(page)}
    sign_in(page, "gp", factories.PASSWORD)
    pages = {
        "home": "/",
        "search": "/people/",
        "person": f"/people/{person.public_id}/",
        "refused": f"/people/{other.public_id}/",
        "places": "/places/",
        "team": f"/teams/{team.code}/",
        "locality": f"/localities/{team.locality.code}/",
        "case lists": "/case-lists/",
        "practice case list": f"/case-lists/practices/{practice.code}/",
        "team case list sorted by risk": f"/case-lists/teams/{team.code}/?sort=risk",
        "its second page": f"/case-lists/teams/{team.code}/?sort=risk&page=2",
        "model card": "/case-lists/runs/r1/card/",
    }
    for name, url in pages.items():
        response = page.goto(url)
        # The refused record answers 403 by design; every other page must open.
        assert response.ok or name == "refused", f"{name}: {response.status}"
        found[name] = violations(page)
    page.goto(pages["its second page"])
    expect(page.get_by_role("navigation", name="Pages of the case list")).to_be_visible()
    page.goto("/people/")
    page.get_by_role("button", name="Search").click()
    found["search errors"] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}
