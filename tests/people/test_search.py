"""Finding a person: only people the user may see, clear errors, every result audited."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from joinedcare.audit.models import AuditEvent
from joinedcare.staff.roles import Role
from tests import factories

SEARCH = "/people/"


def _spaced(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"


@pytest.fixture
def signed_in_gp(client, gp_a):
    client.force_login(gp_a)
    return client


def test_search_by_nhs_number_finds_own_patient(signed_in_gp, person_a):
    response = signed_in_gp.post(SEARCH, {"nhs_number": person_a.nhs_number})

    assert response.status_code == 200
    assert "1 person found" in response.content.decode()
    assert "Ada LOVELACE" in response.content.decode()
    assert reverse("person", kwargs={"person": person_a.public_id}) in response.content.decode()


def test_search_by_spaced_nhs_number_finds_own_patient(signed_in_gp, person_a):
    response = signed_in_gp.post(SEARCH, {"nhs_number": _spaced(person_a.nhs_number)})

    assert "Ada LOVELACE" in response.content.decode()


def test_search_by_family_name_and_date_of_birth_shows_only_own_teams(signed_in_gp, team_a, team_b):
    born = date(1938, 5, 4)
    own = factories.person(
        practice=factories.practice(team=team_a),
        given_name="Olive",
        family_name="Hindmarsh",
        date_of_birth=born,
    )
    factories.person(
        practice=factories.practice(team=team_b),
        given_name="Oswin",
        family_name="Hindmarsh",
        date_of_birth=born,
    )

    response = signed_in_gp.post(SEARCH, {"family_name": "hindmarsh", "date_of_birth": "4 5 1938"})

    body = response.content.decode()
    assert "1 person found" in body
    assert "Olive HINDMARSH" in body
    assert "Oswin" not in body
    assert _spaced(own.nhs_number) in body
    assert "Request emergency access" not in body


def test_search_by_name_never_reaches_someone_outside_the_teams(signed_in_gp, person_b):
    response = signed_in_gp.post(
        SEARCH,
        {
            "family_name": person_b.family_name,
            "date_of_birth": f"{person_b.date_of_birth:%Y-%m-%d}",
        },
    )

    body = response.content.decode()
    assert "No one found" in body
    assert "Bea" not in body
    assert str(person_b.public_id) not in body


def test_search_exact_nhs_number_outside_the_teams_shows_only_break_glass_route(
    signed_in_gp, person_b
):
    response = signed_in_gp.post(SEARCH, {"nhs_number": person_b.nhs_number})

    body = response.content.decode()
    assert "No one you can see matches" in body
    assert "Request emergency access (break glass)" in body
    assert reverse("person", kwargs={"person": person_b.public_id}) in body
    for identifier in ["Bea", "Trice", "TRICE", _spaced(person_b.nhs_number)]:
        assert identifier not in body
    # The number typed stays in the search box, but nowhere else on the page.
    assert body.count(person_b.nhs_number) <= 1


def test_search_unknown_nhs_number_finds_nobody(signed_in_gp):
    response = signed_in_gp.post(SEARCH, {"nhs_number": factories.unused_nhs_number()})

    body = response.content.decode()
    assert "No one found" in body
    assert "No record is held for this NHS number" in body
    assert "Request emergency access" not in body


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("12345", "An NHS number has 10 digits"),
        ("94347659190", "An NHS number has 10 digits"),
        ("943476591X", "An NHS number has 10 digits"),
        (None, "the check digit does not match"),
        ("0000000000", "outside the ranges issued"),
    ],
    ids=["too-short", "too-long", "letter", "check-digit", "zeros"],
)
def test_search_invalid_nhs_number_names_the_field(signed_in_gp, person_a, number, message):
    number = number or factories.invalid_nhs_number()

    response = signed_in_gp.post(SEARCH, {"nhs_number": number})

    body = response.content.decode()
    assert "There is a problem" in body
    # The summary's line goes to the field and names it, once.
    line = re.search(r'<a href="#id_nhs_number">([^<]*)</a>', body).group(1)
    assert message in line and line.count("NHS number") == 1
    assert "found" not in body
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).exists()


def test_search_empty_asks_for_a_number_or_name_and_date_of_birth(signed_in_gp):
    response = signed_in_gp.post(SEARCH, {"nhs_number": "", "family_name": "", "date_of_birth": ""})

    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter an NHS number, or a family name and a date of birth" in body


def test_search_family_name_without_date_of_birth_is_an_error(signed_in_gp, person_a):
    response = signed_in_gp.post(SEARCH, {"family_name": "Lovelace"})

    body = response.content.decode()
    assert "Enter an NHS number, or a family name and a date of birth" in body
    assert "Ada LOVELACE" not in body


def test_search_unreal_date_of_birth_names_the_field(signed_in_gp):
    response = signed_in_gp.post(SEARCH, {"family_name": "Lovelace", "date_of_birth": "31 2 1940"})

    summary = '<a href="#id_date_of_birth">Enter a real date of birth, for example 27/03/1947</a>'
    assert summary in response.content.decode()


def test_search_with_a_date_of_birth_to_come_says_so_not_no_one_found(signed_in_gp):
    born = date.today() + timedelta(days=365 * 4)
    response = signed_in_gp.post(
        SEARCH, {"family_name": "Lovelace", "date_of_birth": f"{born:%d/%m/%Y}"}
    )

    body = response.content.decode()
    assert '<a href="#id_date_of_birth">The date of birth must be in the past</a>' in body
    assert "No one found" not in body


def test_search_writes_a_search_event_for_each_person_shown(signed_in_gp, gp_a, team_a, team_b):
    born = date(1941, 7, 9)
    shown = [
        factories.person(
            practice=factories.practice(team=team_a), family_name="Tweddle", date_of_birth=born
        )
        for _ in range(2)
    ]
    hidden = factories.person(
        practice=factories.practice(team=team_b), family_name="Tweddle", date_of_birth=born
    )

    signed_in_gp.post(SEARCH, {"family_name": "Tweddle", "date_of_birth": "1941-07-09"})

    events = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH)
    assert sorted(e.person_id for e in events) == sorted(p.pk for p in shown)
    assert all(e.actor == gp_a and e.purpose == "TREAT" for e in events)
    assert not events.filter(person=hidden).exists()


def test_search_break_glass_route_is_not_audited_as_shown(signed_in_gp, person_b):
    signed_in_gp.post(SEARCH, {"nhs_number": person_b.nhs_number})

    assert not AuditEvent.objects.filter(person=person_b).exists()


def test_search_form_posts_so_nhs_numbers_stay_out_of_urls(signed_in_gp):
    response = signed_in_gp.get(SEARCH)

    assert re.search(r'<form method="post"', response.content.decode())
    assert 'method="get"' not in response.content.decode()


def test_search_ignores_nhs_numbers_in_the_query_string(signed_in_gp, person_a):
    response = signed_in_gp.get(SEARCH, {"nhs_number": person_a.nhs_number})

    assert "Ada LOVELACE" not in response.content.decode()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.LOCALITY_MANAGER, Role.PRIVACY_OFFICER])
def test_search_is_not_offered_to_roles_without_records(client, team_a, person_a, role):
    client.force_login(factories.staff(role, teams=[team_a]))

    response = client.post(SEARCH, {"nhs_number": person_a.nhs_number})

    assert response.status_code == 403
    assert "Finding people is not part of your role" in response.content.decode()
    assert "Lovelace" not in response.content.decode()
