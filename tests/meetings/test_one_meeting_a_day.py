"""One meeting of a practice (or team, or locality) a day: a second is refused, naming the
first and linking to it, on the form and in the action."""

from datetime import date, timedelta

import pytest

from joinedcare.meetings import actions
from joinedcare.meetings.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db

NEXT_WEEK = date.today() + timedelta(days=7)


def _arrange(client, practice, held_on: date = NEXT_WEEK):
    day = {"held_on_day": held_on.day, "held_on_month": held_on.month, "held_on_year": held_on.year}
    return client.post("/meetings/", {"unit": f"micro:{practice.pk}", **day}, follow=True)


@pytest.fixture
def first(gp, practice_a) -> Meeting:
    return actions.create_meeting(by=gp, level="micro", unit=practice_a, held_on=NEXT_WEEK)


def test_second_practice_mdt_on_the_same_day_is_refused_naming_the_first(
    client, first, nurse, practice_a
):
    client.force_login(nurse)
    response = _arrange(client, practice_a)
    page = response.content.decode()
    assert response.status_code == 200 and Meeting.objects.count() == 1
    assert (
        f"The {first} is already arranged (chaired by {first.chair.get_full_name()}): "
        "use that meeting, or choose another date"
    ) in page
    assert f'<a href="/meetings/{first.pk}/">Go to the {first}</a>' in page
    assert 'href="#id_held_on_day"' in page  # the error summary goes to the date


def test_another_day_or_another_practice_is_arranged(client, first, gp, practice_a, team_a):
    client.force_login(gp)
    assert (
        "Meeting arranged"
        in _arrange(client, practice_a, NEXT_WEEK + timedelta(1)).content.decode()
    )
    neighbour = factories.practice(team=team_a)
    assert "Meeting arranged" in _arrange(client, neighbour).content.decode()
    assert Meeting.objects.count() == 3


def test_create_meeting_refuses_a_second_of_the_unit_that_day(first, gp, practice_a, team_a):
    with pytest.raises(actions.AlreadyArranged) as refused:
        actions.create_meeting(by=gp, level="micro", unit=practice_a, held_on=NEXT_WEEK)
    assert refused.value.meeting == first
    assert "is already arranged" in refused.value.message_dict["held_on"][0]
    # A team MDT that day is another meeting, of another unit.
    actions.create_meeting(by=gp, level="intermediate", unit=team_a, held_on=NEXT_WEEK)
    assert Meeting.objects.count() == 2


def test_refused_by_the_action_the_page_still_names_and_links_the_first(
    client, first, nurse, practice_a, monkeypatch
):
    # Arranged by someone else between the form's check and the save: the action refuses.
    monkeypatch.setattr("joinedcare.meetings.forms.arranged_on", lambda *args: None)
    client.force_login(nurse)
    page = _arrange(client, practice_a).content.decode()
    assert f"The {first} is already arranged" in page
    assert f'<a href="/meetings/{first.pk}/">Go to the {first}</a>' in page
    assert Meeting.objects.count() == 1
