"""A GP's bed request for a patient who has not agreed to share: the GP says on what basis
it goes ahead, and the Single Point of Access sees it before it confirms the bed."""

import re
from html import unescape

import pytest

from joinedcare.referrals.models import Referral
from joinedcare.staff.roles import Role
from tests import factories
from tests.referrals.conftest import MORNING

SAID = (
    "Sent without the person's agreement to share: "
    "The person lacks capacity to decide, and referring is in their best interests. "
    "Severe delirium; wife (next of kin) agrees a bed is best"
)


def _text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def patient(team_a):
    return factories.person(practice=factories.practice(team=team_a))


@pytest.fixture
def gp(team_a):
    return factories.staff(Role.GP, teams=[team_a])


@pytest.fixture
def county_spa(team_a, coordinator, assessor):
    return factories.spa(place=team_a.locality.place, staff=[coordinator, assessor])


def _request(client, patient, **answers):
    data = {"reason": "Confused and not safe at home tonight", "medically_stable": "yes"}
    return client.post(f"/people/{patient.public_id}/gp-bed/", {**data, **answers})


def test_gp_bed_no_without_basis_is_refused_naming_the_fields(client, at, gp, patient, county_spa):
    at(MORNING)
    client.force_login(gp)
    before = Referral.objects.count()
    response = _request(client, patient, consent_to_share="no")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_sharing_basis_0">Say why the referral goes ahead' in page
    assert 'href="#id_sharing_note">Explain the decision to refer' in page
    assert "Confused and not safe at home tonight" in page  # what was typed stays
    assert Referral.objects.count() == before


def test_gp_bed_no_with_basis_is_requested_and_the_spa_sees_why(
    client, at, gp, assessor, patient, county_spa
):
    at(MORNING)
    client.force_login(gp)
    response = _request(
        client,
        patient,
        consent_to_share="no",
        sharing_basis="best_interests",
        sharing_note="Severe delirium; wife (next of kin) agrees a bed is best",
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person=patient)
    assert referral.requested_service == "gp_bed"
    assert referral.sharing_basis == "best_interests"

    client.force_login(assessor)
    page = _text(client.get(f"/people/{patient.public_id}/spa/"))
    assert SAID in page
    assert page.index(SAID) < page.index("Record triage")


def test_gp_bed_yes_ignores_a_basis(client, at, gp, patient, county_spa):
    at(MORNING)
    client.force_login(gp)
    response = _request(
        client, patient, consent_to_share="yes", sharing_basis="safeguarding", sharing_note="x"
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person=patient)
    assert (referral.consent_to_share, referral.sharing_basis, referral.sharing_note) == (
        True,
        "",
        "",
    )
