"""A care plan reaches voluntary and community sector (VCS) staff only while the person's
agreement to share covers the voluntary sector (`plan_visible_to`), on every page that
can show it; health and social care staff are governed by the access rule alone.

Each test sets what a VCS worker may see against what they may not, so each fails if
the rule is missing."""

from datetime import date, timedelta

import pytest

from joinedcare.audit.models import AuditEvent
from joinedcare.careplans import actions
from joinedcare.careplans.access import WITHHELD_FROM_VCS, PlanWithheld, plan_visible_to
from joinedcare.careplans.actions import ActionInput, ConsentInput, GoalInput
from joinedcare.careplans.models import CarePlan, CarePlanVersion
from joinedcare.meetings import actions as meetings
from joinedcare.organisations.models import Organisation
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

# Words of the plan that appear nowhere else on any page.
WHAT_MATTERS = "Feeding the ducks at Wharton Park"
GOAL = "Paint watercolours with the Tuesday club"
CONTINGENCY = "Ring Mavis next door on 0191 555 0123"
CARERS = "Respite for Derek every other weekend"
ACTION = "Fit a grab rail by the back door"
PLAN_WORDS = (WHAT_MATTERS, GOAL, CONTINGENCY, CARERS, ACTION)

WITH_VCS = ("care_team", "vcs")
WITHOUT_VCS = ("care_team", "carers")
REVIEW = date.today() + timedelta(days=90)


@pytest.fixture(autouse=True)
def no_record_source(settings, tmp_path):
    """The person page reads an extract: never a developer's Demo County one."""
    settings.RECORDS_DIR = tmp_path


@pytest.fixture
def vcs_org(db):
    return factories.organisation(kind=Organisation.Kind.VCS, name="Age UK County Durham")


@pytest.fixture
def vcs_worker(team_a, vcs_org):
    """A member of the person's team: a legitimate relationship with them."""
    return factories.staff(Role.VCS_WORKER, teams=[team_a], organisation_=vcs_org)


@pytest.fixture
def nurse(team_a):
    """A district nurse of a community trust (an NHS organisation) in the same team."""
    return factories.staff(Role.DISTRICT_NURSE, teams=[team_a])


@pytest.fixture
def neighbour(person_a):
    """Another person of the same practice, so the same staff are related to both."""
    return factories.person(practice=person_a.practice, given_name="Bea", family_name="Trice")


def _agree(nurse, person, scopes: tuple[str, ...]) -> CarePlan:
    """The person's plan, agreed by the nurse with the sharing the person chose."""
    version = actions.agree_plan(
        by=nurse,
        person=person,
        what_matters=WHAT_MATTERS,
        goals=[GoalInput(GOAL)],
        contingency=CONTINGENCY,
        carers_needs=CARERS,
        review_date=REVIEW,
        key_worker=nurse,
        actions=[ActionInput(ACTION, date.today() + timedelta(days=7), owner=nurse)],
        consent=ConsentInput("person", "Ada Lovelace", scopes),
    )
    return version.plan


def _mdt(gp, person, *members):
    """A practice MDT with the person on its agenda."""
    meeting = factories.meeting(chair=gp, unit=person.practice, members=members)
    meetings.add_person(by=gp, meeting=meeting, person=person, reason="Falls at home")
    return meeting


# Every page that shows (or showed) plan content, and the status it answers with.
PAGES = {
    "plan": ("/care-plans/{p}/", 200),
    "versions": ("/care-plans/{p}/versions/", 200),
    "person's copy": ("/care-plans/{p}/copy/", 200),
    "person page section": ("/people/{p}/", 200),
    "agree form": ("/care-plans/{p}/agree/", 403),
    "MDT care plan": ("/meetings/people/{p}/care-plan/?meeting={m}", 403),
}


def _get(client, user, page: str, person, meeting) -> tuple[int, str]:
    client.force_login(user)
    url, _ = PAGES[page]
    response = client.get(url.format(p=person.public_id, m=meeting.pk))
    return response.status_code, response.content.decode()


# --- the rule ----------------------------------------------------------------------------


def test_plan_visible_to_vcs_staff_only_while_consent_covers_vcs(
    person_a, person_b, nurse, vcs_worker
):
    shared = _agree(nurse, person_a, WITH_VCS)
    not_shared = factories.care_plan(person=person_b, key_worker=nurse, scopes=WITHOUT_VCS)

    no_organisation = factories.staff(Role.GP)
    no_organisation.organisation = None

    assert plan_visible_to(vcs_worker, shared)
    assert not plan_visible_to(vcs_worker, not_shared)
    assert plan_visible_to(nurse, not_shared)
    assert plan_visible_to(no_organisation, not_shared)

    actions.withdraw_consent(by=nurse, plan=shared, reason="Changed her mind")
    assert not plan_visible_to(vcs_worker, shared)
    assert plan_visible_to(nurse, shared)


