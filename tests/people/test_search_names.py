"""Finding a person by family name whatever the case, accents or apostrophes typed, and
one clear answer when nobody the user may see matches."""

from datetime import date

import pytest

from joinedcare.people.names import name_key
from tests import factories

SEARCH = "/people/"
BORN = date(1944, 6, 6)


@pytest.fixture
def signed_in_gp(client, gp_a):
    client.force_login(gp_a)
    return client


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("O\u2019Neill-Ó Briain", "o'neill-ó briain"),
        ("O\u2019Neill-Ó Briain", "O\u2019Neill-Ó Briain"),
        ("O'Neill-Ó Briain", "O\u2019NEILL\u2013O BRIAIN"),
        ("Łukasiewicz", "Lukasiewicz"),
        ("Łukasiewicz", "łukasiewicz"),
        ("Søgaard", "sogaard"),
        ("Ærøe", "AEROE"),
        ("Straße", "strasse"),
        ("Zoë", "zoe"),
    ],
)
def test_search_by_name_ignores_case_accents_and_apostrophes(signed_in_gp, team_a, stored, typed):
    factories.person(
        practice=factories.practice(team=team_a),
        given_name="Siobhán",
        family_name=stored,
        date_of_birth=BORN,
    )

    response = signed_in_gp.post(SEARCH, {"family_name": typed, "date_of_birth": "6 6 1944"})

    body = response.content.decode()
    assert "1 person found" in body
    assert "Siobhán" in body


def test_search_by_folded_name_still_needs_the_date_of_birth(signed_in_gp, team_a):
    factories.person(
        practice=factories.practice(team=team_a), family_name="Łukasiewicz", date_of_birth=BORN
    )

    response = signed_in_gp.post(
        SEARCH, {"family_name": "Lukasiewicz", "date_of_birth": "7 6 1944"}
    )

    assert "No one found" in response.content.decode()


def test_search_by_folded_name_never_reaches_other_teams(signed_in_gp, team_b):
    factories.person(
        practice=factories.practice(team=team_b), family_name="Łukasiewicz", date_of_birth=BORN
    )

    response = signed_in_gp.post(
        SEARCH, {"family_name": "lukasiewicz", "date_of_birth": "6 6 1944"}
    )

    body = response.content.decode()
    assert "No one found" in body
    assert "UKASIEWICZ" not in body


def test_name_key_does_not_join_different_names():
    assert name_key("O'Neill") != name_key("O'Neil")
    assert name_key("Brown") != name_key("Browne")


def test_search_outside_teams_says_one_thing_and_offers_break_glass(signed_in_gp, person_b):
    body = signed_in_gp.post(SEARCH, {"nhs_number": person_b.nhs_number}).content.decode()

    assert "No one you can see matches" in body
    assert "A record exists for this NHS number" in body
    assert "found" not in body.split("No one you can see matches", 1)[1]
    assert "0 people found" not in body
    assert "Request emergency access (break glass)" in body
