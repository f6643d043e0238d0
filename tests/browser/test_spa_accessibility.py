"""The Single Point of Access pages pass axe-core's WCAG 2.2 A and AA rules (serious and
critical), as every main page must."""

import pytest

from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_spa_pages_have_no_serious_accessibility_failures(axe_page):  # noqa: F811
    coordinator = factories.staff(Role.SPA_COORDINATOR, username="spa")
    access_point = factories.spa(staff=[coordinator])
    factories.spa(
        place=access_point.place,
        kind="families",
        name="Children's access point",
        staff=[coordinator],
    )
    referral = factories.referral(spa=access_point, received_by=coordinator)
    factories.allocation(referral=referral, staff=coordinator)
    service = factories.service(place=access_point.place)
    factories.service_day(service=service)
    page = axe_page
    sign_in(page, "spa", factories.PASSWORD)
    pid = referral.person.public_id
    pages = {
        "queues": "/spa/",
        "new referral": "/spa/referrals/new/",
        "person's referrals": f"/people/{pid}/spa/",
        "capacity": "/spa/capacity/",
        "ending": "/spa/episodes/ending/",
        "follow-ups": "/spa/follow-ups/",
        "discharges": "/discharge/",
        "new discharge": "/discharge/new/",
        "families": "/families/",
        "new family": "/families/new/",
        "caseload": "/families/caseload/",
    }
    found = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, (name, response.status)
        found[name] = violations(page)
    page.goto("/spa/referrals/new/")
    page.locator("form button[type=submit]").last.click()
    found["referral errors"] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}
