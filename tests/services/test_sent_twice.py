"""A form sent twice (a double click at 3am, the back button, a retry) is saved once:
one referral, one bed (DESIGN: "a referral submitted twice (retry) is stored once")."""

from django.contrib.messages import get_messages

from joinedcare.home.once import ALREADY_SENT
from joinedcare.referrals.models import Referral
from joinedcare.services.models import Episode, Service, ServiceDay
from tests import factories
from tests.referrals.test_referral_form import _form
from tests.services.conftest import MORNING, NIGHT
from tests.services.test_allocate_page import _catalogue

TOKEN = "9" * 32


def _token_in(page: str) -> bool:
    return 'name="once" value="' in page


def test_a_referral_sent_twice_is_recorded_once(client, at, coordinator, spa):
    at(MORNING)
    client.force_login(coordinator)
    assert _token_in(client.get("/spa/referrals/new/").content.decode())
    person = factories.person()
    data = _form(
        person.nhs_number,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth.isoformat(),
        sex=person.sex,
        once=TOKEN,
    )
    first = client.post("/spa/referrals/new/", data)
    second = client.post("/spa/referrals/new/", data)
    assert Referral.objects.count() == 1
    assert second.status_code == 302 and second.url == first.url
    assert ALREADY_SENT in [str(m) for m in get_messages(second.wsgi_request)]


def test_a_bed_commissioned_twice_at_night_is_booked_once(client, at, coordinator, spa):
    at(NIGHT)
    bed = _catalogue(spa)[Service.Kind.INTERMEDIATE_CARE_BED]
    referral = factories.referral(spa=spa, status=Referral.Status.NEW)
    client.force_login(coordinator)
    page = client.get(f"/people/{referral.person.public_id}/spa/").content.decode()
    assert _token_in(page)
    prefix = f"allocate-{referral.pk}"
    data = {
        "referral": referral.pk,
        "once": TOKEN,
        f"{prefix}-service": bed.pk,
        f"{prefix}-start": NIGHT.date().isoformat(),
        f"{prefix}-lead": coordinator.pk,
    }
    url = f"/people/{referral.person.public_id}/spa/allocate/"
    responses = [client.post(url, data) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    said = [str(m) for m in get_messages(responses[0].wsgi_request)]
    assert said == [f"{bed.name} commissioned out of hours: it started today."]
    assert Episode.objects.filter(service=bed).count() == 1
    assert {d.filled for d in ServiceDay.objects.filter(service=bed, day=NIGHT.date())} == {1}
