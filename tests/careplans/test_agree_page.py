"""The care plan form's dates as day, month and year boxes (the NHS.UK date input),
through the Django client: what is saved, and what comes back when a date is wrong."""

import re
from datetime import date, timedelta

import pytest

from joinedcare.careplans.models import CarePlan
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

REVIEW = date.today() + timedelta(days=90)
DUE = date.today() + timedelta(days=14)


def _date(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def _plan(nurse, **dates) -> dict:
    return {
        "what_matters": "Singing in the choir",
        "goal_1": "Get to choir practice",
        "action_1": "Dressing check",
        "action_1_owner": f"user:{nurse.pk}",
        "key_worker": nurse.pk,
        "contingency": "Call the surgery",
        "given_by": "person",
        "given_by_name": "Ada Lovelace",
        "scopes": ["care_team"],
        **_date("review_date", REVIEW),
        **_date("action_1_due", DUE),
        **dates,
    }


@pytest.fixture
def nurse(team_a):
    return factories.staff(Role.DISTRICT_NURSE, teams=[team_a])


@pytest.fixture
def agree(client, gp_a, person_a):
    client.force_login(gp_a)
    url = f"/care-plans/{person_a.public_id}/agree/"
    return lambda data: client.post(url, data)


def _box(page: str, id_: str) -> str:
    return re.search(rf'<input [^>]*id="{id_}"[^>]*>', page).group(0)


def test_agree_saves_the_dates_typed_as_day_month_and_year(agree, person_a, nurse):
    response = agree(_plan(nurse))

    assert response.status_code == 302
    plan = CarePlan.objects.get(person=person_a)
    assert plan.current_version.review_date == REVIEW
    # Actions 2 and 3 were left blank, due dates and all: only action 1 is made.
    assert [a.due for a in plan.actions.all()] == [DUE]


def test_agree_accepts_leading_zeros_and_spaces(agree, person_a, nurse):
    review = date.today() + timedelta(days=30)
    typed = {
        "review_date_day": f" {review.day:02}",
        "review_date_month": f"{review.month:02} ",
        "review_date_year": str(review.year),
    }

    assert agree(_plan(nurse, **typed)).status_code == 302
    assert CarePlan.objects.get(person=person_a).current_version.review_date == review


def test_agree_partial_date_names_what_is_missing_and_keeps_what_was_typed(agree, nurse):
    response = agree(_plan(nurse, review_date_month="", action_1_due_year=""))

    page = response.content.decode()
    assert response.status_code == 200 and not CarePlan.objects.exists()
    assert "Review date must include a month" in page
    assert "Action 1: due date must include a year" in page
    assert f'value="{REVIEW.day}"' in _box(page, "id_review_date_day")
    assert f'value="{REVIEW.year}"' in _box(page, "id_review_date_year")
    # Only the missing box is highlighted, and the summary links to it.
    assert "nhsuk-input--error" in _box(page, "id_review_date_month")
    assert "nhsuk-input--error" not in _box(page, "id_review_date_day")
    assert 'href="#id_review_date_month"' in page
    assert "Review date: Review date" not in page  # the summary says the label once


def test_agree_impossible_date_is_not_a_real_date(agree, nurse):
    impossible = {"review_date_day": "31", "review_date_month": "2", "review_date_year": "2099"}

    response = agree(_plan(nurse, **impossible))

    page = response.content.decode()
    assert response.status_code == 200 and not CarePlan.objects.exists()
    assert "Review date must be a real date" in page
    assert 'value="31"' in _box(page, "id_review_date_day")
    for part in ("day", "month", "year"):
        assert "nhsuk-input--error" in _box(page, f"id_review_date_{part}")


def test_agree_blank_review_date_asks_for_it(agree, nurse):
    blank = {"review_date_day": "", "review_date_month": "", "review_date_year": ""}

    response = agree(_plan(nurse, **blank))

    assert "Enter the review date" in response.content.decode()
    assert not CarePlan.objects.exists()


def test_agree_review_date_in_the_past_is_still_refused_by_the_action(agree, nurse):
    response = agree(_plan(nurse, **_date("review_date", date.today() - timedelta(days=1))))

    page = response.content.decode()
    assert "Review date must be today or in the future" in page
    assert "nhsuk-input--error" in _box(page, "id_review_date_year")
    assert not CarePlan.objects.exists()


def test_agree_wrong_due_date_says_so_once(agree, nurse):
    response = agree(_plan(nurse, action_1_due_day="32"))

    page = response.content.decode()
    assert "Action 1: due date must be a real date" in page
    assert "Give each action what, who and when" not in page
    assert not CarePlan.objects.exists()


def test_agree_form_shows_the_date_input_pattern(client, gp_a, person_a):
    client.force_login(gp_a)

    page = client.get(f"/care-plans/{person_a.public_id}/agree/").content.decode()

    assert 'type="date"' not in page
    assert '<legend class="nhsuk-fieldset__legend">Review date</legend>' in page
    assert 'aria-describedby="id_review_date-hint"' in page
    assert "For example, 27 3 2027" in page
    day = _box(page, "id_review_date_day")
    assert 'inputmode="numeric"' in day and "nhsuk-input--width-2" in day
    assert "nhsuk-input--width-4" in _box(page, "id_review_date_year")
    default = date.today() + timedelta(days=90)
    assert f'value="{default.month}"' in _box(page, "id_review_date_month")


def test_agree_again_shows_the_current_review_date_as_day_month_and_year(
    client, gp_a, person_a, nurse
):
    factories.care_plan(person=person_a, key_worker=nurse, review_date=date(2099, 4, 5))
    client.force_login(gp_a)

    page = client.get(f"/care-plans/{person_a.public_id}/agree/").content.decode()

    assert 'value="5"' in _box(page, "id_review_date_day")
    assert 'value="4"' in _box(page, "id_review_date_month")
    assert 'value="2099"' in _box(page, "id_review_date_year")
