"""What staff wrote about a person (a reason typed by hand, an escalation's summary, an
outcome's note) reaches only staff who may see the person named: such text names
them or their family, so a pseudonymised entry would not stay pseudonymous."""

import pytest

from joinedcare.meetings import actions
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

WRITTEN = (
    "Her son Marcel rang about the stairs",
    "Marcel cannot visit after the 14th",
    "Discussed with Marcel",
)


@pytest.fixture
def meeting(gp, practice_a, team_b):
    person = factories.person(practice=practice_a, given_name="Edith", family_name="Piaf")
    other = factories.person(practice=practice_a, given_name="Jean", family_name="Gabin")
    meeting = factories.meeting(chair=gp, unit=practice_a)
    outsider = factories.staff(Role.THERAPIST, teams=[team_b])
    meeting.members.create(user=outsider)
    actions.add_person(by=gp, meeting=meeting, person=person, reason=WRITTEN[0])
    item = actions.add_person(by=gp, meeting=meeting, person=other, reason="Falls")
    actions.escalate(by=gp, item=item, kind="patient_flow", summary=WRITTEN[1])
    third = factories.person(practice=practice_a, given_name="Yves", family_name="Montand")
    done = actions.add_person(by=gp, meeting=meeting, person=third, reason="Review")
    actions.record_no_action(by=gp, item=done, note=WRITTEN[2])
    return meeting, outsider


@pytest.mark.parametrize("page", ["/meetings/{pk}/", "/meetings/{pk}/pack/"])
def test_written_text_only_where_the_person_is_named(client, meeting, gp, page):
    meeting, outsider = meeting
    url = page.format(pk=meeting.pk)
    client.force_login(outsider)
    text = client.get(url).content.decode()
    assert "PIAF" not in text
    for written in WRITTEN:
        assert written not in text
    assert "shown only to staff who care for them" in text

    client.force_login(gp)
    text = client.get(url).content.decode()
    assert WRITTEN[0] in text
    if "pack" in url:
        assert WRITTEN[1] in text and WRITTEN[2] in text
