import pytest

from tests import factories


@pytest.fixture
def team_a(db):
    return factories.team(name="Team A")


@pytest.fixture
def team_b(db):
    return factories.team(name="Team B")


@pytest.fixture
def person_a(team_a):
    """Registered at a practice of team A."""
    return factories.person(
        practice=factories.practice(team=team_a), given_name="Ada", family_name="Lovelace"
    )


@pytest.fixture
def person_b(team_b):
    """Registered at a practice of team B."""
    return factories.person(
        practice=factories.practice(team=team_b), given_name="Bea", family_name="Trice"
    )


@pytest.fixture
def gp_a(team_a):
    return factories.staff(teams=[team_a])
