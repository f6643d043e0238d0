"""A person's referrals page with several open referrals: each referral's forms are its
own, so a failed step shows its error and what was typed under that referral only."""

import re
from collections import Counter

from joinedcare.referrals.models import Referral
from tests import factories
from tests.referrals.conftest import MORNING, NIGHT


def _three_referrals(spa):
    person = factories.person()
    return [factories.referral(spa=spa, person=person) for _ in range(3)]


def test_failed_triage_keeps_its_error_and_note_with_its_referral(client, at, assessor, spa):
    at(MORNING)
    first, failing, third = _three_referrals(spa)
    client.force_login(assessor)
    response = client.post(
        f"/people/{failing.person.public_id}/spa/triage/",
        {
            "referral": failing.pk,
            f"triage-{failing.pk}-decision": "assess",
            f"triage-{failing.pk}-note": "Call son first",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("Call son first") == 1
    # The message is in the summary and once on the field, under the failing referral.
    assert page.count("Choose the assessor to allocate") == 2
    assert f'id="id_triage-{failing.pk}-assessor-error"' in page
    assert f'href="#id_triage-{failing.pk}-assessor"' in page
    section = page.split(f'id="referral-{failing.pk}"')[1].split('id="referral-')[0]
    assert "Call son first" in section
    assert 'value="assess" checked' in section.replace("\n", "")
    for other in (first, third):
        assert f"id_triage-{other.pk}-decision_0" in page
    failing.refresh_from_db()
    assert failing.status == Referral.Status.AWAITING_TRIAGE


def test_each_referral_s_forms_have_their_own_ids(client, at, assessor, spa):
    at(MORNING)
    referrals = _three_referrals(spa)
    client.force_login(assessor)
    page = client.get(f"/people/{referrals[0].person.public_id}/spa/").content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    for r in referrals:
        assert f'for="id_triage-{r.pk}-decision_0"' in page
        assert f'name="assess-{r.pk}-proposed_services"' in page


def test_assessment_for_one_referral_is_recorded_on_it(client, at, assessor, spa):
    at(MORNING)
    first, second, _ = _three_referrals(spa)
    client.force_login(assessor)
    response = client.post(
        f"/people/{second.person.public_id}/spa/assess/",
        {
            "referral": second.pk,
            f"assess-{second.pk}-needs": "Help with stairs",
            f"assess-{second.pk}-at_home": "on",
        },
    )
    assert response.status_code == 302
    assessment = second.assessments.get()
    assert assessment.at_home
    assert not first.assessments.exists()


def test_a_step_for_a_referral_that_is_not_the_person_s_is_not_found(client, at, assessor, spa):
    at(MORNING)
    mine, other = factories.referral(spa=spa), factories.referral(spa=spa)
    client.force_login(assessor)
    url = f"/people/{mine.person.public_id}/spa/triage/"
    assert client.post(url, {"referral": other.pk}).status_code == 404
    assert client.post(url, {"referral": "x"}).status_code == 404


def test_at_night_triage_is_not_offered_but_said_to_wait(client, at, assessor, spa):
    at(NIGHT)
    referral = factories.referral(spa=spa, status=Referral.Status.NEW)
    client.force_login(assessor)
    page = client.get(f"/people/{referral.person.public_id}/spa/").content.decode()
    assert "Record triage" not in page
    waits = "The assessment team triages 08:00 to 20:00: this referral waits for the morning."
    assert waits in page
    at(MORNING)
    page = client.get(f"/people/{referral.person.public_id}/spa/").content.decode()
    assert "Record triage" in page
