"""Two people editing the same care plan: a colleague's newer version is never silently
undone. The form carries the version it started from; saving over a newer one is refused,
with everything typed kept and the colleague's changes shown by each section."""

import re
from datetime import date, timedelta
from html import unescape

import pytest

from joinedcare.careplans import actions
from joinedcare.careplans.actions import ConsentInput, GoalInput, PlanChanged
from joinedcare.careplans.models import CarePlan, CarePlanVersion
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

REVIEW = date.today() + timedelta(days=90)


@pytest.fixture
def nurse(team_a):
    return factories.staff(
        Role.DISTRICT_NURSE, teams=[team_a], first_name="Joanne", last_name="Reed"
    )


@pytest.fixture
def plan(person_a, nurse):
    """Version 1, as both the nurse and the GP see it when they open the form."""
    return factories.care_plan(person=person_a, key_worker=nurse, review_date=REVIEW)


def _agree(by, person, key_worker, **changes):
    """Agree a version the way the form would, from the version 1 text."""
    fields = {
        "what_matters": "Staying in my own home with my cat",
        "goals": [GoalInput("Walk to the shop", self_care=True)],
        "contingency": "Call the district nurse on 0191 000 0000",
        "review_date": REVIEW,
        "key_worker": key_worker,
        **changes,
    }
    return actions.agree_plan(by=by, person=person, **fields)


def _form(plan, nurse, **changes) -> dict:
    """What the form posts: version 1 as prefilled, with `changes` typed over it."""
    return {
        "based_on": plan.current_version.pk,
        "what_matters": "Staying in my own home with my cat",
        "goal_1": "Walk to the shop",
        "goal_1_self_care": "on",
        "key_worker": nurse.pk,
        "contingency": "Call the district nurse on 0191 000 0000",
        "review_date_day": str(REVIEW.day),
        "review_date_month": str(REVIEW.month),
        "review_date_year": str(REVIEW.year),
        **changes,
    }


def _summary(page: str) -> str:
    return re.search(r'<div class="nhsuk-error-summary".*?</ul>', page, re.S).group(0)


def test_agree_over_a_newer_version_is_refused_and_names_who_changed_what(
    client, gp_a, person_a, nurse, plan
):
    started_from = _form(plan, nurse, contingency="Call 111, then the GP on 0191 111 1111")
    # The nurse saves first, changing what matters (version 2).
    _agree(nurse, person_a, nurse, what_matters="Getting back to the allotment")
    client.force_login(gp_a)

    response = client.post(f"/care-plans/{person_a.public_id}/agree/", started_from)

    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert CarePlan.objects.get().current_version.number == 2  # nothing saved over it
    summary = _summary(page)
    assert "Your changes are not saved yet" in summary
    assert "Joanne Reed agreed version 2 at " in summary
    assert "They changed: What matters to me." in summary
    # The nurse's text is shown by the section, so the GP can merge.
    assert "Version 2, agreed by Joanne Reed, says:" in page
    assert "Getting back to the allotment" in page
    # What the GP typed is all still there.
    assert "Call 111, then the GP on 0191 111 1111</textarea>" in page


def test_agree_after_a_refusal_saves_the_merged_plan_with_both_changes(
    client, gp_a, person_a, nurse, plan
):
    url = f"/care-plans/{person_a.public_id}/agree/"
    gp_change = {"contingency": "Call 111, then the GP on 0191 111 1111"}
    started_from = _form(plan, nurse, **gp_change)
    newer = _agree(nurse, person_a, nurse, what_matters="Getting back to the allotment")
    client.force_login(gp_a)
    page = client.post(url, started_from).content.decode()
    # The form now starts from the nurse's version.
    assert f'name="based_on" value="{newer.pk}"' in page

    merged = _form(plan, nurse, based_on=newer.pk, what_matters=newer.what_matters, **gp_change)
    response = client.post(url, merged)

    assert response.status_code == 302
    current = CarePlan.objects.get().current_version
    assert current.number == 3
    assert current.what_matters == "Getting back to the allotment"
    assert current.contingency == "Call 111, then the GP on 0191 111 1111"


