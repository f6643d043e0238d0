"""Typing into a form keeps the session alive; if it has ended, the page says so before
the user presses save and loses what they typed."""

import pytest
from playwright.sync_api import expect

from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _break_glass_form(page):
    other = factories.person()
    factories.staff(Role.GP, teams=[factories.team()], username="gp")
    sign_in(page, "gp", factories.PASSWORD)
    page.goto(f"/people/{other.public_id}/break-glass/")
    return page.get_by_label("Why do you need to see this record now?")


def test_typing_keeps_the_session_alive(page):
    reason = _break_glass_form(page)
    with page.expect_response("**/session/keep-alive/") as kept:
        reason.press_sequentially("Called at 3am")
    assert kept.value.status == 204
    expect(page.get_by_text("You have been signed out")).to_have_count(0)


def test_typing_after_the_session_ended_says_so(page):
    reason = _break_glass_form(page)
    # As when the idle time has passed: the server no longer knows the session.
    page.context.clear_cookies(name="sessionid")
    with page.expect_response("**/session/keep-alive/") as kept:
        reason.press_sequentially("Called at 3am")
    assert kept.value.status == 401
    expect(page.get_by_role("alert")).to_contain_text("You have been signed out")
    expect(reason).to_have_value("Called at 3am")
