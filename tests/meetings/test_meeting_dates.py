"""A meeting's date holds in the record: not arranged for a mistyped year, and nothing
recorded as decided at it before its day."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from joinedcare.meetings import actions
from joinedcare.meetings.models import AgendaItem
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_meeting_in_2099_is_refused(gp_a, practice_a):
    with pytest.raises(ValidationError) as refused:
        actions.create_meeting(by=gp_a, level="micro", unit=practice_a, held_on=date(2099, 1, 1))
    assert refused.value.message_dict["held_on"] == [
        "Meeting date must be within a year from today"
    ]


def test_outcomes_wait_for_the_meeting_day(gp_a, practice_a, person_a):
    held_on = date.today() + timedelta(days=3)
    meeting = factories.meeting(chair=gp_a, unit=practice_a, held_on=held_on)
    item = AgendaItem.objects.create(meeting=meeting, person=person_a, reason="r", position=1)
    with pytest.raises(ValidationError) as refused:
        actions.record_no_action(by=gp_a, item=item)
    assert refused.value.message_dict["outcome"] == [
        f"This meeting is on {held_on:%-d %B %Y}: outcomes are recorded from that day"
    ]
    item.refresh_from_db()
    assert item.outcome == ""

    meeting.held_on = date.today()
    meeting.save()
    assert actions.record_no_action(by=gp_a, item=item).outcome == AgendaItem.Outcome.NO_ACTION


def test_the_discussion_page_says_when_outcomes_can_be_recorded(client, gp_a, practice_a, person_a):
    held_on = date.today() + timedelta(days=3)
    meeting = factories.meeting(chair=gp_a, unit=practice_a, held_on=held_on)
    AgendaItem.objects.create(meeting=meeting, person=person_a, reason="r", position=1)
    client.force_login(gp_a)
    page = client.get(f"/meetings/people/{person_a.public_id}/?meeting={meeting.pk}")
    text = page.content.decode()
    assert f"This meeting is on {held_on:%-d %B %Y}: outcomes are recorded from that day" in text
    assert "Refer to the SPA</button>" not in text


def test_the_meetings_care_plan_form_waits_for_its_day(client, gp_a, practice_a, person_a):
    # The form could be filled in whole, then refused on sending.
    held_on = date.today() + timedelta(days=3)
    meeting = factories.meeting(chair=gp_a, unit=practice_a, held_on=held_on)
    AgendaItem.objects.create(meeting=meeting, person=person_a, reason="r", position=1)
    client.force_login(gp_a)
    url = f"/meetings/people/{person_a.public_id}/care-plan/?meeting={meeting.pk}"
    text = client.get(url).content.decode()
    assert f"This meeting is on {held_on:%-d %B %Y}: outcomes are recorded from that day" in text
    assert "<form" not in text.split("<main", 1)[1].split("</main>", 1)[0]
