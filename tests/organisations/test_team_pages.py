"""Team, locality and places pages: registered population, older people, the size band."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from joinedcare.organisations.models import TEAM_BAND
from joinedcare.staff.roles import Role
from tests import factories


def _years_ago(today: date, years: int, *, days_later: int = 0) -> date:
    """A birthday that makes someone `years` old today (or `days_later` after it)."""
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # today is 29 February: born on the 28th, they are that age today
        birthday = date(today.year - years, 2, 28)
    return birthday + timedelta(days=days_later)


def _shown(body: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</dd>', body, re.S)
    assert match, testid
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def viewer(client, db):
    client.force_login(factories.staff(Role.LOCALITY_MANAGER))
    return client


# Team.band_status at its boundaries


@pytest.mark.parametrize(
    ("registered", "rural", "status"),
    [
        (0, False, "below"),
        (29_999, False, "below"),
        (30_000, False, "inside"),
        (40_000, False, "inside"),
        (50_000, False, "inside"),
        (50_001, False, "above"),
        (0, True, "below (rural)"),
        (29_999, True, "below (rural)"),
        (30_000, True, "inside"),
        (50_000, True, "inside"),
        (50_001, True, "above"),
    ],
)
def test_team_band_status(db, registered, rural, status):
    team = factories.team(rural=rural)

    assert team.band_status(registered) == status


def test_team_band_is_thirty_to_fifty_thousand():
    assert TEAM_BAND == (30_000, 50_000)


# The team page


@pytest.fixture
def small_team(db):
    """A team of two practices: registered, dead, and people either side of 65 and 75."""
    today = timezone.localdate()
    team = factories.team(name="Weardale TAP", rural=True)
    first, second = factories.practice(team=team), factories.practice(team=team)
    born = {
        "turns 65 today": _years_ago(today, 65),
        "turns 65 tomorrow": _years_ago(today, 65, days_later=1),
        "turns 75 today": _years_ago(today, 75),
        "turns 75 tomorrow": _years_ago(today, 75, days_later=1),
        "young": date(today.year - 30, 1, 1),
    }
    people = [
        factories.person(practice=first, date_of_birth=born["turns 65 today"]),
        factories.person(practice=first, date_of_birth=born["turns 65 tomorrow"]),
        factories.person(practice=second, date_of_birth=born["turns 75 today"]),
        factories.person(practice=second, date_of_birth=born["turns 75 tomorrow"]),
        factories.person(practice=second, date_of_birth=born["young"]),
    ]
    # Not counted: died (even today), or registered in another team.
    factories.person(practice=first, date_of_birth=date(1930, 1, 1), date_of_death=today)
    factories.person(
        practice=second, date_of_birth=date(1930, 1, 1), date_of_death=today - timedelta(days=9)
    )
    factories.person(date_of_birth=date(1930, 1, 1))
    return {"team": team, "people": people, "today": today}


def test_team_page_counts_alive_registered_people_only(viewer, small_team):
    body = viewer.get(f"/teams/{small_team['team'].code}/").content.decode()

    assert _shown(body, "registered") == "5"


def test_team_page_counts_older_people_on_todays_date(viewer, small_team):
    body = viewer.get(f"/teams/{small_team['team'].code}/").content.decode()

    assert _shown(body, "aged-65") == "3"
    assert _shown(body, "aged-75") == "1"


def test_team_page_older_counts_agree_with_ages_computed_one_by_one(viewer, small_team):
    today = small_team["today"]
    ages = [p.age_on(today) for p in small_team["people"]]

    body = viewer.get(f"/teams/{small_team['team'].code}/").content.decode()

    assert _shown(body, "aged-65") == str(sum(a >= 65 for a in ages))
    assert _shown(body, "aged-75") == str(sum(a >= 75 for a in ages))


def test_team_page_marks_a_small_rural_team(viewer, small_team):
    body = viewer.get(f"/teams/{small_team['team'].code}/").content.decode()

    assert _shown(body, "band") == "Below: rural team"


def test_team_page_marks_a_small_team_that_is_not_rural(viewer, db):
    team = factories.team(rural=False)
    factories.person(practice=factories.practice(team=team))

    body = viewer.get(f"/teams/{team.code}/").content.decode()

    assert _shown(body, "band") == "Below"


def test_team_page_lists_practices_and_staff(viewer, small_team):
    team = small_team["team"]
    factories.staff(Role.DISTRICT_NURSE, teams=[team], first_name="Nell", last_name="Robson")

    body = viewer.get(f"/teams/{team.code}/").content.decode()

    for practice in team.practices.all():
        assert practice.name in body
        assert practice.code in body
    assert "Nell Robson" in body
    assert "District nurse" in body


def test_team_page_never_names_the_people_counted(viewer, small_team):
    body = viewer.get(f"/teams/{small_team['team'].code}/").content.decode()

    for person in small_team["people"]:
        assert person.family_name not in body
        assert person.nhs_number not in body


def test_team_page_unknown_code_is_not_found(viewer):
    assert viewer.get("/teams/NOPE/").status_code == 404


# The locality and places pages


@pytest.fixture
def locality(db):
    """Two teams in one locality (3 and 2 people), and a team elsewhere."""
    here = factories.locality(name="Durham and Chester-le-Street")
    north = factories.team(name="North TAP", locality=here)
    south = factories.team(name="South TAP", locality=here)
    for team, n in [(north, 3), (south, 2)]:
        practice = factories.practice(team=team)
        for _ in range(n):
            factories.person(practice=practice, date_of_birth=date(1940, 1, 1))
    factories.ward(locality=here, name="Framwellgate Moor")
    elsewhere = factories.team(name="Coast TAP")
    factories.person(practice=factories.practice(team=elsewhere))
    return here


def test_locality_page_lists_its_teams_with_totals(viewer, locality):
    body = viewer.get(f"/localities/{locality.code}/").content.decode()

    assert "Durham and Chester-le-Street" in body
    assert "North TAP" in body
    assert "South TAP" in body
    assert "Coast TAP" not in body
    assert "5 registered people, 5 aged 65 and over, 5 aged 75 and over, in 2" in body
    assert re.search(r"North TAP</a></td>\s*<td[^>]*>3</td>", body)
    assert re.search(r"South TAP</a></td>\s*<td[^>]*>2</td>", body)
    assert "Framwellgate Moor" in body


def test_locality_page_unknown_code_is_not_found(viewer):
    assert viewer.get("/localities/NOPE/").status_code == 404


def test_places_page_lists_localities_with_links_and_totals(viewer, locality):
    other = factories.locality(name="Easington")

    body = viewer.get("/places/").content.decode()

    assert "Durham and Chester-le-Street" in body
    assert f'href="/localities/{locality.code}/"' in body
    assert "5 registered people in 2 teams." in body
    assert "Easington" in body
    assert f'href="/localities/{other.code}/"' in body
    assert "30,000 to 50,000 registered people" in body


def test_places_page_without_localities_says_how_to_add_them(viewer):
    body = viewer.get("/places/").content.decode()

    assert "No localities yet." in body
