"""A page showing an error summary has a title beginning "Error: " (NHS.UK pattern)."""

import re

import pytest

from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode()).group(1)


def test_a_failed_form_says_error_first_in_its_title_and_a_clean_one_does_not(client, team_a):
    client.force_login(factories.staff(Role.PRIVACY_OFFICER))

    clean = client.get("/audit/?since=2026-12-01&until=2026-12-05")
    failed = client.get("/audit/?since=2026-12-05&until=2026-12-01")

    assert not _title(clean).startswith("Error: ")
    assert _title(failed).startswith("Error: ")
    assert int(failed["Content-Length"]) == len(failed.content)


def test_blank_forms_say_what_to_enter_not_this_field_is_required(client, team_a, person_a):
    # Sign-in, subject access and the care plan had said "This field is required."
    signed_out = client.post("/sign-in/", {"username": "", "password": ""}).content.decode()
    assert "Enter your username" in signed_out and "Enter your password" in signed_out

    client.force_login(factories.staff(Role.PRIVACY_OFFICER))
    asked = client.post("/audit/subject-access/", {"nhs_number": ""}).content.decode()
    assert "Enter the NHS number of the person asking" in asked

    client.force_login(factories.staff(Role.DISTRICT_NURSE, teams=[team_a]))
    plan = client.post(f"/care-plans/{person_a.public_id}/agree/", {}).content.decode()
    for page in (signed_out, asked, plan):
        assert "This field is required" not in page
    assert "Write what matters to the person, in their words" in plan
