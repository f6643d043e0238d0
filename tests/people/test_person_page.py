"""The person page: what it shows, how each view is audited, and the Person model's
guarantees about NHS numbers and pseudonyms."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from joinedcare.access.models import BreakGlass
from joinedcare.audit.models import AuditEvent
from joinedcare.people.models import Person
from joinedcare.pseudonym import pseudonymise
from joinedcare.staff.roles import Role
from tests import factories


@pytest.fixture(autouse=True)
def no_record_source(settings, tmp_path):
    """Never read a developer's Demo County extract."""
    settings.RECORDS_DIR = tmp_path


def _page(person) -> str:
    return reverse("person", kwargs={"person": person.public_id})


@pytest.fixture
def signed_in_gp(client, gp_a):
    client.force_login(gp_a)
    return client


def test_person_page_shows_demographics_practice_and_team(signed_in_gp, team_a):
    surgery = factories.practice(
        team=team_a,
        organisation=factories.organisation(name="Claypath Medical Practice", kind="gp_practice"),
    )
    person = factories.person(
        practice=surgery,
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=date(1938, 12, 10),
        sex=Person.Sex.FEMALE,
        postcode="DH1 1QN",
        imd_decile=3,
    )
    n = person.nhs_number

    response = signed_in_gp.get(_page(person))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in body and "Ada LOVELACE" in body
    assert f"NHS number {n[:3]} {n[3:6]} {n[6:]}" in body
    assert "10 December 1938" in body
    assert "Female" in body
    assert "DH1 1QN" in body
    assert "IMD decile 3" in body
    assert "Claypath Medical Practice" in body
    assert reverse("team", kwargs={"code": team_a.code}) in body
    assert team_a.name in body


def test_person_page_view_is_audited_as_treatment_with_the_relationship(
    signed_in_gp, gp_a, person_a
):
    signed_in_gp.get(_page(person_a))

    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert event.actor == gp_a
    assert event.person == person_a
    assert event.purpose == AuditEvent.Purpose.TREATMENT == "TREAT"
    assert event.reason == "member of the person's practice team"
    assert event.detail == "person page"


def test_person_page_refusal_is_audited_as_denied(signed_in_gp, gp_a, person_b):
    response = signed_in_gp.get(_page(person_b))

    assert response.status_code == 403
    assert "You do not have access to this record" in response.content.decode()
    event = AuditEvent.objects.get(person=person_b)
    assert event.action == AuditEvent.Action.DENIED
    assert event.actor == gp_a
    assert event.reason == "no legitimate relationship"


def test_person_page_unknown_id_is_not_found(signed_in_gp):
    response = signed_in_gp.get("/people/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 404


def test_person_page_after_break_glass_shows_the_emergency_banner_and_audits_btg(
    signed_in_gp, gp_a, person_b
):
    opened = signed_in_gp.post(
        reverse("break-glass", kwargs={"person": person_b.public_id}),
        {"reason": "Collapsed at home, out of hours", "password": factories.PASSWORD},
    )

    response = signed_in_gp.get(opened.url)

    body = response.content.decode()
    assert opened.url == _page(person_b)
    assert response.status_code == 200
    assert "Emergency access" in body
    assert "You opened this record by breaking the glass" in body
    assert "Bea TRICE" in body
    view = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, person=person_b)
    assert view.purpose == AuditEvent.Purpose.BREAK_THE_GLASS == "BTG"
    assert view.reason == "break glass"


def test_emergency_banner_says_when_access_ends(signed_in_gp, gp_a, person_b, settings):
    settings.BREAK_GLASS_MINUTES = 240
    signed_in_gp.post(
        reverse("break-glass", kwargs={"person": person_b.public_id}),
        {"reason": "Collapsed at home, out of hours", "password": factories.PASSWORD},
    )
    grant = BreakGlass.objects.get(user=gp_a, person=person_b)
    ends = timezone.localtime(grant.expires_at)

    body = signed_in_gp.get(_page(person_b)).content.decode()

    assert f"Your access ends at {ends:%H:%M}" in body
    assert "(in 3\xa0hours, 59\xa0minutes)" in body


def test_person_page_with_a_relationship_has_no_emergency_banner(signed_in_gp, person_a):
    response = signed_in_gp.get(_page(person_a))

    assert "breaking the glass" not in response.content.decode()


