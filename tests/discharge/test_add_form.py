"""The Discharge to Assess form, as the SPA coordinator types a hospital's list: a known
NHS number with another name is confirmed before it joins that person's story."""

from datetime import date

import pytest

from joinedcare.discharge.models import DischargeCase
from joinedcare.organisations.models import Organisation
from joinedcare.people.models import Person
from joinedcare.staff.roles import Role
from tests import factories
from tests.discharge.test_api import MORNING

URL = "/discharge/new/"


@pytest.fixture
def coordinator(db, settings):
    settings.JOINEDCARE_CLOCK = MORNING
    factories.organisation(kind=Organisation.Kind.ACUTE_TRUST, code="RXP")
    user = factories.staff(Role.SPA_COORDINATOR)
    factories.spa(staff=[user])
    return user


def _typed(person: Person, **fields) -> dict:
    return {
        "nhs_number": person.nhs_number,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.sex,
        "hospital": "RXP",
        "ward": "Ward 6",
        "medically_fit_at": "14/01/2026 08:30",
        "reason": "Needs help with stairs at home",
        "consent_to_share": "yes",
        **fields,
    }


def test_a_known_number_with_another_name_asks_for_confirmation(client, coordinator):
    mary = factories.person(given_name="Mary", family_name="SMITH", date_of_birth=date(1941, 5, 2))
    client.force_login(coordinator)

    page = client.post(URL, _typed(mary, family_name="Jones")).content.decode()
    assert "Family name does not match the NHS number&#x27;s record" in page
    assert "I have checked this is the same person" in page
    assert not DischargeCase.objects.exists()

    confirmed = client.post(URL, _typed(mary, family_name="Jones", same_person="on"))
    assert confirmed.status_code == 302
    assert DischargeCase.objects.get().person == mary