# --- pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_vcs_worker_sees_the_plan_only_when_consent_covers_vcs(
    client, page, person_a, neighbour, nurse, vcs_worker, gp_a
):
    _agree(nurse, person_a, WITH_VCS)
    _agree(nurse, neighbour, WITHOUT_VCS)
    meeting = _mdt(gp_a, person_a, vcs_worker)
    meetings.add_person(by=gp_a, meeting=meeting, person=neighbour, reason="Lonely")

    shared_status, shared = _get(client, vcs_worker, page, person_a, meeting)
    status, withheld = _get(client, vcs_worker, page, neighbour, meeting)

    assert shared_status == 200 and WITHHELD_FROM_VCS not in shared
    if page != "person page section":  # the section summarises; the goal is on the plan
        assert GOAL in shared
    assert status == PAGES[page][1]
    assert WITHHELD_FROM_VCS in withheld
    for words in PLAN_WORDS:
        assert words not in withheld, words
    # The record was opened, so the view is audited as usual, with no plan content.
    event = AuditEvent.objects.filter(
        actor=vcs_worker, person=neighbour, action=AuditEvent.Action.VIEW
    ).get()
    assert not any(words in event.detail for words in PLAN_WORDS)


def test_person_page_section_withholds_even_the_plans_summary(client, person_a, nurse, vcs_worker):
    _agree(nurse, person_a, WITHOUT_VCS)
    client.force_login(vcs_worker)

    body = client.get(f"/people/{person_a.public_id}/").content.decode()

    assert WITHHELD_FROM_VCS in body
    assert "Version 1, agreed" not in body and "open action" not in body
    assert "Open the care plan" not in body


def test_versions_page_judges_each_plan_by_its_own_consent(client, person_a, nurse, vcs_worker):
    old = _agree(nurse, person_a, WITHOUT_VCS)
    actions.end_plan(by=nurse, plan=old, reason="Moved to a care home")
    factories.care_plan(person=person_a, key_worker=nurse, scopes=WITH_VCS)
    client.force_login(vcs_worker)

    body = client.get(f"/care-plans/{person_a.public_id}/versions/").content.decode()

    assert "Walk to the shop" in body  # the new plan's goal: shared with the VCS
    assert WITHHELD_FROM_VCS in body
    assert GOAL not in body and "Moved to a care home" not in body


def test_content_disappears_when_consent_is_withdrawn(client, person_a, nurse, vcs_worker):
    plan = _agree(nurse, person_a, WITH_VCS)
    client.force_login(vcs_worker)
    url = f"/care-plans/{person_a.public_id}/"
    assert GOAL in client.get(url).content.decode()

    actions.withdraw_consent(by=nurse, plan=plan, reason="Does not want the charity involved")

    body = client.get(url).content.decode()
    assert WITHHELD_FROM_VCS in body and GOAL not in body


def test_content_disappears_when_new_consent_leaves_out_vcs(client, person_a, nurse, vcs_worker):
    plan = _agree(nurse, person_a, WITH_VCS)
    actions.record_consent(
        by=nurse, plan=plan, consent=ConsentInput("person", "Ada Lovelace", WITHOUT_VCS)
    )
    client.force_login(vcs_worker)

    body = client.get(f"/care-plans/{person_a.public_id}/copy/").content.decode()

    assert WITHHELD_FROM_VCS in body and GOAL not in body


def test_district_nurse_sees_the_plan_the_vcs_worker_may_not(client, person_a, nurse, vcs_worker):
    _agree(nurse, person_a, WITHOUT_VCS)
    for path in ("", "versions/", "copy/"):
        url = f"/care-plans/{person_a.public_id}/{path}"
        client.force_login(nurse)
        as_nurse = client.get(url).content.decode()
        client.force_login(vcs_worker)
        as_vcs = client.get(url).content.decode()

        assert GOAL in as_nurse and WITHHELD_FROM_VCS not in as_nurse, path
        assert GOAL not in as_vcs and WITHHELD_FROM_VCS in as_vcs, path


# --- agreeing ----------------------------------------------------------------------------


def _form(nurse, goal: str) -> dict:
    return {
        "what_matters": "Going to the pub quiz",
        "goal_1": goal,
        "key_worker": nurse.pk,
        "contingency": "Call the surgery",
        "review_date_day": str(REVIEW.day),
        "review_date_month": str(REVIEW.month),
        "review_date_year": str(REVIEW.year),
    }


def test_vcs_worker_cannot_agree_a_plan_they_may_not_read(
    client, person_a, nurse, vcs_worker, gp_a
):
    plan = _agree(nurse, person_a, WITHOUT_VCS)
    meeting = _mdt(gp_a, person_a, vcs_worker)
    client.force_login(vcs_worker)

    for url in (
        f"/care-plans/{person_a.public_id}/agree/",
        f"/meetings/people/{person_a.public_id}/care-plan/?meeting={meeting.pk}",
    ):
        response = client.post(url, _form(nurse, "Win the quiz"))

        assert response.status_code == 403, url
        assert WITHHELD_FROM_VCS in response.content.decode()
    assert list(CarePlanVersion.objects.filter(plan=plan).values_list("number", flat=True)) == [1]
    assert not meeting.items.filter(outcome="care_plan").exists()


