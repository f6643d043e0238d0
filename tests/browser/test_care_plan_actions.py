"""The team's care plan actions on a phone (320 CSS pixels, WCAG 2.2 reflow): each action
stacks into a card with its buttons on screen, nothing scrolls sideways, and a mistaken
"Mark done" is undone with one tap of "Reopen"."""

import re
from datetime import date

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from joinedcare.careplans.models import CarePlanAction
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations
from tests.browser.test_reflow import PHONE, sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RAILS = "Fit grab rails in the bathroom before Ada comes home from Shotley Bridge"


@pytest.fixture
def phone(browser, live_server):
    # bypass_csp only so axe-core can be added to the page, as in test_accessibility.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def button(page_or_table, label: str):
    """The button for the action; its description is visually hidden after the label
    (which the browser reads with a space before the colon)."""
    return page_or_table.get_by_role("button", name=re.compile(rf"^{label}\s*: {RAILS}$"))


def on_screen(locator) -> bool:
    """Whether the element lies wholly within the phone's width."""
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def _nurse_with_an_action(role):
    """(team, nurse Jo Smith, person, action due today): the nurse keys the person's plan
    and owns its one action, RAILS."""
    team = factories.team(name="Consett TAP")
    nurse = factories.staff(
        role, teams=[team], username="nurse", first_name="Jo", last_name="Smith"
    )
    person = factories.person(practice=factories.practice(team=team))
    plan = factories.care_plan(person=person, key_worker=nurse)
    action = factories.care_plan_action(plan=plan, owner=nurse, description=RAILS, due=date.today())
    return team, nurse, person, action


def test_mark_done_and_reopen_fit_a_phone(phone):
    team, _, _, _ = _nurse_with_an_action(Role.VAWAS_NURSE)
    sign_in(phone, "nurse", factories.PASSWORD)

    phone.goto(f"/care-plans/teams/{team.code}/actions/")
    mark_done = button(phone, "Mark done")
    assert sideways_scroll(phone) <= 0
    assert on_screen(mark_done)
    assert violations(phone) == []

    mark_done.click()
    done = phone.get_by_role("table", name="Done in the last 7 days")
    when = date_format(timezone.localdate(), "j M Y")
    expect(done.get_by_role("cell", name=f"Done {when} by Jo Smith")).to_be_visible()
    reopen = button(done, "Reopen")
    assert sideways_scroll(phone) <= 0
    assert on_screen(reopen)
    assert violations(phone) == []

    reopen.click()
    expect(phone.get_by_text(f"Reopened: {RAILS}")).to_be_visible()
    assert on_screen(button(phone, "Mark done"))
    assert CarePlanAction.objects.get().status == CarePlanAction.Status.OPEN


def test_the_plan_page_says_who_marked_done_and_reopens_on_a_phone(phone):
    _, nurse, person, action = _nurse_with_an_action(Role.DISTRICT_NURSE)
    CarePlanAction.objects.filter(pk=action.pk).update(
        status=CarePlanAction.Status.DONE, completed_at=timezone.now(), completed_by=nurse
    )
    sign_in(phone, "nurse", factories.PASSWORD)

    phone.goto(f"/care-plans/{person.public_id}/")
    when = date_format(timezone.localdate(), "j M Y")
    expect(phone.get_by_text(f"Done {when} by Jo Smith")).to_be_visible()
    reopen = button(phone, "Reopen")
    assert sideways_scroll(phone) <= 0
    assert on_screen(reopen)

    reopen.click()
    expect(phone.get_by_text(f"Reopened: {RAILS}")).to_be_visible()
    expect(phone.get_by_role("cell", name="To do", exact=True)).to_be_visible()
