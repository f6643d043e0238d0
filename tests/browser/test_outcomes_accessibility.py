"""The outcomes pages pass axe-core's WCAG 2.2 A and AA rules (serious and critical), as every
main page must: the index, the dashboards (with their SPC charts), the inequality breakdowns
and the locality profile, read by a TAP lead."""

import pytest

from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401
from tests.outcomes.conftest import analytics_dir, units  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_outcomes_pages_have_no_serious_accessibility_failures(axe_page, units):  # noqa: F811
    team = units["teams"]["T1"]
    locality = units["localities"]["L1"]
    practice = units["practices"]["P1"]
    factories.staff(Role.TAP_LEAD, teams=[team], username="tap-lead")
    page = axe_page
    sign_in(page, "tap-lead", factories.PASSWORD)
    pages = {
        "index": "/outcomes/",
        "place dashboard": f"/outcomes/place/{units['place'].code}/",
        "team dashboard": f"/outcomes/team/{team.code}/",
        "practice dashboard": f"/outcomes/practice/{practice.code}/",
        "locality dashboard": f"/outcomes/locality/{locality.code}/",
        "team inequalities": f"/outcomes/team/{team.code}/inequalities/",
        "place inequalities": f"/outcomes/place/{units['place'].code}/inequalities/",
        "locality profile": f"/outcomes/locality/{locality.code}/profile/",
    }
    found = {}
    for name, url in pages.items():
        page.goto(url)
        assert page.get_by_role("heading", level=1).count() == 1, name
        found[name] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}
