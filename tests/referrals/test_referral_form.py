"""The SPA coordinator's referral form: no risky defaults, a known NHS number with another
name or sex is confirmed before it is filed, and the message after recording reads well."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from joinedcare.audit.models import AuditEvent
from joinedcare.people.models import Person
from joinedcare.referrals import actions
from joinedcare.referrals.actions import SAME_PERSON_UNCONFIRMED
from joinedcare.referrals.models import Referral
from tests import factories
from tests.referrals.conftest import MORNING, NIGHT

URL = "/spa/referrals/new/"


@pytest.fixture
def mary(db):
    return factories.person(
        given_name="Mary",
        family_name="SMITH",
        sex=Person.Sex.FEMALE,
        date_of_birth=date(1941, 5, 2),
    )


def _form(nhs_number: str, **fields) -> dict:
    return {
        "nhs_number": nhs_number,
        "given_name": "Mary",
        "family_name": "Smith",
        "date_of_birth": "1941-05-02",
        "sex": "female",
        "referrer_source": "gp",
        "referrer_name": "Dr Patel",
        "reason": "Falls at night",
        "urgency": "today",
        "medically_stable": "yes",
        "consent_to_share": "yes",
        **fields,
    }


def test_dropdowns_start_on_a_blank_choose_option(client, coordinator, spa):
    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    for name, first in (
        ("sex", "Choose the sex"),
        ("referrer_source", "Choose who referred"),
        ("urgency", "Choose the urgency"),
    ):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
        assert re.search(r'<option value="" selected>([^<]*)</option>', select).group(1) == first
        assert select.count(" selected") == 1


def test_skipped_dropdowns_are_named_and_nothing_saved(client, at, coordinator, spa, mary):
    at(MORNING)
    client.force_login(coordinator)
    data = _form(mary.nhs_number, sex="", referrer_source="", urgency="")
    page = client.post(URL, data).content.decode()
    for message in ("Choose the sex", "Choose who referred", "Choose the urgency"):
        assert f">{message}</a>" in page
    assert not Referral.objects.exists()


def test_known_nhs_number_with_other_name_and_sex_is_not_filed_silently(
    client, at, coordinator, spa, mary
):
    at(MORNING)
    client.force_login(coordinator)
    data = _form(mary.nhs_number, given_name="Margaret", family_name="Jones", sex="male")
    page = client.post(URL, data).content.decode()
    assert not Referral.objects.exists()
    assert "Given name does not match the NHS number&#x27;s record" in page
    assert "Family name does not match the NHS number&#x27;s record" in page
    assert "Sex does not match the NHS number&#x27;s record" in page
    assert f'href="#id_same_person">{escape(SAME_PERSON_UNCONFIRMED)}</a>' in page
    assert "I have checked this is the same person" in page
    assert "Mary" not in page and "SMITH" not in page  # the record's values stay hidden
    assert 'value="Margaret"' in page and "Falls at night" in page  # what was typed stays


def test_coordinator_files_it_once_she_confirms_the_same_person(client, at, coordinator, spa, mary):
    at(MORNING)
    client.force_login(coordinator)
    data = _form(mary.nhs_number, given_name="Margaret", family_name="Jones", sex="male")
    response = client.post(URL, {**data, "same_person": "on"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.person == mary
    mary.refresh_from_db()
    assert (mary.given_name, mary.family_name) == ("Mary", "SMITH")  # the record unchanged
    assert AuditEvent.objects.filter(
        person=mary, detail__contains="confirmed the same person"
    ).exists()


def test_only_the_differing_field_is_named(client, at, coordinator, spa, mary):
    at(MORNING)
    client.force_login(coordinator)
    page = client.post(URL, _form(mary.nhs_number, family_name="Jones")).content.decode()
    assert "Family name does not match" in page
    assert "Given name does not match" not in page
    assert "Sex does not match" not in page


def test_names_are_compared_ignoring_case_and_accents(client, at, coordinator, spa):
    at(MORNING)
    zoe = factories.person(given_name="Zoë", family_name="O'Neill", date_of_birth=date(1941, 5, 2))
    client.force_login(coordinator)
    data = _form(zoe.nhs_number, given_name="  ZOE ", family_name="o'neill")
    assert client.post(URL, data).status_code == 302
    assert Referral.objects.get().person == zoe


def test_details_differing_treats_not_known_sex_as_no_contradiction(db):
    person = factories.person(given_name="Ann", family_name="Lee", sex=Person.Sex.UNKNOWN)
    assert actions.details_differing(person, given_name="ann", family_name="LEE", sex="male") == []


def test_callers_that_cannot_ask_still_find_the_person(coordinator, mary):
    # The API and Discharge to Assess have no confirmation yet (same_person_confirmed=None).
    found, created = actions.find_or_create_person(
        by=coordinator,
        nhs_number=mary.nhs_number,
        given_name="Margaret",
        family_name="Jones",
        date_of_birth=mary.date_of_birth,
        sex="male",
    )
    assert (found, created) == (mary, False)


def test_find_or_create_person_refuses_unconfirmed_differences_naming_them(coordinator, mary):
    with pytest.raises(ValidationError) as error:
        actions.find_or_create_person(
            by=coordinator,
            nhs_number=mary.nhs_number,
            given_name="Mary",
            family_name="Jones",
            date_of_birth=mary.date_of_birth,
            sex="female",
            same_person_confirmed=False,
        )
    assert set(error.value.message_dict) == {"family_name", "same_person"}


def test_recorded_message_reads_without_nested_brackets(client, at, coordinator, spa):
    at(NIGHT)
    client.force_login(coordinator)
    response = client.post(URL, _form(factories.unused_nhs_number()), follow=True)
    referral = Referral.objects.get()
    page = response.content.decode()
    assert f"Referral {referral.pk} recorded: new, arrived out of hours." in page


def test_recorded_message_in_hours(client, at, coordinator, spa):
    at(MORNING)
    client.force_login(coordinator)
    response = client.post(URL, _form(factories.unused_nhs_number()), follow=True)
    referral = Referral.objects.get()
    assert f"Referral {referral.pk} recorded: awaiting triage." in response.content.decode()


def test_a_date_of_birth_in_1850_is_a_mistyped_year(client, at, coordinator, spa):
    at(MORNING)
    client.force_login(coordinator)
    page = client.post(URL, _form("9990001022", date_of_birth="1850-01-01")).content.decode()
    assert "The date of birth is more than 120 years ago: check the year" in page
    assert not Referral.objects.exists()
