"""Team and locality pages link onward (case list, outcomes, profile), each link only for
users whose role may open it; a locality's areas are shown by name, without made-up codes."""

import pytest

from joinedcare.staff.roles import Role
from tests import factories


@pytest.fixture
def team(db):
    return factories.team(name="Consett TAP")


# (role, member of the team, may open its case list, may open outcomes)
TEAM_VIEWERS = [
    (Role.GP, True, True, True),
    (Role.GP, False, False, True),  # another team's GP: this list would be refused
    (Role.ANALYST, False, True, True),  # pseudonymised, every team
    (Role.LOCALITY_MANAGER, False, False, True),
    (Role.PRIVACY_OFFICER, False, False, False),
    (Role.ADMINISTRATOR, False, False, False),
]
LOCALITY_VIEWERS = [
    (Role.LOCALITY_MANAGER, True),
    (Role.ANALYST, True),
    (Role.GP, True),
    (Role.PRIVACY_OFFICER, False),
    (Role.ADMINISTRATOR, False),
]


def test_team_page_links_to_what_each_user_may_open(client, team):
    for role, member, case_list, outcomes in TEAM_VIEWERS:
        client.force_login(factories.staff(role, teams=[team] if member else []))
        page = client.get(f"/teams/{team.code}/").text
        case = (role, member)
        assert (f'href="/case-lists/teams/{team.code}/"' in page) is case_list, case
        assert (f'href="/outcomes/team/{team.code}/"' in page) is outcomes, case
        # And each link opens for whoever is shown it.
        opened = client.get(f"/case-lists/teams/{team.code}/").status_code == 200
        assert opened is case_list, case
        assert (client.get("/outcomes/").status_code == 200) is outcomes, case


def test_locality_page_links_to_its_outcomes_and_profile_for_who_may_open_them(client, team):
    code = team.locality.code
    for role, shown in LOCALITY_VIEWERS:
        client.force_login(factories.staff(role))
        page = client.get(f"/localities/{code}/").text
        assert (f'href="/outcomes/locality/{code}/"' in page) is shown, role
        assert (f'href="/outcomes/locality/{code}/profile/"' in page) is shown, role


def test_locality_page_names_its_areas_without_made_up_codes(client, team):
    factories.ward(locality=team.locality, code="AREA-6F9E70E8", name="County Durham 001")
    client.force_login(factories.staff(Role.LOCALITY_MANAGER))
    page = client.get(f"/localities/{team.locality.code}/").text
    assert "<li>County Durham 001</li>" in page
    assert "(AREA-" not in page and "AREA-6F9E70E8" not in page
