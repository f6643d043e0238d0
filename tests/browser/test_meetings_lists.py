"""In Chromium: the meetings page's headed lists, the refusal of a second practice MDT on
the same day (its link goes to the first), and an agenda's word on pseudonyms, all
without serious accessibility failures."""

from datetime import date, timedelta

import pytest

from joinedcare.meetings import actions
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_meetings_page_refuses_a_second_mdt_that_day_and_links_the_first(axe_page):  # noqa: F811
    team, other_team = factories.team(name="Consett TAP"), factories.team(name="Stanley TAP")
    practice = factories.practice(team=team)
    manager = factories.staff(Role.PRACTICE_MANAGER, teams=[team], username="pm")
    gp = factories.staff(Role.GP, teams=[team], first_name="Priya", last_name="Shah")
    next_week = date.today() + timedelta(days=7)
    first = actions.create_meeting(by=gp, level="micro", unit=practice, held_on=next_week)
    mine = factories.meeting(chair=manager, unit=practice, held_on=date.today())
    person = factories.person(practice=practice)
    actions.add_person(by=manager, meeting=mine, person=person, reason="Moved away")
    person.practice = factories.practice(team=other_team)  # registered elsewhere since
    person.save()
    page = axe_page
    sign_in(page, "pm", factories.PASSWORD)

    page.goto("/meetings/")
    your = page.get_by_role("region", name="Your meetings today and coming up, soonest first")
    others = page.get_by_role("region", name="Other meetings today and coming up, soonest first")
    assert your.get_by_role("link").all_inner_texts() == [f"Practice MDT: {practice.name}"]
    assert others.get_by_role("link").count() == 1
    assert violations(page) == []

    page.get_by_label("Meeting of").select_option(f"micro:{practice.pk}")
    page.get_by_role("textbox", name="Day").fill(str(next_week.day))
    page.get_by_role("textbox", name="Month").fill(str(next_week.month))
    page.get_by_role("textbox", name="Year").fill(str(next_week.year))
    page.get_by_role("button", name="Arrange the meeting").click()
    summary = page.get_by_role("alert")
    assert f"The {first} is already arranged (chaired by Priya Shah)" in summary.inner_text()
    assert violations(page) == []
    page.get_by_role("link", name=f"Go to the {first}").click()
    page.wait_for_url(f"**/meetings/{first.pk}/")

    page.goto(f"/meetings/{mine.pk}/")
    assert "shown by a pseudonym because you have no care relationship" in page.inner_text(
        "#pseudonymised-why"
    )
    assert violations(page) == []