def test_agree_plan_action_refuses_vcs_staff_without_vcs_consent(person_a, nurse, vcs_worker):
    plan = _agree(nurse, person_a, WITHOUT_VCS)

    with pytest.raises(PlanWithheld):
        actions.agree_plan(
            by=vcs_worker,
            person=person_a,
            what_matters="Going to the pub quiz",
            goals=[GoalInput("Win the quiz")],
            contingency="Call the surgery",
            review_date=REVIEW,
            key_worker=nurse,
        )

    assert plan.versions.count() == 1
    assert not AuditEvent.objects.filter(
        actor=vcs_worker, action=AuditEvent.Action.CARE_PLAN_AGREED
    ).exists()


def test_vcs_worker_agrees_a_plan_shared_with_vcs_but_not_one_withheld(
    client, person_a, neighbour, nurse, vcs_worker
):
    _agree(nurse, person_a, WITH_VCS)
    withheld = _agree(nurse, neighbour, WITHOUT_VCS)
    client.force_login(vcs_worker)

    shared = client.post(f"/care-plans/{person_a.public_id}/agree/", _form(nurse, "Win"))
    refused = client.post(f"/care-plans/{neighbour.public_id}/agree/", _form(nurse, "Win"))

    assert shared.status_code == 302
    assert CarePlan.objects.current().get(person=person_a).current_version.number == 2
    assert refused.status_code == 403 and withheld.current_version.number == 1


# --- action lists ------------------------------------------------------------------------


def test_vcs_actions_leave_the_lists_when_consent_no_longer_covers_vcs(
    client, person_a, nurse, vcs_worker, vcs_org, team_a
):
    plan = _agree(nurse, person_a, WITH_VCS)
    factories.care_plan_action(plan=plan, owner=vcs_worker, description="Befriending visits")
    factories.care_plan_action(plan=plan, owner_organisation=vcs_org, description="Lunch club")
    client.force_login(vcs_worker)
    before = client.get("/care-plans/my-actions/").content.decode()
    team_before = client.get(f"/care-plans/teams/{team_a.code}/actions/").content.decode()

    # Replaced, not withdrawn: the VCS actions stay open, yet their plan is not shared.
    actions.record_consent(
        by=nurse, plan=plan, consent=ConsentInput("person", "Ada Lovelace", WITHOUT_VCS)
    )
    after = client.get("/care-plans/my-actions/").content.decode()
    team_after = client.get(f"/care-plans/teams/{team_a.code}/actions/").content.decode()

    assert "Befriending visits" in before and "Lunch club" in before
    assert ACTION in team_before
    for words in ("Befriending visits", "Lunch club", ACTION, person_a.display_name):
        assert words not in after and words not in team_after, words


def test_vcs_worker_cannot_close_an_action_or_record_consent_on_a_plan_withheld(
    client, person_a, nurse, vcs_worker
):
    plan = _agree(nurse, person_a, WITHOUT_VCS)
    action = plan.actions.get()
    client.force_login(vcs_worker)

    closed = client.post(f"/care-plans/actions/{action.pk}/", {"do": "done", "note": "done"})
    consent = client.post(
        f"/care-plans/{person_a.public_id}/consent/",
        {"given_by": "person", "given_by_name": "Ada Lovelace", "scopes": ["care_team", "vcs"]},
    )

    assert closed.status_code == 403 and consent.status_code == 403
    action.refresh_from_db()
    assert action.status == "open"
    assert not plan_visible_to(vcs_worker, plan)  # the consent was not widened by them


def test_mdt_pack_and_discussion_withhold_the_plan_summary(
    client, gp_a, person_a, neighbour, nurse, vcs_worker
):
    _agree(nurse, person_a, WITHOUT_VCS)
    _agree(nurse, neighbour, WITH_VCS)
    meeting = _mdt(gp_a, person_a, vcs_worker, nurse)
    meetings.add_person(by=gp_a, meeting=meeting, person=neighbour, reason="Lonely")
    client.force_login(vcs_worker)

    pack = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    discussion = client.get(
        f"/meetings/people/{person_a.public_id}/?meeting={meeting.pk}"
    ).content.decode()

    # One plan withheld, one shared: a pack of both says each as it is.
    assert pack.count(WITHHELD_FROM_VCS) == 1 and "1 open action" in pack
    assert WITHHELD_FROM_VCS in discussion and "key worker" not in discussion.lower()
    client.force_login(nurse)
    assert WITHHELD_FROM_VCS not in client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
