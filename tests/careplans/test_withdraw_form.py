"""Withdrawing consent from the care plan page: a missing reason is an error, not a crash."""

import pytest

from joinedcare.careplans.models import Consent
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_withdrawing_without_a_reason_field_says_why_and_keeps_the_consent(
    client, team_a, person_a
):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    client.force_login(nurse)

    # A hand-made or truncated request without the reason box answered 500.
    response = client.post(f"/care-plans/{person_a.public_id}/consent/", {"withdraw": "1"})

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Say why consent is withdrawn" in page
    assert Consent.objects.get(plan=plan).withdrawn_at is None