def test_break_glass_with_a_wrong_password_opens_nothing(signed_in_gp, person_b):
    response = signed_in_gp.post(
        reverse("break-glass", kwargs={"person": person_b.public_id}),
        {"reason": "Collapsed at home, out of hours", "password": "not my password"},
    )

    assert response.status_code == 403
    assert "Your password is not right" in response.content.decode()
    # The privacy officer sees the attempt as such: it had read "Refused access (person
    # page)", like merely opening the page.
    attempt = AuditEvent.objects.get(person=person_b, action=AuditEvent.Action.DENIED)
    assert attempt.detail == "emergency access refused: Your password is not right."
    assert attempt.reason == "Collapsed at home, out of hours"
    assert signed_in_gp.get(_page(person_b)).status_code == 403


def test_break_glass_by_analyst_is_not_offered(client, team_a, person_b):
    client.force_login(factories.staff(Role.ANALYST, teams=[team_a]))

    response = client.get(_page(person_b))

    body = response.content.decode()
    assert response.status_code == 403
    assert "Your role does not include emergency access" in body
    assert "Break glass and open the record" not in body


def test_person_page_of_a_dead_person_says_so(signed_in_gp, team_a):
    person = factories.person(
        practice=factories.practice(team=team_a),
        date_of_birth=date(1930, 6, 1),
        date_of_death=date(2024, 3, 5),
    )

    response = signed_in_gp.get(_page(person))

    body = response.content.decode()
    assert "This person died on 5 March 2024." in body
    assert "93 years at death" in body


# The Person model


def _unsaved_person(nhs_number: str) -> Person:
    return Person(
        nhs_number=nhs_number,
        given_name="Ada",
        family_name="Lovelace",
        date_of_birth=date(1940, 1, 1),
        sex=Person.Sex.FEMALE,
    )


@pytest.mark.parametrize(
    "number", ["0000000000", "bad-check-digit", "12345"], ids=["zeros", "check-digit", "short"]
)
def test_person_full_clean_rejects_invalid_nhs_numbers(db, number):
    if number == "bad-check-digit":
        number = factories.invalid_nhs_number()

    with pytest.raises(ValidationError) as refused:
        _unsaved_person(number).full_clean(exclude=["pseudonym"])

    assert "nhs_number" in refused.value.message_dict


def test_person_full_clean_accepts_a_synthetic_nhs_number(db):
    _unsaved_person(factories.synthetic_nhs_number()).full_clean(exclude=["pseudonym"])


def test_person_pseudonym_is_a_keyed_hash_of_the_nhs_number(person_a, settings):
    assert person_a.pseudonym == pseudonymise(person_a.nhs_number, settings.PSEUDONYM_KEY)
    assert len(person_a.pseudonym) == 32
    assert int(person_a.pseudonym, 16) >= 0


def test_person_pseudonym_changes_with_the_key(team_a, settings):
    settings.PSEUDONYM_KEY = "first key for the test"
    person = factories.person(practice=factories.practice(team=team_a))
    first = person.pseudonym

    settings.PSEUDONYM_KEY = "second key for the test"
    person.save()

    assert person.pseudonym != first
    assert person.pseudonym == pseudonymise(person.nhs_number, "second key for the test")


def test_person_pseudonym_never_contains_the_nhs_number(team_a):
    people = [factories.person(practice=factories.practice(team=team_a)) for _ in range(30)]

    for person in people:
        assert person.nhs_number not in person.pseudonym
        assert person.pseudonym != person.nhs_number


@given(number=st.integers(9_000_000_000, 9_999_999_999), key=st.text(min_size=1))
def test_pseudonymise_never_contains_the_number(number, key):
    pseudonym = pseudonymise(str(number), key)

    assert str(number) not in pseudonym
    assert pseudonym != pseudonymise(str(number), key + "x")


def test_pseudonymise_without_a_key_is_refused():
    with pytest.raises(ValueError, match="key"):
        pseudonymise("9434765919", "")


def test_person_str_never_carries_name_or_nhs_number(person_a):
    text = str(person_a)

    assert person_a.nhs_number not in text
    assert "Lovelace" not in text
