"""What people at an MDT see on the meeting pages' forms: errors that name the field and say
what to do, no silent loss of what they typed, and a message after each change."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from joinedcare.meetings import actions
from joinedcare.meetings import spa as spa_seam
from joinedcare.meetings.models import AgendaItem, Escalation, Meeting
from joinedcare.meetings.views import agenda_built_message
from joinedcare.referrals.models import Referral, SinglePointOfAccess
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def spa(practice_a):
    return SinglePointOfAccess.objects.create(
        place=practice_a.team.locality.place, name="County SPA"
    )


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _arrange(client, practice, held_on: date):
    return client.post(
        "/meetings/",
        {
            "unit": f"micro:{practice.pk}",
            "held_on_day": str(held_on.day),
            "held_on_month": str(held_on.month),
            "held_on_year": str(held_on.year),
        },
        follow=True,
    )


def _add(client, meeting, nhs_number: str, reason: str = "Carer worried"):
    data = {"do": "add", "add-nhs_number": nhs_number, "add-reason": reason}
    return client.post(f"/meetings/{meeting.pk}/", data, follow=True)


def _refer(client, meeting, person, **answers):
    data = {"do": "refer", "refer-reason": "Reablement after a fall", "refer-urgency": "routine"}
    data.update({f"refer-{k}": v for k, v in answers.items()})
    url = f"/meetings/people/{person.public_id}/?meeting={meeting.pk}"
    return client.post(url, data)


# --- arranging a meeting -------------------------------------------------------------------


def test_arrange_a_meeting_in_the_past_is_refused(client, gp, practice_a):
    client.force_login(gp)
    page = _page(_arrange(client, practice_a, date(2020, 1, 1)))
    assert "Meeting date must be today or in the future" in page
    assert 'href="#id_held_on_day"' in page
    assert not Meeting.objects.exists()


def test_arrange_a_meeting_today_is_allowed(client, gp, practice_a):
    client.force_login(gp)
    page = _page(_arrange(client, practice_a, date.today()))
    assert Meeting.objects.get().held_on == date.today()
    assert "Meeting arranged" in page


def test_create_meeting_refuses_a_past_date(gp, practice_a):
    yesterday = date.today() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        actions.create_meeting(by=gp, level="micro", unit=practice_a, held_on=yesterday)
    assert "held_on" in error.value.message_dict


# --- adding someone to the agenda ----------------------------------------------------------


def test_add_to_agenda_with_a_bad_check_digit_says_the_number_is_not_valid(client, gp, meeting):
    client.force_login(gp)
    page = _page(_add(client, meeting, "900 014 7744"))
    assert "This is not a valid NHS number" in page
    assert "No one you may see" not in page


def test_add_to_agenda_without_answers_names_each_field(client, gp, meeting):
    client.force_login(gp)
    page = _page(_add(client, meeting, "", reason=""))
    assert "Enter the NHS number" in page and "Say why they should be discussed" in page
    assert "This field is required" not in page


def test_add_to_agenda_reason_over_300_characters_is_refused_not_cut(
    client, gp, meeting, practice_a
):
    other = factories.person(practice=practice_a)
    client.force_login(gp)
    typed = "x" * 301
    page = _page(_add(client, meeting, other.nhs_number, reason=typed))
    assert "Reason must be 300 characters or fewer" in page
    assert typed in page  # kept in the box to shorten
    assert 'maxlength="300"' not in page  # the browser does not cut a paste short
    assert not meeting.items.filter(person=other).exists()


def test_add_person_refuses_a_reason_over_300_characters(gp, meeting, practice_a):
    other = factories.person(practice=practice_a)
    with pytest.raises(ValidationError) as error:
        actions.add_person(by=gp, meeting=meeting, person=other, reason="x" * 301)
    assert "reason" in error.value.message_dict
    assert not meeting.items.filter(person=other).exists()


def test_add_to_agenda_says_where_the_person_is_and_goes_there(client, gp, meeting, practice_a):
    for _ in range(3):
        person = factories.person(practice=practice_a)
        actions.add_person(by=gp, meeting=meeting, person=person, reason="On the list")
    other = factories.person(practice=practice_a)
    client.force_login(gp)
    response = _add(client, meeting, other.nhs_number)
    item = meeting.items.get(person=other)
    assert response.redirect_chain[-1][0] == f"/meetings/{meeting.pk}/#item-{item.pk}"
    page = _page(response)
    assert "Added to the agenda as item 5." in page
    assert f'id="item-{item.pk}"' in page


# --- building the agenda, attendance ---------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "escalations", "message"),
    [
        (0, 0, "Agenda built: no one new."),
        (1, 0, "Agenda built: 1 new person."),
        (3, 0, "Agenda built: 3 new people."),
        (2, 1, "Agenda built: 2 new people and 1 escalation."),
        (0, 2, "Agenda built: 2 escalations."),
    ],
)
def test_agenda_built_message_counts_people_and_escalations(people, escalations, message):
    new = [AgendaItem(person_id=1) for _ in range(people)]
    new += [AgendaItem(person_id=1, escalation_id=9) for _ in range(escalations)]
    assert agenda_built_message(new) == message


def test_build_agenda_says_how_many_new_people(client, gp, meeting, practice_a, publish):
    publish([(factories.person(practice=practice_a), 0.9)])
    client.force_login(gp)
    page = _page(client.post(f"/meetings/{meeting.pk}/", {"do": "build"}, follow=True))
    assert "Agenda built: 1 new person." in page and "item(s)" not in page


def test_save_attendance_says_it_was_saved(client, gp, nurse, meeting):
    client.force_login(gp)
    data = {"do": "attendance", "attended": [gp.pk]}
    page = _page(client.post(f"/meetings/{meeting.pk}/", data, follow=True))
    assert "Attendance saved." in page
    assert meeting.members.get(user=gp).attended is True


# --- referring to the SPA from the meeting ---------------------------------------------------


@pytest.fixture
def vawas_nurse(team_a, meeting):
    """The practice MDT's VAWAS nurse (seed 000, Appendix 2), a member of the meeting."""
    nurse = factories.staff(
        Role.VAWAS_NURSE, teams=[team_a], first_name="Karen", last_name="Dobson"
    )
    meeting.members.create(user=nurse)
    return nurse


