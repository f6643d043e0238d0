"""Meeting and care plan pages through the Django client: forms, errors, the pack."""

from datetime import date, timedelta

import pytest

from joinedcare.audit.models import AuditEvent
from joinedcare.careplans.models import CarePlan
from joinedcare.meetings import actions
from joinedcare.meetings.models import AgendaItem, Meeting
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _date(name: str, day: date) -> dict[str, str]:
    """A date as the day, month and year boxes post it."""
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


@pytest.fixture
def agenda(gp, nurse, practice_a, publish):
    person = factories.person(practice=practice_a, given_name="Edith", family_name="Piaf")
    publish([(person, 0.8)])
    meeting = factories.meeting(chair=gp, unit=practice_a, members=[nurse])
    actions.build_agenda(by=gp, meeting=meeting)
    return meeting, person


def test_arrange_a_meeting(client, gp, practice_a, nurse):
    client.force_login(gp)
    held_on = date.today() + timedelta(days=7)
    response = client.post(
        "/meetings/",
        {
            "unit": f"micro:{practice_a.pk}",
            **_date("held_on", held_on),
            "members": [nurse.pk],
        },
        follow=True,
    )
    meeting = Meeting.objects.get()
    assert response.redirect_chain[-1][0] == f"/meetings/{meeting.pk}/"
    assert "Meeting arranged: Practice MDT of" in response.content.decode()
    assert meeting.held_on == held_on
    assert set(meeting.members.values_list("user", flat=True)) == {gp.pk, nurse.pk}


def test_a_meeting_arranged_by_a_double_click_is_arranged_once(client, gp, practice_a):
    client.force_login(gp)
    assert 'name="once"' in client.get("/meetings/").content.decode()
    sent = {
        "unit": f"micro:{practice_a.pk}",
        **_date("held_on", date.today() + timedelta(days=7)),
        "once": "5" * 32,
    }
    first, second = client.post("/meetings/", sent), client.post("/meetings/", sent)
    assert Meeting.objects.count() == 1
    assert second.status_code == 302 and second.url == first.url


def test_arrange_a_meeting_names_missing_fields(client, gp):
    client.force_login(gp)
    response = client.post("/meetings/", {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required" not in page
    assert "Choose the practice, team or locality the meeting is of" in page
    assert "Enter the meeting date" in response.content.decode()
    assert not Meeting.objects.exists()


def test_arrange_a_meeting_partial_date_names_what_is_missing(client, gp, practice_a):
    client.force_login(gp)
    typed = {"held_on_day": "1", "held_on_month": "", "held_on_year": "2026"}
    response = client.post("/meetings/", {"unit": f"micro:{practice_a.pk}", **typed})
    page = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "Meeting date must include a month" in page
    assert 'name="held_on_year" value="2026"' in page
    assert 'href="#id_held_on_month"' in page


def test_arrange_a_meeting_impossible_date(client, gp, practice_a):
    client.force_login(gp)
    typed = {"held_on_day": "30", "held_on_month": "2", "held_on_year": "2026"}
    response = client.post("/meetings/", {"unit": f"micro:{practice_a.pk}", **typed})
    page = response.content.decode()
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "Meeting date must be a real date" in page
    assert 'name="held_on_day" value="30"' in page


def test_meeting_page_shows_names_to_members_with_a_relationship(client, agenda, gp):
    meeting, _ = agenda
    client.force_login(gp)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Edith PIAF" in page and "New in the practice" in page
    # Opening the page is a view: the person's audit trail must not say the GP put them
    # on the agenda.
    viewed = AuditEvent.objects.filter(actor=gp, detail=f"meeting {meeting.pk} agenda viewed")
    assert viewed.exists()
    assert {e.get_action_display() for e in viewed} == {"Shown on an MDT agenda"}


def test_meeting_page_pseudonymises_for_others(client, agenda, team_a):
    meeting, person = agenda
    manager = factories.staff(Role.LOCALITY_MANAGER)
    manager.localities.add(team_a.locality)
    client.force_login(manager)
    # Not a practice meeting of theirs: refused.
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 403
    meeting.members.create(user=manager)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "PIAF" not in page and person.pseudonym[:8].upper() in page


def test_pack_is_identifiable_for_members_and_audited(client, agenda, gp):
    meeting, person = agenda
    client.force_login(gp)
    page = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert "Edith PIAF" in page and person.formatted_nhs_number in page
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MEETING_PACK_VIEWED, person=person, actor=gp
    ).exists()


def test_pack_is_pseudonymised_for_a_member_without_a_relationship(client, agenda, team_b):
    meeting, person = agenda
    outsider = factories.staff(Role.SOCIAL_WORKER, teams=[team_b])
    meeting.members.create(user=outsider)
    client.force_login(outsider)
    page = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert "PIAF" not in page and person.nhs_number not in page
    assert person.formatted_nhs_number not in page and "pseudonymised" in page
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.MEETING_PACK_VIEWED, person=person
    ).exists()


