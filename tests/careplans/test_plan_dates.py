"""Dates in a care plan that cannot be meant are refused, naming the field."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from joinedcare.careplans import actions
from joinedcare.careplans.actions import ActionInput, ConsentInput, GoalInput
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _agree(nurse, person, *, review: date, due: date):
    return actions.agree_plan(
        by=nurse,
        person=person,
        what_matters="Staying at home",
        goals=[GoalInput("Walk to the shop")],
        contingency="Call the district nurse",
        review_date=review,
        key_worker=nurse,
        actions=[ActionInput("Fit a rail", due, owner=nurse)],
        consent=ConsentInput("person", "Ada Lovelace", ("care_team",)),
    )


def test_a_review_in_2099_and_an_action_already_overdue_are_refused(team_a, person_a):
    # Both had been accepted: the action showed "Overdue" the moment it was agreed.
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    today = date.today()
    with pytest.raises(ValidationError) as refused:
        _agree(nurse, person_a, review=date(2099, 1, 1), due=date(2020, 2, 1))
    errors = refused.value.message_dict
    assert errors["review_date"] == ["Review date must be within a year: plans are reviewed yearly"]
    assert errors["actions.0.due"] == ["Due date must be today or in the future"]

    version = _agree(nurse, person_a, review=today + timedelta(days=365), due=today)
    assert version.number == 1


def test_an_action_due_in_2099_is_refused_like_the_review(team_a, person_a):
    # It had been accepted: it would never have shown as overdue.
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    today = date.today()
    with pytest.raises(ValidationError) as refused:
        _agree(nurse, person_a, review=today + timedelta(days=90), due=date(2099, 12, 31))
    assert refused.value.message_dict["actions.0.due"] == [
        "Due date must be within a year: the plan is reviewed at least yearly"
    ]
