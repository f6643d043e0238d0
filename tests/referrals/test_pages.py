"""The SPA's pages through the Django client: queues, the form's errors, the board."""

from joinedcare.audit.models import AuditEvent
from joinedcare.referrals.models import Referral, SinglePointOfAccess
from joinedcare.staff.roles import Role
from tests import factories
from tests.referrals.conftest import MORNING


def test_queue_lists_open_referrals_and_audits_each_person(client, at, coordinator, spa):
    at(MORNING)
    referral = factories.referral(spa=spa)
    client.force_login(coordinator)
    page = client.get("/spa/").content.decode()
    assert referral.person.display_name in page
    assert AuditEvent.objects.filter(
        actor=coordinator, person=referral.person, action=AuditEvent.Action.QUEUE_VIEWED
    ).exists()


def test_queue_refused_outside_an_spa(client, gp_a):
    client.force_login(gp_a)
    assert client.get("/spa/").status_code == 403


def test_menu_offers_the_queues_only_to_the_access_point_s_staff(client, gp_a, coordinator, spa):
    link = 'href="/spa/">Single Point of Access</a>'
    client.force_login(gp_a)
    assert link not in client.get("/").content.decode()  # it would lead to a refusal
    client.force_login(coordinator)
    assert link in client.get("/").content.decode()


def test_home_links_only_to_the_access_points_the_user_works_in(client, coordinator, spa):
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert 'href="/spa/">Referral queues' in page
    assert 'href="/families/"' not in page  # not on the children's access point's staff
    factories.spa(kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES, staff=[coordinator])
    assert 'href="/families/"' in client.get("/").content.decode()
    outsider = factories.staff(Role.SPA_COORDINATOR)
    client.force_login(outsider)
    page = client.get("/").content.decode()
    assert 'href="/spa/"' not in page
    assert "not on the staff of a Single Point of Access" in page


def test_referral_form_names_every_missing_field_and_saves_nothing(client, at, coordinator, spa):
    at(MORNING)
    client.force_login(coordinator)
    response = client.post("/spa/referrals/new/", {})
    page = response.content.decode()
    for message in ("Enter the NHS number", "Enter the reason for referral", "Answer yes or no"):
        assert message in page
    assert not Referral.objects.exists()


def test_person_spa_page_shows_the_story(client, at, coordinator, spa):
    at(MORNING)
    referral = factories.referral(spa=spa, what_matters="Her garden")
    client.force_login(coordinator)
    page = client.get(f"/people/{referral.person.public_id}/spa/").content.decode()
    assert "Her garden" in page
    person_page = client.get(f"/people/{referral.person.public_id}/").content.decode()
    assert "Referrals, assessments and short-term services" in person_page


def test_an_assessment_names_the_services_proposed_in_words(client, coordinator, spa):
    # It had read "intermediate_care_bed, iv_therapy", and "None" when nothing was proposed.
    referral = factories.referral(spa=spa)
    factories.assessment(referral=referral, proposed_services=["intermediate_care_bed"])
    factories.assessment(referral=referral, proposed_services=[])
    client.force_login(coordinator)
    page = client.get(f"/people/{referral.person.public_id}/spa/").content.decode()
    assert "Intermediate care bed" in page and "intermediate_care_bed" not in page
    assert "None proposed" in page


def test_capacity_board_shows_free_and_waiting(client, at, assessor, spa):
    at(MORNING)
    service = factories.service(place=spa.place, name="Beds at Bishop")
    factories.service_day(service=service, day=MORNING.date(), capacity=4, filled=1)
    factories.assessment(referral=factories.referral(spa=spa), proposed_services=[service.kind])
    client.force_login(assessor)
    page = client.get("/spa/capacity/").content.decode()
    assert "Beds at Bishop" in page
    assert "<strong>3</strong> free of 4" in page


def test_capacity_publisher_is_not_offered_administration(client, coordinator, spa):
    # Publishing capacity is not managing reference data: no link to the admin site, which
    # would refuse them (the page's own permission once shadowed the header's).
    client.force_login(coordinator)
    page = client.get("/spa/capacity/").content.decode()
    assert "Publish capacity" in page
    assert "Administration" not in page
