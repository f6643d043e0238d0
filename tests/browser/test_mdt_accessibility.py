"""The MDT and care plan pages pass axe-core's WCAG 2.2 A and AA rules (serious and
critical), as every main page must."""

import pytest

from joinedcare.meetings import actions
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mdt_and_care_plan_pages_have_no_serious_accessibility_failures(axe_page):  # noqa: F811
    team = factories.team(name="Consett TAP")
    practice = factories.practice(team=team)
    gp = factories.staff(Role.GP, teams=[team], username="gp")
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team])
    person = factories.person(practice=practice)
    other = factories.person(practice=practice)
    plan = factories.care_plan(person=person, key_worker=nurse)
    factories.care_plan_action(plan=plan, owner=gp)
    meeting = factories.meeting(chair=gp, unit=practice, members=[nurse])
    actions.add_person(by=gp, meeting=meeting, person=person, reason="Carer worried")
    item = actions.add_person(by=gp, meeting=meeting, person=other, reason="Falls")
    escalated = actions.escalate(by=gp, item=item, kind="support", summary="Needs social care")
    page = axe_page
    sign_in(page, "gp", factories.PASSWORD)
    pid, mid = person.public_id, meeting.pk
    pages = {
        "meetings": "/meetings/",
        "meeting": f"/meetings/{mid}/",
        "discussion": f"/meetings/people/{pid}/?meeting={mid}",
        "meeting care plan": f"/meetings/people/{other.public_id}/care-plan/?meeting={mid}",
        "pack": f"/meetings/{mid}/pack/",
        "escalations": "/meetings/escalations/",
        "escalation": f"/meetings/escalations/{escalated.escalation_raised_id}/",
        "care plan": f"/care-plans/{pid}/",
        "care plan form": f"/care-plans/{pid}/agree/",
        "history": f"/care-plans/{pid}/versions/",
        "consent": f"/care-plans/{pid}/consent/",
        "person's copy": f"/care-plans/{pid}/copy/",
        "my actions": "/care-plans/my-actions/",
        "team actions": f"/care-plans/teams/{team.code}/actions/",
    }
    found = {}
    for name, url in pages.items():
        page.goto(url)
        found[name] = violations(page)
    page.goto(f"/meetings/people/{other.public_id}/care-plan/?meeting={mid}")
    page.get_by_role("button", name="Agree the care plan").click()
    found["care plan errors"] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}
