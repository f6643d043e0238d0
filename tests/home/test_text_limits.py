"""Free text has a limit, refused by name with how much to cut, and nothing typed is lost:
a pasted document is not stored and printed in every pack and copy."""

from datetime import date, timedelta
from html import unescape

import pytest
from django import forms

from joinedcare.careplans.models import CarePlan
from joinedcare.home.forms import LINE_MAX, TEXT_MAX, NHSForm
from joinedcare.meetings.forms import MinutesForm
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_care_plan_with_a_pasted_document_is_refused_and_kept_on_the_page(
    client, gp_a, person_a, team_a
):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    review = date.today() + timedelta(days=90)
    pasted = ("I want to stay home. " * 5000).strip()  # 104,999 characters
    client.force_login(gp_a)
    answer = client.post(
        f"/care-plans/{person_a.public_id}/agree/",
        {
            "what_matters": pasted,
            "goal_1": "Walk to the shop",
            "key_worker": nurse.pk,
            "contingency": "Call the surgery",
            "review_date_day": review.day,
            "review_date_month": review.month,
            "review_date_year": review.year,
            "given_by": "person",
            "given_by_name": "Ada Lovelace",
            "scopes": ["care_team"],
        },
    )
    page = unescape(answer.content.decode())
    assert (
        f"Shorten “What matters to me” to {TEXT_MAX:,} characters or fewer: it has 104,999" in page
    )
    assert pasted in page  # still in its box, to be cut down
    assert not CarePlan.objects.exists()


class _Story(NHSForm):
    why = forms.CharField(label="Why?", widget=forms.Textarea)
    who = forms.CharField(label="Who")
    name = forms.CharField(label="Given name", max_length=100)


def test_every_text_box_gets_a_limit_and_one_line_a_shorter_one():
    at_limit = _Story({"why": "x" * TEXT_MAX, "who": "y" * LINE_MAX, "name": "z" * 100})
    assert at_limit.is_valid()
    over = _Story({"why": "x" * (TEXT_MAX + 1), "who": "y" * (LINE_MAX + 1), "name": "z" * 350})
    assert not over.is_valid()
    assert over.errors["who"] == [
        f"Shorten “Who” to {LINE_MAX:,} characters or fewer: it has {LINE_MAX + 1:,}"
    ]
    assert "why" in over.errors
    # A field's own limit says so in the same words, not Django's "Ensure this value ...".
    assert over.errors["name"] == ["Shorten “Given name” to 100 characters or fewer: it has 350"]


def test_minutes_may_run_longer_than_a_plan_field():
    minutes = "Discussed and agreed. " * 1000  # 22,000 characters
    assert MinutesForm({"minutes": minutes, "based_on": 0}).is_valid()
