"""Discharge to Assess for a person who has not agreed to share: the ward's list entry says
on what basis the referral goes ahead, on the form and through the API, and the trusted
assessor sees it on the person's Discharge to Assess page."""

import json
import re
from html import unescape

import pytest

from joinedcare.discharge.models import DischargeCase
from joinedcare.organisations.models import Organisation
from joinedcare.people.models import Person
from joinedcare.referrals.models import Referral
from joinedcare.staff.roles import Role
from tests import factories
from tests.discharge.test_api import MORNING

FORM = "/discharge/new/"
API = "/api/discharge/medically-fit"
NOTE = "Assessed by Dr Khan: cannot retain information about the move home"
SAID = (
    "Sent without the person's agreement to share: "
    f"The person lacks capacity to decide, and referring is in their best interests. {NOTE}"
)


def _text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def coordinator(db, settings):
    settings.JOINEDCARE_CLOCK = MORNING
    factories.organisation(kind=Organisation.Kind.ACUTE_TRUST, code="RXP")
    user = factories.staff(Role.SPA_COORDINATOR)
    factories.spa(staff=[user])
    return user


def _typed(**fields) -> dict:
    return {
        "nhs_number": factories.unused_nhs_number(),
        "given_name": "Mary",
        "family_name": "Bell",
        "date_of_birth": "1941-07-03",
        "sex": "female",
        "hospital": "RXP",
        "ward": "Ward 6",
        "medically_fit_at": "14/01/2026 08:30",
        "reason": "Needs help with stairs at home",
        "consent_to_share": "no",
        **fields,
    }


def test_form_no_without_basis_is_refused_naming_the_fields(client, coordinator):
    client.force_login(coordinator)
    before = (Referral.objects.count(), DischargeCase.objects.count())
    response = client.post(FORM, _typed())
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_sharing_basis_0">Say why the referral goes ahead' in page
    assert 'href="#id_sharing_note">Explain the decision to refer' in page
    assert "Needs help with stairs at home" in page  # what was typed stays
    assert (Referral.objects.count(), DischargeCase.objects.count()) == before


def test_form_asks_the_basis_under_the_consent_question_once(client, coordinator):
    client.force_login(coordinator)
    page = client.get(FORM).content.decode()
    assert page.count('name="sharing_basis"') == 4  # one radio per basis, not repeated
    assert page.count('name="sharing_note"') == 1
    consent = page.index("Has the person agreed to share their information?")
    assert consent < page.index('name="sharing_basis"') < page.index("What matters to the person")


def test_form_no_with_basis_is_added_and_shown_on_the_discharge_page(client, coordinator):
    client.force_login(coordinator)
    response = client.post(FORM, _typed(sharing_basis="best_interests", sharing_note=NOTE))
    assert response.status_code == 302
    case = DischargeCase.objects.get()
    assert (case.referral.sharing_basis, case.referral.sharing_note) == ("best_interests", NOTE)
    assert SAID in _text(client.get(f"/people/{case.person.public_id}/discharge/"))
    assert SAID in _text(client.get(f"/people/{case.person.public_id}/spa/"))


def test_form_yes_ignores_a_basis(client, coordinator):
    client.force_login(coordinator)
    data = _typed(consent_to_share="yes", sharing_basis="urgent_risk", sharing_note="Ignored")
    assert client.post(FORM, data).status_code == 302
    referral = DischargeCase.objects.get().referral
    assert (referral.consent_to_share, referral.sharing_basis, referral.sharing_note) == (
        True,
        "",
        "",
    )
    response = client.get(f"/people/{referral.person.public_id}/discharge/")
    assert response.status_code == 200
    assert "agreement to share" not in _text(response)


@pytest.fixture
def token(coordinator):
    _, token = factories.api_client(spa=coordinator.access_points.get())
    return token


def _post(client, token, body):
    return client.post(
        API,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "list-1"},
    )


def _body(**fields) -> dict:
    return {**_typed(), "medically_fit_at": "2026-01-14 08:30", "consent_to_share": False, **fields}


def test_api_false_without_basis_is_400_naming_the_fields(client, token):
    before = (Referral.objects.count(), DischargeCase.objects.count(), Person.objects.count())
    response = _post(client, token, _body())
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"sharing_basis", "sharing_note"}
    after = (Referral.objects.count(), DischargeCase.objects.count(), Person.objects.count())
    assert after == before


def test_api_false_with_basis_is_added(client, token):
    response = _post(client, token, _body(sharing_basis="best_interests", sharing_note=NOTE))
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get(pk=response.json()["referral"])
    assert referral.shared_without_agreement == SAID
