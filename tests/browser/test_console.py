"""Pages load without a browser error: nothing refused by the Content Security Policy, no
script failing. Each such error is something a user's page asked for and did not get."""

import pytest

from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_main_pages_log_no_browser_errors(page):
    team = factories.team(name="Consett TAP")
    person = factories.person(practice=factories.practice(team=team))
    factories.staff(Role.GP, teams=[team], username="gp")
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.goto("/sign-in/")
    sign_in(page, "gp", factories.PASSWORD)
    for url in ("/", "/people/", f"/people/{person.public_id}/", f"/teams/{team.code}/"):
        page.goto(url)
        page.wait_for_load_state("load")
    assert errors == []