@pytest.mark.parametrize("role", [Role.VAWAS_NURSE, Role.DISTRICT_NURSE])
def test_mdt_nurse_is_offered_the_referral_form(client, team_a, meeting, edith, spa, role):
    # "Your role does not make referrals to the Single Point of Access" had met the
    # practice MDT's own nurses.
    nurse = factories.staff(role, teams=[team_a])
    meeting.members.create(user=nurse)
    client.force_login(nurse)
    page = _page(client.get(f"/meetings/people/{edith.public_id}/?meeting={meeting.pk}"))
    assert 'value="refer"' in page and "Refer to the SPA</button>" in page
    assert "Your role does not make referrals" not in page


def test_trusted_assessor_at_an_mdt_still_refers(client, team_a, meeting, edith, spa):
    # The TAP MDT's trusted assessor takes the SPA's own referrals: narrowing referral
    # from meetings to REFER_FROM_MDT had taken the button away from them.
    assessor = factories.staff(Role.ASSESSOR, teams=[team_a])
    meeting.members.create(user=assessor)
    client.force_login(assessor)
    page = _page(client.get(f"/meetings/people/{edith.public_id}/?meeting={meeting.pk}"))
    assert 'value="refer"' in page and "Your role does not make referrals" not in page


def test_mdt_nurse_is_named_among_those_who_refer(client, vcs_worker, meeting, edith, gp):
    meeting.members.create(user=vcs_worker)
    client.force_login(vcs_worker)
    page = _page(client.get(f"/meetings/people/{edith.public_id}/?meeting={meeting.pk}"))
    nurse = meeting.members.get(user__role=Role.DISTRICT_NURSE).user
    first, second = sorted([gp, nurse], key=lambda u: (u.last_name, u.first_name))
    assert 'value="refer"' not in page
    assert f"ask {first.get_full_name()} or {second.get_full_name()} to make one" in page


def test_mdt_nurses_do_not_gain_the_spas_intake(client, vawas_nurse, spa):
    # Referring from the meeting is not taking the SPA's calls: no intake form for her.
    spa.staff.add(vawas_nurse)
    client.force_login(vawas_nurse)
    assert client.get("/spa/referrals/new/").status_code == 403


@pytest.mark.parametrize(
    ("role", "source"),
    [
        (Role.GP, "gp"),
        (Role.DISTRICT_NURSE, "community_nursing"),
        (Role.VAWAS_NURSE, "community_nursing"),
        (Role.SOCIAL_WORKER, "social_care"),
        (Role.VCS_WORKER, "vcs"),
    ],
)
def test_mdt_referrer_is_recorded_with_a_source_and_their_role(role, source):
    # A nurse's referral reads "Karen Dobson, VAWAS nurse (Community nursing, Practice MDT
    # of ...)": where it came from, and whom the SPA calls back.
    user = factories.staff(role, first_name="Karen", last_name="Dobson")
    assert spa_seam.referrer(user) == (source, f"Karen Dobson, {user.role_label()}")


