"""Publishing a case list and finding it, as the GP of the practice and as another GP."""

import pytest
from playwright.sync_api import expect

from joinedcare.caselists.actions import publish_run
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.caselists.runs import write_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_published_case_list_is_seen_by_the_practice_gp_only(page, tmp_path, settings):
    settings.RUNS_DIR = tmp_path
    own_team, other_team = factories.team(name="Consett TAP"), factories.team(name="Crook TAP")
    practice = factories.practice(team=own_team)
    frail = factories.person(practice=practice, given_name="Edith", family_name="Walton")
    others = [factories.person(practice=practice) for _ in range(49)]
    rows = [(frail.pseudonym, practice.code, 0.62)] + [
        (p.pseudonym, practice.code, 0.01) for p in others
    ]
    publish_run(by=factories.staff(Role.ANALYST), run_dir=write_run(tmp_path, "r1", rows))
    factories.staff(Role.GP, teams=[own_team], username="own-gp")
    factories.staff(Role.GP, teams=[other_team], username="other-gp")

    sign_in(page, "own-gp", factories.PASSWORD)
    page.get_by_role("link", name="Case lists").click()
    page.get_by_role("link", name=practice.name).click()
    row = page.get_by_role("row").filter(has_text="Edith WALTON")
    expect(row).to_contain_text("62%")
    expect(row).to_contain_text("3 emergency admissions in the last 12 months")
    expect(page.get_by_role("row")).to_have_count(2)  # header + the top 2% (1 of 50)
    # The model card opens styled: its own policy lets its <style> in, and nothing is refused.
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.get_by_role("link", name="the model card").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    assert errors == []
    page.go_back()
    page.get_by_role("link", name="Edith WALTON").click()
    expect(page.get_by_role("heading", name="Edith WALTON")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "other-gp", factories.PASSWORD)
    page.get_by_role("link", name="Case lists").click()
    expect(page.get_by_role("link", name=practice.name)).to_have_count(0)
    response = page.goto(f"/case-lists/practices/{practice.code}/")
    assert response.status == 403
    expect(page.get_by_text("Walton")).to_have_count(0)
