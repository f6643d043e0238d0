"""The home page's teams say which practices are the person's base, and how many the team
has: a GP listing two, a TAP lead one and a nurse none had read as different teams."""

import pytest

from joinedcare.staff.models import Membership
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_your_teams_name_the_base_and_count_the_teams_practices(client, team_a):
    consett, queens, _ = (factories.practice(team=team_a) for _ in range(3))
    gp = factories.staff(Role.GP, teams=[team_a])
    Membership.objects.get(user=gp).practices.set([consett, queens])
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])

    client.force_login(gp)
    page = client.get("/").content.decode()
    base = " and ".join(sorted([consett.name, queens.name]))  # in the order of their names
    assert f"based at {base}. 3 practices in the team" in page

    client.force_login(nurse)
    page = client.get("/").content.decode()
    assert "based at" not in page and "3 practices in the team" in page
