"""Every error on the care plan form shows in one round, on its field and in the error
summary, each naming its field and linking to something on the page."""

import re
from datetime import date, timedelta
from html import unescape

import pytest

from joinedcare.careplans.models import CarePlan
from joinedcare.organisations.models import Organisation
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

YESTERDAY = date.today() - timedelta(days=1)
DUE = date.today() + timedelta(days=14)


@pytest.fixture
def nurse(team_a):
    return factories.staff(Role.DISTRICT_NURSE, teams=[team_a])


@pytest.fixture
def vcs_worker(team_a):
    org = factories.organisation(kind=Organisation.Kind.VCS)
    return factories.staff(Role.VCS_WORKER, teams=[team_a], organisation_=org)


@pytest.fixture
def post(client, gp_a, person_a):
    client.force_login(gp_a)
    url = f"/care-plans/{person_a.public_id}/agree/"
    return lambda data: unescape(client.post(url, data).content.decode())


def _date(name: str, day: date) -> dict[str, str]:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def _summary_links(page: str) -> dict[str, str]:
    """Each line of the error summary and where its link goes."""
    summary = re.search(r'<div class="nhsuk-error-summary".*?</ul>', page, re.S).group(0)
    return dict(
        (text.strip(), href)
        for href, text in re.findall(r'<a href="#([^"]*)">(.*?)</a>', summary, re.S)
    )


def test_agree_shows_row_date_and_consent_errors_in_one_round(post, nurse):
    page = post(
        {
            "what_matters": "Singing in the choir",
            "goal_1": "Get to choir practice",
            "action_1": "Dressing check",  # no owner
            **_date("action_1_due", DUE),
            "key_worker": nurse.pk,
            "contingency": "Call the surgery",
            **_date("review_date", YESTERDAY),
            "given_by": "",
            "given_by_name": "",
            "scopes": ["carers"],
        }
    )

    links = _summary_links(page)
    assert links == {
        "Choose who will do action 1": "id_action_1_owner",
        "Review date must be today or in the future": "id_review_date_day",
        "Who agreed to the plan and its sharing: Say who agreed": "id_given_by",
        "Their name: Write the name of whoever agreed": "id_given_by_name",
        "They agreed to share the plan with: A shared care plan needs agreement to share"
        " with the care team": "id_scopes_0",
    }
    for target in links.values():
        assert f'id="{target}"' in page  # every link lands on the page
    assert not CarePlan.objects.exists()


def test_agree_shows_field_errors_and_the_actions_checks_together(post, nurse, vcs_worker):
    page = post(
        {
            "what_matters": "",  # the form's own check
            "goal_1": "Get to choir practice",
            "action_1": "Befriending",  # the action's check: no voluntary sector consent
            "action_1_owner": f"user:{vcs_worker.pk}",
            **_date("action_1_due", DUE),
            "key_worker": nurse.pk,
            "contingency": "Call the surgery",
            **_date("review_date", YESTERDAY),  # the action's check
            "given_by": "person",
            "given_by_name": "Edith Piaf",
            "scopes": ["care_team"],
        }
    )

    assert set(_summary_links(page)) == {
        "Write what matters to the person, in their words",
        "Action 1: owner: The person has not agreed to share their plan with the voluntary sector",
        "Review date must be today or in the future",
    }
    assert not CarePlan.objects.exists()


def test_agree_blank_review_date_is_not_also_said_to_be_in_the_past(post, nurse):
    page = post({"what_matters": "Singing", "key_worker": nurse.pk})

    assert "Enter the review date" in page
    assert "must be today or in the future" not in page
    assert "Write at least one of the person's goals" in page  # shown in the same round


def test_consent_page_summary_links_to_the_first_sharing_box(client, gp_a, person_a, nurse):
    factories.care_plan(person=person_a, key_worker=nurse)
    client.force_login(gp_a)

    page = client.post(
        f"/care-plans/{person_a.public_id}/consent/",
        {"given_by": "person", "given_by_name": "Ada", "scopes": ["carers"]},
    ).content.decode()

    assert 'href="#id_scopes_0"' in page and 'href="#"' not in page
    assert re.search(r'<input [^>]*id="id_scopes_0"', page)
    assert 'aria-describedby="id_scopes-error"' in page and 'id="id_scopes-error"' in page