def test_agree_from_the_current_version_saves_and_the_form_carries_it(
    client, gp_a, person_a, nurse, plan
):
    client.force_login(gp_a)
    url = f"/care-plans/{person_a.public_id}/agree/"
    blank = client.get(url).content.decode()
    assert f'name="based_on" value="{plan.current_version.pk}"' in blank

    response = client.post(url, _form(plan, nurse, contingency="Call 111"))

    assert response.status_code == 302
    assert CarePlan.objects.get().current_version.contingency == "Call 111"


def test_agree_plan_over_two_newer_versions_names_both_and_the_sections_changed_since(
    gp_a, person_a, nurse, plan
):
    started_from = plan.current_version.pk
    _agree(nurse, person_a, nurse, what_matters="Getting back to the allotment")
    _agree(gp_a, person_a, nurse, what_matters="Getting back to the allotment", carers_needs="Rest")

    with pytest.raises(PlanChanged) as refused:
        _agree(gp_a, person_a, nurse, contingency="Call 111", based_on=started_from)

    message = refused.value.messages[0]
    assert "Joanne Reed agreed version 2" in message and "then " in message
    assert f"{gp_a.get_full_name()} agreed version 3" in message
    assert refused.value.changed == ["what_matters", "carers_needs"]
    assert CarePlanVersion.objects.count() == 3


def test_agree_plan_first_plan_already_agreed_by_a_colleague_is_refused(gp_a, person_a, nurse):
    consent = ConsentInput("person", "Ada Lovelace", ("care_team",))
    _agree(nurse, person_a, nurse, consent=consent, based_on=0)

    with pytest.raises(PlanChanged) as refused:
        _agree(gp_a, person_a, nurse, consent=consent, what_matters="My garden", based_on=0)

    assert "what_matters" in refused.value.changed
    assert CarePlanVersion.objects.get().what_matters == "Staying in my own home with my cat"


def test_agree_refused_keeps_the_consent_typed_when_a_colleague_recorded_one_meanwhile(
    client, gp_a, person_a, nurse
):
    url = f"/care-plans/{person_a.public_id}/agree/"
    client.force_login(gp_a)
    typed = {
        "based_on": 0,
        "what_matters": "My garden",
        "goal_1": "Sit outside",
        "key_worker": nurse.pk,
        "contingency": "Call 111",
        "review_date_day": str(REVIEW.day),
        "review_date_month": str(REVIEW.month),
        "review_date_year": str(REVIEW.year),
        "given_by": "lpa",
        "given_by_name": "Grace Hopper",
        "scopes": ["care_team", "carers"],
    }
    factories.care_plan(person=person_a, key_worker=nurse)  # the colleague's plan

    page = client.post(url, typed).content.decode()

    assert "Your changes are not saved yet" in page
    assert 'value="Grace Hopper"' in page
    assert re.search(r'<input [^>]*value="carers"[^>]*checked', page)


def test_agree_at_an_mdt_meeting_over_a_newer_version_is_refused_too(
    client, gp_a, person_a, nurse, plan
):
    from joinedcare.meetings import actions as meetings

    meeting = factories.meeting(chair=gp_a, unit=person_a.practice, members=[nurse])
    meetings.add_person(by=gp_a, meeting=meeting, person=person_a, reason="Falls")
    started_from = _form(plan, nurse, contingency="Call 111")
    _agree(nurse, person_a, nurse, what_matters="Getting back to the allotment")
    client.force_login(gp_a)

    response = client.post(
        f"/meetings/people/{person_a.public_id}/care-plan/?meeting={meeting.pk}", started_from
    )

    assert response.status_code == 200
    assert "Your changes are not saved yet" in unescape(response.content.decode())
    assert CarePlan.objects.get().current_version.number == 2


def test_the_same_form_sent_twice_agrees_one_version_and_is_not_called_a_clash(
    client, gp_a, person_a, nurse, plan
):
    client.force_login(gp_a)
    url = f"/care-plans/{person_a.public_id}/agree/"
    assert 'name="once"' in client.get(url).content.decode()
    sent = _form(plan, nurse, contingency="Call Joanne first", once="7" * 32)

    first, second = client.post(url, sent), client.post(url, sent)

    # A double click: one new version, and the second send goes where the first went,
    # not to "someone agreed a newer version" about the user's own first click.
    assert CarePlanVersion.objects.filter(plan=plan).count() == 2
    assert first.status_code == second.status_code == 302 and second.url == first.url
