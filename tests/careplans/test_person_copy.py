"""The person's own copy of their care plan: staff named as people read their roles, and
a way to reach the main contact (key worker), whatever the project holds about them."""

import re

import pytest

from joinedcare.careplans.templatetags.care_plan_words import in_sentence, phone_link
from joinedcare.organisations.models import Organisation
from joinedcare.staff.roles import Role, role_label
from tests import factories

pytestmark = pytest.mark.django_db


def _copy(client, person, viewer) -> str:
    """The copy's text with tags removed and spaces collapsed, as a reader meets it."""
    client.force_login(viewer)
    html = client.get(f"/care-plans/{person.public_id}/copy/").content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".").replace(" ,", ",")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.VAWAS_NURSE, "VAWAS nurse"),
        (Role.VCS_WORKER, "VCS worker"),
        (Role.GP, "GP"),
        (Role.SPA_COORDINATOR, "SPA coordinator"),
        (Role.DISTRICT_NURSE, "district nurse"),
        (Role.ASSESSOR, "trusted assessor"),
    ],
)
def test_in_sentence_keeps_initialisms_and_lowers_words(role, expected):
    assert in_sentence(role_label(role)) == expected


def test_phone_link_drops_spaces():
    assert phone_link("0191 498 0003") == "tel:01914980003"


def test_copy_names_the_key_worker_role_as_people_read_it(client, team_a, person_a):
    nurse = factories.staff(
        Role.VAWAS_NURSE, teams=[team_a], first_name="Karen", last_name="Dobson"
    )
    factories.care_plan(person=person_a, key_worker=nurse)

    text = _copy(client, person_a, nurse)

    assert f"Karen Dobson, VAWAS nurse, {nurse.organisation.name}." in text
    assert "vawas nurse" not in text


def test_copy_names_each_action_owner_with_their_role(client, team_a, person_a):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    vcs = factories.organisation(kind=Organisation.Kind.VCS)
    worker = factories.staff(
        Role.VCS_WORKER, teams=[team_a], organisation_=vcs, first_name="Dave", last_name="Lee"
    )
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    factories.care_plan_action(plan=plan, owner=worker, description="Take Ada to lunch club")

    text = _copy(client, person_a, nurse)

    assert "Take Ada to lunch club. Who: Dave Lee, VCS worker." in text
    assert "vcs worker" not in text


def test_copy_gives_the_key_workers_phone_to_call(client, team_a, person_a):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a], work_phone="0191 498 0003")
    factories.care_plan(person=person_a, key_worker=nurse)
    client.force_login(nurse)

    html = client.get(f"/care-plans/{person_a.public_id}/copy/").content.decode()
    text = _copy(client, person_a, nurse)

    assert "Phone: 0191 498 0003" in text
    assert 'href="tel:01914980003"' in html
    # A second way, for when they are away.
    assert f"If you cannot reach them, call your GP practice, {person_a.practice.name}." in text


def test_copy_without_a_phone_says_to_call_the_practice_and_ask_for_them(client, team_a, person_a):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a], first_name="Jo", last_name="Smith")
    factories.care_plan(person=person_a, key_worker=nurse)

    text = _copy(client, person_a, nurse)

    practice = person_a.practice.name
    assert f"To reach them, call your GP practice, {practice}, and ask for Jo Smith." in text


def test_copy_without_a_phone_or_practice_leaves_a_line_to_write_one(client, team_a):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    person = factories.person(practice=None)
    # Without a practice the team gives no relationship: the key worker's plan does.
    factories.care_plan(person=person, key_worker=nurse)

    text = _copy(client, person, nurse)

    assert "Phone: ask for their number to be written here" in text


def test_plan_page_gives_the_key_workers_phone(client, team_a, person_a):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a], work_phone="0191 498 0003")
    factories.care_plan(person=person_a, key_worker=nurse)
    client.force_login(nurse)

    html = client.get(f"/care-plans/{person_a.public_id}/").content.decode()

    assert '<a href="tel:01914980003">0191 498 0003</a>' in html
