"""The subject access report goes to the person: every kind of record we hold about them,
in words they read, with no internal field names or ids; and break-glass reviews name
people, not accounts."""

import json
from datetime import date

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from joinedcare.access.models import BreakGlass
from joinedcare.careplans import actions
from joinedcare.careplans.models import CarePlanAction
from joinedcare.meetings.models import AgendaItem
from joinedcare.staff.roles import Role
from tests import factories

URL = "/audit/subject-access/"
RAW_FIELD_NAMES = [
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "ethnic_category",
    "date_of_death",
    "public_id",
    "pseudonym",
    "imd_decile",
    "registered_from",
]


@pytest.fixture(autouse=True)
def no_record_source(settings, tmp_path):
    """Never read a developer's Demo County extract."""
    settings.RECORDS_DIR = tmp_path


@pytest.fixture
def officer(db):
    return factories.staff(Role.PRIVACY_OFFICER, first_name="Priya", last_name="Officer")


@pytest.fixture
def signed_in_officer(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def held(person_a, gp_a):
    """One of each kind of record about person A."""
    person_a.ethnic_category = "B"
    person_a.save()
    factories.referral(person=person_a, reason="Struggling with meals")
    plan = factories.care_plan(person=person_a, key_worker=gp_a)
    factories.care_plan_action(plan=plan, owner=gp_a, description="Fit a grab rail")
    meeting = factories.meeting(chair=gp_a, unit=person_a.practice)
    AgendaItem.objects.create(
        meeting=meeting, person=person_a, source="added by hand", reason="Two falls this month"
    )
    factories.family_member(
        person=person_a, family=factories.family_referral(household="The Lovelace household")
    )
    return person_a


def test_subject_access_report_has_every_kind_of_record(signed_in_officer, held):
    body = signed_in_officer.post(URL, {"nhs_number": held.nhs_number}).content.decode()

    for words in [
        "Struggling with meals",  # referral reason
        "Walk to the shop",  # care plan goal
        "Staying in my own home with my cat",  # what matters, in the plan
        "Fit a grab rail",  # care plan action
        "Two falls this month",  # why they were on an MDT agenda
        "The Lovelace household",  # family referral
        "Child or young person",  # their place in the family, as a label
    ]:
        assert words in body, words


def test_subject_access_report_reads_as_words_not_fields(signed_in_officer, held):
    body = signed_in_officer.post(URL, {"nhs_number": held.nhs_number}).content.decode()

    assert "Family name" in body
    assert "Date of birth" in body
    assert "White: Irish" in body
    assert "Female" in body
    assert "Not recorded" in body  # the date of death, left blank
    for raw in RAW_FIELD_NAMES:
        assert raw not in body, raw
    assert str(held.public_id) not in body
    assert held.pseudonym not in body
    assert f">{held.pk}<" not in body


def test_subject_access_report_says_none_held_for_kinds_without_records(
    signed_in_officer, person_a
):
    body = signed_in_officer.post(URL, {"nhs_number": person_a.nhs_number}).content.decode()

    assert "Referrals and assessments" in body
    assert "Family referrals" in body
    assert "None held." in body


def test_subject_access_download_has_the_same_sections_in_words(signed_in_officer, held):
    response = signed_in_officer.post(URL, {"nhs_number": held.nhs_number, "download": ""})

    document = json.loads(response.content)
    text = json.dumps(document["sections"])
    for words in ["Struggling with meals", "Walk to the shop", "Two falls this month"]:
        assert words in text
    details = document["sections"][0]["records"][0]["details"]
    assert {"label": "Family name", "value": "Lovelace"} in details
    assert {"label": "Date of birth", "value": "1 January 1940"} in details
    for raw in RAW_FIELD_NAMES:
        assert raw not in text, raw


def test_break_glass_recently_reviewed_names_people_and_roles(signed_in_officer, officer, person_b):
    nurse = factories.staff(Role.DISTRICT_NURSE, username="dn7", first_name="Nia", last_name="Ward")
    grant = factories.break_glass(user=nurse, person=person_b)
    BreakGlass.objects.filter(pk=grant.pk).update(
        reviewed_at=grant.started_at, reviewed_by=officer, review_note="Appropriate"
    )

    body = signed_in_officer.get("/audit/break-glass/").content.decode()

    assert "Nia Ward (District nurse, " in body
    assert "reviewed by Priya Officer (Privacy officer)" in body
    assert "dn7" not in body
    assert f"reviewed by {officer.username}" not in body


def test_subject_access_report_dates_read_as_words(signed_in_officer, person_a):
    person_a.date_of_death = date(2024, 3, 5)
    person_a.save()

    body = signed_in_officer.post(URL, {"nhs_number": person_a.nhs_number}).content.decode()

    assert "5 March 2024" in body


def test_subject_access_report_says_when_and_by_whom_an_action_was_done(
    signed_in_officer, held, gp_a
):
    action = CarePlanAction.objects.get(description="Fit a grab rail")
    actions.close_action(by=gp_a, action=action, status="done", note="Rail by the back door")
    body = signed_in_officer.post(URL, {"nhs_number": held.nhs_number}).content.decode()

    today = date_format(timezone.localdate(), "j M Y")
    assert f"Done {today} by {gp_a.get_full_name()}" in body
    assert "Rail by the back door" in body
