"""The SPA coordinator at 3am opens the queue: the immediate referral that arrived last is
at the top, and the one past its two hours says so in words, on a desk and on a phone."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from joinedcare.referrals.clock import LONDON
from joinedcare.referrals.models import Referral
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIGHT = datetime(2026, 1, 14, 3, 0, tzinfo=LONDON)


def _new_referral(spa, family_name: str, urgency: str, waited: timedelta) -> None:
    factories.referral(
        spa=spa,
        person=factories.person(given_name="Test", family_name=family_name),
        urgency=urgency,
        status=Referral.Status.NEW,
        received_out_of_hours=True,
        received_at=NIGHT - waited,
    )


@pytest.fixture
def night_queue(settings):
    settings.JOINEDCARE_CLOCK = NIGHT
    coordinator = factories.staff(Role.SPA_COORDINATOR, username="spa")
    spa = factories.spa(staff=[coordinator])
    _new_referral(spa, "Routine", Referral.Urgency.ROUTINE, timedelta(hours=6))
    _new_referral(spa, "Twodays", Referral.Urgency.TWO_DAYS, timedelta(hours=5))
    _new_referral(spa, "Late", Referral.Urgency.IMMEDIATE, timedelta(hours=3, minutes=20))
    _new_referral(spa, "Justin", Referral.Urgency.IMMEDIATE, timedelta(minutes=10))


def _person_links(page) -> list[str]:
    table = page.get_by_role("table", name="New (arrived out of hours), most urgent first")
    return table.locator("tbody tr td:nth-child(2) a").all_inner_texts()


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 320, "height": 640}]
)
def test_the_3am_queue_is_most_urgent_first_and_says_what_is_overdue(
    browser, live_server, night_queue, viewport
):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, "spa", factories.PASSWORD)
    page.goto("/spa/")
    page.get_by_role("link", name="New (arrived out of hours)").click()

    assert _person_links(page) == ["Test LATE", "Test JUSTIN", "Test TWODAYS", "Test ROUTINE"]
    late = page.get_by_role("row").filter(has_text="Test LATE")
    expect(late.get_by_text("Overdue by 1 hour 20 minutes")).to_be_visible()
    expect(page.get_by_text("Overdue by")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    context.close()
