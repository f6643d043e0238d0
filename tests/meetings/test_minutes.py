"""Minutes written by two people at once: the second save never overwrites the first."""

import pytest
from django.core.exceptions import ValidationError

from joinedcare.audit.models import AuditEvent
from joinedcare.meetings import actions
from tests import factories

pytestmark = pytest.mark.django_db

CHANGED = "saved the minutes after you opened this page"


@pytest.fixture
def meeting(gp, nurse, practice_a):
    return factories.meeting(chair=gp, unit=practice_a, members=[nurse])


def _save(client, meeting, text: str, based_on: int):
    return client.post(
        f"/meetings/{meeting.pk}/",
        {"do": "minutes", "minutes-minutes": text, "minutes-based_on": str(based_on)},
        follow=True,
    )


def test_save_minutes_based_on_an_older_version_is_refused(meeting, gp, nurse):
    actions.save_minutes(by=nurse, meeting=meeting, minutes="Nurse: Edith's legs", based_on=0)

    with pytest.raises(ValidationError) as error:
        actions.save_minutes(by=gp, meeting=meeting, minutes="GP: Bob's meds", based_on=0)

    said = str(error.value.message_dict["minutes"])
    # Names who saved in between, as a care plan's clash does.
    assert f"{nurse.get_full_name()} at " in said and CHANGED in said
    meeting.refresh_from_db()
    assert meeting.minutes == "Nurse: Edith's legs" and meeting.minutes_version == 1


def test_save_minutes_same_text_as_saved_is_not_a_conflict(meeting, gp, nurse):
    actions.save_minutes(by=nurse, meeting=meeting, minutes="Agreed actions", based_on=0)
    saved = actions.save_minutes(by=gp, meeting=meeting, minutes="Agreed actions ", based_on=0)
    assert saved.minutes == "Agreed actions" and saved.minutes_version == 1


def test_minutes_page_keeps_both_texts_when_someone_saved_in_between(client, meeting, gp, nurse):
    # Both opened the page at version 0; the nurse saved first.
    client.force_login(nurse)
    _save(client, meeting, "Nurse: dressings weekly", based_on=0)
    client.force_login(gp)

    response = _save(client, meeting, "GP: review medication", based_on=0)

    page = response.content.decode()
    assert response.status_code == 200 and CHANGED in page
    assert "nhsuk-error-summary" in page
    assert "\nGP: review medication</textarea>" in page  # his text is still in the box
    assert "Nurse: dressings weekly" in page  # and hers is shown
    assert 'name="minutes-based_on" value="1"' in page
    meeting.refresh_from_db()
    assert meeting.minutes == "Nurse: dressings weekly"

    # Having seen hers, he adds his and saves again: both are kept.
    both = "Nurse: dressings weekly\nGP: review medication"
    response = _save(client, meeting, both, based_on=1)
    assert "Minutes saved." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == both and meeting.minutes_version == 2


def test_saving_minutes_is_audited(client, meeting, gp):
    client.force_login(gp)
    _save(client, meeting, "Notes", based_on=0)
    event = AuditEvent.objects.get(actor=gp, detail__contains="minutes saved")
    assert event.action == AuditEvent.Action.UPDATE and "Notes" not in event.detail
