"""The meetings page's lists: the user's own meetings first (coming up soonest first, then
past ones most recent first), other meetings of their teams under their own heading."""

import re
from datetime import date, timedelta

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def _listed(page: str, heading_id: str) -> list[int]:
    """The meetings linked under one heading, in page order."""
    section = page.split(f'id="{heading_id}"', 1)[1].split('<h2 class="nhsuk-heading-l"', 1)[0]
    return [int(pk) for pk in re.findall(r'href="/meetings/(\d+)/"', section)]


def test_meeting_lists_own_meetings_first_soonest_then_most_recent(
    client, gp, nurse, practice_a, team_b
):
    # "Your meetings" had listed every meeting of the user's teams, furthest date first,
    # led by a mistyped meeting on 1 January 2099.
    today = date.today()

    def held(days: int, chair=gp, members=(), unit=practice_a):
        return factories.meeting(
            chair=chair, unit=unit, held_on=today + timedelta(days=days), members=members
        ).pk

    typo = factories.meeting(chair=gp, unit=practice_a, held_on=date(2099, 1, 1)).pk
    later, soon, now = held(10), held(3, chair=nurse, members=[gp]), held(0)
    last_month, last_week = held(-30), held(-5)
    not_mine_soon, not_mine_past = held(1, chair=nurse), held(-2, chair=nurse)
    elsewhere = held(2, chair=factories.staff(teams=[team_b]), unit=factories.practice(team=team_b))

    client.force_login(gp)
    page = client.get("/meetings/").content.decode()

    assert _listed(page, "your-meetings") == [now, soon, later, typo, last_week, last_month]
    assert _listed(page, "other-meetings") == [not_mine_soon, not_mine_past]
    assert elsewhere not in _listed(page, "your-meetings") + _listed(page, "other-meetings")
    assert "Your meetings today and coming up, soonest first" in page
    assert "Your past meetings, most recent first" in page


def test_meeting_lists_without_other_meetings_has_no_such_heading(client, gp, practice_a):
    factories.meeting(chair=gp, unit=practice_a, held_on=date.today())
    client.force_login(gp)
    page = client.get("/meetings/").content.decode()
    assert 'id="your-meetings"' in page and 'id="other-meetings"' not in page
    assert "Your past meetings, most recent first" in page and "None yet." in page
