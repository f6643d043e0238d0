"""Pages reflow on a phone (WCAG 2.2, 1.4.10): at 320 CSS pixels wide nothing makes the
whole page scroll sideways. The header menu folds its links behind "More", and a table wider
than the screen scrolls inside its own keyboard-reachable region."""

import pyotp
import pytest

from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sideways_scroll(page) -> int:
    """How many CSS pixels the page itself is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def sign_in_privacy_officer(page) -> None:
    """The privacy officer's sign-in, with the second factor their role requires."""
    factories.staff(Role.PRIVACY_OFFICER, username="privacy")
    sign_in(page, "privacy", factories.PASSWORD)
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()


def test_spa_coordinator_pages_fit_a_phone(phone):
    coordinator = factories.staff(Role.SPA_COORDINATOR, username="spa")
    access_point = factories.spa(staff=[coordinator])
    referral = factories.referral(spa=access_point, received_by=coordinator)
    factories.allocation(referral=referral, staff=coordinator)
    service = factories.service(place=access_point.place)
    factories.service_day(service=service)
    sign_in(phone, "spa", factories.PASSWORD)
    pid = referral.person.public_id
    pages = {
        "home": "/",
        "queues": "/spa/",
        "capacity": "/spa/capacity/",
        "person": f"/people/{pid}/",
        "person's referrals": f"/people/{pid}/spa/",
        "new referral": "/spa/referrals/new/",
    }
    wider = {}
    for name, url in pages.items():
        assert phone.goto(url).status == 200, name
        wider[name] = sideways_scroll(phone)
    assert {name: px for name, px in wider.items() if px > 0} == {}


def test_the_header_menu_folds_behind_more_on_a_phone(phone):
    sign_in_privacy_officer(phone)
    phone.goto("/audit/")
    menu = phone.get_by_role("navigation", name="Menu")
    more = menu.get_by_role("button", name="Browse More")
    assert more.is_visible()
    assert more.get_attribute("aria-expanded") == "false"
    # The page being shown is marked as such for screen readers, in or out of the fold.
    assert menu.locator("a[aria-current]").all_inner_texts() == ["Audit"]
    # Folded links are out of sight until "More" opens them.
    folded = menu.get_by_role("link", name="Teams and localities")
    assert not folded.is_visible()
    more.click()
    assert more.get_attribute("aria-expanded") == "true"
    assert folded.is_visible()
    assert sideways_scroll(phone) <= 0


def test_a_wide_table_scrolls_inside_its_region_not_the_page(phone):
    someone = factories.staff(Role.GP)
    for _ in range(3):
        factories.audit_event(actor=someone, person=factories.person())
    sign_in_privacy_officer(phone)
    phone.goto("/audit/")
    region = phone.get_by_role("region", name="Audit events")
    # The table is wider than a phone, so it scrolls within its region...
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert sideways_scroll(phone) <= 0
    # ...which the keyboard can reach, to scroll it with the arrow keys.
    region.focus()
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function(
        "() => document.querySelector('[aria-label=\"Audit events\"]').scrollLeft > 0"
    )