def test_pack_pdf(client, agenda, gp):
    meeting, _ = agenda
    client.force_login(gp)
    response = client.get(f"/meetings/{meeting.pk}/pack.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_discussion_outcome_no_action(client, agenda, gp):
    meeting, person = agenda
    client.force_login(gp)
    url = f"/meetings/people/{person.public_id}/?meeting={meeting.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"do": "no_action", "no-note": "Stable"})
    assert response.status_code == 302
    assert AgendaItem.objects.get().outcome == "no_action"


def test_discussion_escalate_needs_a_summary(client, agenda, gp):
    meeting, person = agenda
    client.force_login(gp)
    url = f"/meetings/people/{person.public_id}/?meeting={meeting.pk}"
    response = client.post(url, {"do": "escalate", "escalate-kind": "support"})
    assert response.status_code == 200
    assert AgendaItem.objects.get().outcome == ""


def test_agree_care_plan_at_the_meeting(client, agenda, gp, nurse):
    meeting, person = agenda
    client.force_login(gp)
    url = f"/meetings/people/{person.public_id}/care-plan/?meeting={meeting.pk}"
    assert client.get(url).status_code == 200
    due = date.today() + timedelta(days=14)
    response = client.post(
        url,
        {
            "what_matters": "Singing in the choir",
            "goal_1": "Get to choir practice",
            "goal_1_self_care": "on",
            "action_1": "Dressing check",
            "action_1_owner": f"user:{nurse.pk}",
            **_date("action_1_due", due),
            "key_worker": nurse.pk,
            "contingency": "Call the surgery",
            **_date("review_date", date.today() + timedelta(days=90)),
            "given_by": "person",
            "given_by_name": "Edith Piaf",
            "scopes": ["care_team"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = CarePlan.objects.get(person=person)
    assert plan.actions.get().owner == nurse and plan.actions.get().due == due
    assert plan.current_version.review_date == date.today() + timedelta(days=90)
    assert AgendaItem.objects.get().outcome == "care_plan"


def test_care_plan_form_shows_action_errors_on_the_action(client, agenda, gp, vcs_worker):
    meeting, person = agenda
    client.force_login(gp)
    url = f"/meetings/people/{person.public_id}/care-plan/?meeting={meeting.pk}"
    response = client.post(
        url,
        {
            "what_matters": "Singing",
            "goal_1": "Choir",
            "action_1": "Befriending",
            "action_1_owner": f"user:{vcs_worker.pk}",
            **_date("action_1_due", date.today()),
            "key_worker": gp.pk,
            "contingency": "Call the surgery",
            **_date("review_date", date.today() + timedelta(days=90)),
            "given_by": "person",
            "given_by_name": "Edith Piaf",
            "scopes": ["care_team"],
        },
    )
    assert response.status_code == 200
    assert "Action 1: owner: The person has not agreed" in response.content.decode()
    assert not CarePlan.objects.exists()


def test_care_plan_pages_and_the_persons_copy(client, gp, nurse, practice_a):
    person = factories.person(practice=practice_a)
    plan = factories.care_plan(person=person, key_worker=nurse)
    factories.care_plan_action(plan=plan, owner=nurse, due=date.today() - timedelta(days=2))
    client.force_login(gp)
    assert b"Overdue" in client.get(f"/care-plans/{person.public_id}/").content
    copy = client.get(f"/care-plans/{person.public_id}/copy/").content.decode()
    assert "What matters to me" in copy and "If things get worse" in copy
    assert "copy.css" in copy
    assert client.get(f"/care-plans/{person.public_id}/versions/").status_code == 200
    assert client.get(f"/care-plans/{person.public_id}/consent/").status_code == 200


def test_my_actions_lists_owned_and_claimable_actions(client, nurse, gp, practice_a, team_a):
    person = factories.person(practice=practice_a, family_name="Owned")
    plan = factories.care_plan(person=person, key_worker=gp)
    mine = factories.care_plan_action(plan=plan, owner=nurse, description="Leg ulcer dressing")
    factories.care_plan_action(plan=plan, owner_team=team_a, description="Bath board")
    client.force_login(nurse)
    page = client.get("/care-plans/my-actions/").content.decode()
    assert "Leg ulcer dressing" in page and "Bath board" in page and "OWNED" in page

    client.post(f"/care-plans/actions/{mine.pk}/", {"do": "done"})
    mine.refresh_from_db()
    assert mine.status == "done"


def test_team_actions_for_members_only(client, nurse, team_a, team_b):
    client.force_login(nurse)
    assert client.get(f"/care-plans/teams/{team_a.code}/actions/").status_code == 200
    assert client.get(f"/care-plans/teams/{team_b.code}/actions/").status_code == 403


def test_escalation_pages(client, agenda, gp, tap_lead):
    meeting, _ = agenda
    item = meeting.items.get()
    actions.escalate(by=gp, item=item, kind="support", summary="Carer breakdown risk")
    client.force_login(tap_lead)
    listing = client.get("/meetings/escalations/").content.decode()
    assert "Carer breakdown risk" in listing and "Edith PIAF" in listing
    item.refresh_from_db()
    url = f"/meetings/escalations/{item.escalation_raised_id}/"
    response = client.post(url, {"do": "answer", "answer-answer": "Social worker allocated"})
    assert response.status_code == 302
    assert "Answered and sent back" in client.get(url).content.decode()
