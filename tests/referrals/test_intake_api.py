"""The intake API: idempotency, duplicates, and every invalid field named."""

import json

import pytest

from joinedcare.audit.models import AuditEvent
from joinedcare.people.models import Person
from joinedcare.referrals import sharing
from joinedcare.referrals.forms import ReferralForm
from joinedcare.referrals.models import Referral
from tests import factories
from tests.referrals.conftest import MORNING

URL = "/api/spa/referrals"


@pytest.fixture
def token(spa, at):
    at(MORNING)
    _, token = factories.api_client(spa=spa)
    return token


def _body(**fields):
    return {
        "nhs_number": fields.pop("nhs_number", None) or factories.unused_nhs_number(),
        "given_name": "Mary",
        "family_name": "Bell",
        "date_of_birth": "1941-07-03",
        "sex": "female",
        "referrer_source": "hospital_ward",
        "referrer_name": "Sister Jones",
        "referrer_organisation": "Ward 6, University Hospital",
        "reason": "Medically fit, needs help to get home",
        "urgency": "today",
        "medically_stable": True,
        "consent_to_share": True,
        **fields,
    }


def _post(client, token, body, key="key-1"):
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


def test_api_creates_a_referral_and_the_person(client, token):
    response = _post(client, token, _body())
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get(pk=response.json()["referral"])
    assert referral.channel == Referral.Channel.API
    assert referral.person.family_name == "Bell"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REFERRAL_RECEIVED).count() == 1


def test_api_retry_with_same_key_creates_one_referral(client, token):
    body = _body()
    first = _post(client, token, body)
    second = _post(client, token, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["referral"] == second.json()["referral"]
    assert second.json()["created"] is False
    assert second["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1
    assert Person.objects.filter(family_name="Bell").count() == 1


def test_api_same_key_different_body_is_refused(client, token):
    _post(client, token, _body())
    response = _post(client, token, _body(reason="Something else"))
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["errors"]
    assert Referral.objects.count() == 1


def test_api_different_keys_for_same_person_flag_a_duplicate(client, token):
    body = _body()
    first = _post(client, token, body, key="a").json()
    second = _post(client, token, {**body, "reason": "GP also worried"}, key="b").json()
    assert second["referral"] != first["referral"]
    assert second["possible_duplicate_of"] == first["referral"]
    assert first["possible_duplicate_of"] is None
    assert Referral.objects.count() == 2


def test_api_needs_an_idempotency_key(client, token):
    response = _post(client, token, _body(), key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_api_refuses_a_bad_token(client, token):
    response = _post(client, "not-the-token", _body())
    assert response.status_code == 401
    assert not Referral.objects.exists()


def test_api_refuses_invalid_json(client, token):
    response = client.post(
        URL,
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k"},
    )
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_api_names_unknown_fields(client, token):
    response = _post(client, token, _body(diagnosis="COPD"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"diagnosis": ["Unknown field"]}


INVALID = {
    "nhs_number": "1234567890",
    "given_name": "",
    "family_name": None,
    "date_of_birth": "1941-02-30",
    "sex": "unsure",
    "postcode": "X" * 11,
    "referrer_source": "neighbour",
    "referrer_name": "",
    "referrer_organisation": "W" * 201,
    "referrer_contact": "C" * 201,
    "reason": "",
    "urgency": "whenever",
    "medically_stable": "maybe",
    "consent_to_share": None,
}
OPTIONAL_TEXT = ["what_matters", "networks", "strengths"]


def test_every_form_field_has_an_invalid_case_or_is_free_text():
    # The basis for sharing without agreement depends on consent: test_sharing_basis.py.
    expected = set(INVALID) | set(OPTIONAL_TEXT) | set(sharing.FIELDS)
    assert set(ReferralForm.base_fields) == expected


@pytest.mark.parametrize(("field", "value"), INVALID.items(), ids=list(INVALID))
def test_api_names_each_invalid_field_and_saves_nothing(client, token, field, value):
    response = _post(client, token, _body(**{field: value}))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field], errors
    assert errors[field][0]
    assert not Referral.objects.exists()
    assert not Person.objects.filter(family_name="Bell").exists()


def test_api_all_invalid_fields_named_at_once(client, token):
    response = _post(client, token, _body(**INVALID))
    assert set(response.json()["errors"]) == set(INVALID)


def test_api_date_of_birth_must_match_a_known_nhs_number(client, token):
    person = factories.person()
    response = _post(client, token, _body(nhs_number=person.nhs_number))
    assert response.status_code == 400
    assert "date_of_birth" in response.json()["errors"]
    assert not Referral.objects.exists()


def test_api_out_of_hours_referral_is_new(client, token, at):
    from tests.referrals.conftest import NIGHT

    at(NIGHT)
    assert _post(client, token, _body()).json()["status"] == "new"


def test_openapi_describes_every_field(client, db):
    schema = client.get("/api/spa/openapi.json").json()
    props = schema["components"]["schemas"]["Referral"]["properties"]
    assert set(props) == set(ReferralForm.base_fields)
    assert props["medically_stable"]["type"] == "boolean"
    assert "reason" in schema["components"]["schemas"]["Referral"]["required"]


def test_health_is_trivial(client, db):
    assert client.get("/api/health").json() == {"status": "ok"}