def test_vawas_nurse_refers_from_the_meeting(client, vawas_nurse, meeting, edith, spa):
    client.force_login(vawas_nurse)
    response = _refer(client, meeting, edith, medically_stable="yes", consent_to_share="yes")
    assert response.status_code == 302, response.content.decode()
    referral = Referral.objects.get(person=edith)
    assert referral.channel == Referral.Channel.MDT
    assert referral.get_referrer_source_display() == "Community nursing"
    assert referral.referrer_name == "Karen Dobson, VAWAS nurse"
    assert referral.referrer_organisation == str(meeting)


def test_vcs_worker_refused_a_referral_sees_the_form_again_with_her_text(
    client, vcs_worker, meeting, edith, spa
):
    meeting.members.create(user=vcs_worker)
    client.force_login(vcs_worker)
    response = _refer(client, meeting, edith, medically_stable="yes", consent_to_share="yes")
    page = _page(response)
    assert "Your role does not make referrals to the Single Point of Access" in page
    assert "Reablement after a fall" in page
    assert not Referral.objects.exists()
    assert meeting.items.get().outcome == ""


def test_mdt_referral_unanswered_questions_are_errors_not_no(client, gp, meeting, edith, spa):
    client.force_login(gp)
    page = _page(_refer(client, meeting, edith))
    assert "Answer yes or no: is the person medically stable?" in page
    assert "Answer yes or no: has the person agreed to share their information?" in page
    assert not Referral.objects.exists()


def test_mdt_referral_records_the_answers_given(client, gp, meeting, edith, spa):
    client.force_login(gp)
    response = _refer(client, meeting, edith, medically_stable="no", consent_to_share="yes")
    assert response.status_code == 302
    referral = Referral.objects.get(person=edith)
    assert referral.medically_stable is False and referral.consent_to_share is True


def test_mdt_referral_and_issue_choices_start_blank(client, gp, meeting, edith, spa):
    # Submitted untouched, the referral had been "Immediate (within 2 hours)".
    client.force_login(gp)
    page = _page(client.get(f"/meetings/people/{edith.public_id}/?meeting={meeting.pk}"))
    assert '<option value="" selected>Choose the urgency</option>' in page
    assert '<option value="" selected>Choose the kind of issue</option>' in page
    refused = _page(
        _refer(client, meeting, edith, urgency="", medically_stable="yes", consent_to_share="yes")
    )
    assert "Choose the urgency" in refused and not Referral.objects.exists()


# --- escalations -----------------------------------------------------------------------------


@pytest.fixture
def escalation(gp, meeting) -> Escalation:
    item = meeting.items.get()
    actions.escalate(by=gp, item=item, kind="support", summary="Carer breakdown risk")
    item.refresh_from_db()
    return item.escalation_raised


def test_escalation_answer_missing_has_its_own_message_in_an_error_summary(
    client, tap_lead, escalation
):
    client.force_login(tap_lead)
    url = f"/meetings/escalations/{escalation.pk}/"
    page = _page(client.post(url, {"do": "answer", "answer-answer": ""}))
    assert "nhsuk-error-summary" in page and 'href="#id_answer-answer"' in page
    assert "Write the answer to send back" in page and "This field is required" not in page


def test_escalation_answer_says_where_it_went(client, tap_lead, escalation):
    client.force_login(tap_lead)
    url = f"/meetings/escalations/{escalation.pk}/"
    answer = {"do": "answer", "answer-answer": "Social worker allocated"}
    page = _page(client.post(url, answer, follow=True))
    assert "Answer sent back to the Practice MDT." in page


def test_escalation_close_says_it_closed(client, tap_lead, escalation):
    client.force_login(tap_lead)
    url = f"/meetings/escalations/{escalation.pk}/"
    page = _page(client.post(url, {"do": "close"}, follow=True))
    assert "Escalation closed." in page
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.CLOSED


def test_escalating_further_needs_a_reason_named_by_its_question(client, tap_lead, escalation):
    client.force_login(tap_lead)
    url = f"/meetings/escalations/{escalation.pk}/"
    page = _page(client.post(url, {"do": "further", "further-note": ""}))
    assert "Say why it goes further up" in page and "Note:" not in page


def test_no_member_who_refers_names_the_roles_that_do(client, vcs_worker, practice_a, edith):
    meeting = factories.meeting(chair=vcs_worker, unit=practice_a)
    actions.add_person(by=vcs_worker, meeting=meeting, person=edith, reason="Lonely")
    client.force_login(vcs_worker)
    page = _page(client.get(f"/meetings/people/{edith.public_id}/?meeting={meeting.pk}"))
    assert (
        "ask someone whose role refers from the meeting (a GP, a district nurse, "
        "a VAWAS nurse, a social worker, an SPA coordinator or a trusted assessor) to make one"
    ) in page
