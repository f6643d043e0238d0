"""The allocate form on a person's referrals page: offered only when this user may use it
now, with only the services and lead workers they may choose."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from joinedcare.referrals.models import Referral
from joinedcare.services import actions
from joinedcare.services.models import Episode, Service, ServiceDay
from joinedcare.staff.roles import Role
from tests import factories
from tests.services.conftest import MORNING, NIGHT

TODAY = date(2026, 1, 14)


def _catalogue(spa) -> dict[str, Service]:
    """One service of each kind the rules tell apart, with capacity for weeks."""
    services = {
        kind: factories.service(place=spa.place, kind=kind, name=f"The {kind} service")
        for kind in (
            Service.Kind.INTERMEDIATE_CARE_BED,
            Service.Kind.SITTING,
            Service.Kind.REABLEMENT,
            Service.Kind.GP_BED,
        )
    }
    ServiceDay.objects.bulk_create(
        ServiceDay(service=s, day=TODAY + timedelta(days=i), capacity=3)
        for s in services.values()
        for i in range(50)
    )
    return services


def _page(client, user, referral) -> str:
    client.force_login(user)
    return client.get(f"/people/{referral.person.public_id}/spa/").content.decode()


def _options(page: str, name: str) -> list[str]:
    """The labels of a select's options."""
    select = re.search(rf'<select name="{re.escape(name)}".*?</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


def _allocate(client, user, referral, **fields):
    client.force_login(user)
    prefix = f"allocate-{referral.pk}"
    data = {"referral": referral.pk, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    return client.post(f"/people/{referral.person.public_id}/spa/allocate/", data)


def test_coordinator_in_hours_is_not_offered_a_form_she_cannot_use(client, at, coordinator, spa):
    at(MORNING)
    _catalogue(spa)
    referral = factories.referral(spa=spa)
    page = _page(client, coordinator, referral)
    assert "Commission a bed or sitting service" not in page
    assert f'name="allocate-{referral.pk}-service"' not in page


def test_coordinator_at_night_is_offered_only_beds_and_sitting(client, at, coordinator, spa):
    at(NIGHT)
    _catalogue(spa)
    referral = factories.referral(spa=spa, status=Referral.Status.NEW)
    page = _page(client, coordinator, referral)
    assert "Commission a bed or sitting service (out of hours)" in page
    offered = " ".join(_options(page, f"allocate-{referral.pk}-service"))
    assert "The intermediate_care_bed service" in offered
    assert "The sitting service" in offered
    assert "The reablement service" not in offered
    assert "The gp_bed service" not in offered


def test_coordinator_in_hours_confirms_only_a_requested_gp_bed(client, at, coordinator, spa):
    at(MORNING)
    _catalogue(spa)
    referral = factories.referral(spa=spa, requested_service=Service.Kind.GP_BED)
    page = _page(client, coordinator, referral)
    assert "Confirm the GP bed" in page
    offered = _options(page, f"allocate-{referral.pk}-service")
    assert offered[0] == "Choose a service"
    assert [o.split(" (")[0] for o in offered[1:]] == ["The gp_bed service"]


def test_assessor_in_hours_is_offered_the_whole_catalogue(client, at, assessor, spa):
    at(MORNING)
    _catalogue(spa)
    referral = factories.referral(spa=spa)
    page = _page(client, assessor, referral)
    assert "Allocate a service" in page
    assert len(_options(page, f"allocate-{referral.pk}-service")) == 1 + 4


@pytest.mark.parametrize("moment", [NIGHT, MORNING])
@pytest.mark.parametrize("role", [Role.SPA_COORDINATOR, Role.ASSESSOR, Role.ANALYST])
@pytest.mark.parametrize("requested", ["", Service.Kind.GP_BED])
def test_services_offered_are_exactly_those_the_action_accepts(at, spa, moment, role, requested):
    # Computed two ways: the form's list, and the action's rule asked service by service.
    at(moment)
    user = factories.staff(role)
    services = _catalogue(spa)
    referral = factories.referral(spa=spa, requested_service=requested)
    offered = set(actions.allocatable_services(by=user, referral=referral))
    accepted = set()
    for service in services.values():
        try:
            actions._may_allocate(user, service, referral, moment)
        except (ValidationError, PermissionError):
            continue
        accepted.add(service)
    assert offered == accepted


def test_lead_worker_choices_are_care_staff_of_the_place(client, at, assessor, spa):
    at(MORNING)
    _catalogue(spa)
    team = factories.team(locality=factories.locality(place=spa.place))
    therapist = factories.staff(Role.THERAPIST, teams=[team], last_name="Therapist")
    elsewhere = factories.staff(Role.DISTRICT_NURSE, teams=[factories.team()], last_name="Away")
    not_care = [
        factories.staff(role, last_name=f"Not{role.label.replace(' ', '')}")
        for role in (
            Role.ANALYST,
            Role.PRIVACY_OFFICER,
            Role.ADMINISTRATOR,
            Role.LOCALITY_MANAGER,
        )
    ]
    spa.staff.add(*not_care)
    referral = factories.referral(spa=spa)
    leads = " ".join(_options(_page(client, assessor, referral), f"allocate-{referral.pk}-lead"))
    assert therapist.get_full_name() in leads
    assert assessor.get_full_name() in leads  # on the access point's staff
    assert elsewhere.get_full_name() not in leads
    for user in not_care:
        assert user.get_full_name() not in leads


def test_allocate_refuses_a_lead_worker_not_offered_naming_the_field(client, at, assessor, spa):
    at(MORNING)
    services = _catalogue(spa)
    analyst = factories.staff(Role.ANALYST, first_name="Chloe", last_name="Turnbull")
    spa.staff.add(analyst)
    referral = factories.referral(spa=spa)
    response = _allocate(
        client,
        assessor,
        referral,
        service=services[Service.Kind.INTERMEDIATE_CARE_BED].pk,
        start="2026-01-14",
        lead=analyst.pk,
    )
    assert response.status_code == 400
    assert "Choose a lead worker from the list" in response.content.decode()
    assert not Episode.objects.exists()


def test_allocate_service_refuses_a_lead_without_a_care_role(at, assessor, spa):
    at(MORNING)
    services = _catalogue(spa)
    analyst = factories.staff(Role.ANALYST, first_name="Chloe", last_name="Turnbull")
    with pytest.raises(ValidationError) as error:
        actions.allocate_service(
            by=assessor,
            referral=factories.referral(spa=spa),
            service=services[Service.Kind.INTERMEDIATE_CARE_BED],
            start=TODAY,
            lead=analyst,
        )
    assert error.value.message_dict["lead"] == [
        "Choose a lead worker in a care role, not Chloe Turnbull (Analyst)"
    ]
    assert not Episode.objects.exists()


def test_allocate_with_a_care_lead_starts_the_episode(client, at, assessor, spa):
    at(MORNING)
    services = _catalogue(spa)
    referral = factories.referral(spa=spa)
    response = _allocate(
        client,
        assessor,
        referral,
        service=services[Service.Kind.REABLEMENT].pk,
        start="2026-01-14",
        lead=assessor.pk,
    )
    assert response.status_code == 302
    assert Episode.objects.get().lead == assessor


def test_overrunning_episode_says_how_far_past_its_planned_end(client, at, assessor, spa):
    at(datetime_on(date(2026, 2, 14)))
    referral = factories.referral(spa=spa)
    factories.episode(
        referral=referral, start=date(2026, 2, 14), planned_end=date(2026, 4, 11), extended=True
    )
    at(datetime_on(date(2026, 2, 14) + timedelta(weeks=41)))  # week 42
    page = _page(client, assessor, referral)
    assert "week 42, 33 weeks past its planned end on 11 April 2026" in page
    assert "of 8" not in page


def test_episode_within_its_plan_says_which_week_of_how_many(client, at, assessor, spa):
    at(MORNING)
    referral = factories.referral(spa=spa)
    factories.episode(referral=referral, start=TODAY - timedelta(days=8))
    assert "week 2 of 6" in _page(client, assessor, referral)


def test_episodes_ending_lists_an_overrun_plainly(client, at, assessor, spa):
    at(MORNING)
    factories.episode(
        referral=factories.referral(spa=spa), start=TODAY - timedelta(days=45)
    )  # planned end 3 days ago
    client.force_login(assessor)
    text = client.get("/spa/episodes/ending/").content.decode()
    assert "Week 7, 3 days past its planned end" in text
    assert "of 6" not in text


def test_on_its_planned_end_an_episode_is_not_in_week_7(client, at, assessor, spa):
    # "Week 7, planned to end today" for a 6-week episode on its last day read as overrun.
    at(MORNING)
    referral = factories.referral(spa=spa, person=factories.person())
    factories.episode(referral=referral, start=TODAY - timedelta(days=42))
    client.force_login(assessor)
    ending = client.get("/spa/episodes/ending/").content.decode()
    assert "Planned to end today, after 6 weeks" in ending
    assert "planned to end today, after 6 weeks" in _page(client, assessor, referral)
    assert "Week 7" not in ending


def datetime_on(day: date):
    """10am on `day`, London time (in the assessment team's hours)."""
    return MORNING.replace(year=day.year, month=day.month, day=day.day)


def test_a_prefilled_start_date_reads_as_its_hint_does(client, at, assessor, spa):
    at(MORNING)
    _catalogue(spa)
    referral = factories.referral(spa=spa)
    page = _page(client, assessor, referral)
    field = re.search(rf'<input[^>]*name="allocate-{referral.pk}-start"[^>]*>', page).group(0)
    assert f'value="{MORNING:%d/%m/%Y}"' in field
    assert "For example, 14/01/2026" in page and "2026-01-14" not in page


def test_staff_of_another_access_point_may_not_allocate_here(client, at, spa):
    at(MORNING)
    services = _catalogue(spa)
    referral = factories.referral(spa=spa)
    # A social worker at the children's access point: her role allocates, but not here.
    outsider = factories.staff(Role.SOCIAL_WORKER)
    factories.spa(staff=[outsider], kind="families")
    with pytest.raises(PermissionError, match="Only the staff of"):
        actions.allocate_service(
            by=outsider,
            referral=referral,
            service=services[Service.Kind.REABLEMENT],
            start=TODAY,
        )
    assert not actions.allocatable_services(by=outsider, referral=referral).exists()
    assert not Episode.objects.exists()
