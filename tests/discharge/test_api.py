"""The Discharge to Assess API: a hospital's medically fit list, one person per request."""

import json
from datetime import datetime

import pytest

from joinedcare.discharge.models import DischargeCase
from joinedcare.organisations.models import Organisation
from joinedcare.people.models import Person
from joinedcare.referrals.clock import LONDON
from joinedcare.referrals.models import Referral
from joinedcare.staff.roles import Role
from tests import factories

URL = "/api/discharge/medically-fit"
MORNING = datetime(2026, 1, 14, 10, 0, tzinfo=LONDON)


@pytest.fixture
def token(db, settings):
    settings.JOINEDCARE_CLOCK = MORNING
    factories.organisation(kind=Organisation.Kind.ACUTE_TRUST, code="RXP")
    spa = factories.spa(staff=[factories.staff(Role.SPA_COORDINATOR)])
    _, token = factories.api_client(spa=spa)
    return token


def _body(**fields):
    return {
        "nhs_number": fields.pop("nhs_number", None) or factories.unused_nhs_number(),
        "given_name": "Mary",
        "family_name": "Bell",
        "date_of_birth": "1941-07-03",
        "sex": "female",
        "hospital": "RXP",
        "ward": "Ward 6",
        "medically_fit_at": "2026-01-14 08:30",
        "reason": "Needs help with stairs at home",
        "consent_to_share": True,
        **fields,
    }


def _post(client, token, body, key="list-2026-01-14-1"):
    return client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


def test_api_retry_with_same_key_and_body_returns_the_first_case(client, token):
    body = _body()
    first = _post(client, token, body)
    second = _post(client, token, body)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["discharge"] == first.json()["discharge"]
    assert second.json()["created"] is False
    assert DischargeCase.objects.count() == 1


def test_api_same_key_different_body_is_refused(client, token):
    body = _body()
    first = _post(client, token, body)

    response = _post(client, token, {**body, "ward": "Ward 9", "reason": "Lives alone"})

    assert first.status_code == 201
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["errors"]
    assert DischargeCase.objects.get().ward == "Ward 6"
    assert Referral.objects.count() == 1


def test_api_same_key_for_another_person_is_refused_before_saving_them(client, token):
    _post(client, token, _body())

    response = _post(client, token, _body(given_name="John", family_name="Wood"))

    assert response.status_code == 409
    assert not Person.objects.filter(family_name="Wood").exists()
    assert DischargeCase.objects.count() == 1


def test_api_replay_says_so(client, token):
    body = _body()
    _post(client, token, body)

    assert _post(client, token, body)["Idempotent-Replayed"] == "true"
