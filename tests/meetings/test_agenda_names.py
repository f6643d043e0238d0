"""Who sees names on a meeting's agenda and pack: anyone who may see the meeting and whom
the access rule lets see the person (DESIGN: a member of the person's practice team, or
allocated to their care). Everyone else sees a pseudonym and is told why in words."""

from html import escape

import pytest

from joinedcare.audit.models import AuditEvent
from joinedcare.meetings import actions
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(gp, practice_a):
    person = factories.person(practice=practice_a, given_name="Edith", family_name="Piaf")
    meeting = factories.meeting(chair=gp, unit=practice_a)
    actions.add_person(by=gp, meeting=meeting, person=person, reason="Falls at home")
    return meeting, person


@pytest.mark.parametrize("page", ["/meetings/{pk}/", "/meetings/{pk}/pack/"])
def test_team_vawas_nurse_sees_names_at_her_practices_mdt(client, agenda, team_a, page):
    # Her team's practice MDTs had shown her pseudonyms, without a word why, because she
    # was not on the meeting's member list, though DESIGN gives her a relationship.
    meeting, person = agenda
    nurse = factories.staff(Role.VAWAS_NURSE, teams=[team_a])
    client.force_login(nurse)
    text = client.get(page.format(pk=meeting.pk)).content.decode()
    assert "Edith PIAF" in text and "Falls at home" in text
    assert 'id="pseudonymised-why"' not in text
    assert AuditEvent.objects.filter(actor=nurse, person=person).exists()


@pytest.mark.parametrize("page", ["/meetings/{pk}/", "/meetings/{pk}/pack/"])
def test_member_from_another_team_is_told_why_names_are_hidden(client, agenda, team_b, page):
    meeting, person = agenda
    outsider = factories.staff(Role.SOCIAL_WORKER, teams=[team_b])
    meeting.members.create(user=outsider)
    client.force_login(outsider)
    text = client.get(page.format(pk=meeting.pk)).content.decode()
    assert "PIAF" not in text and person.pseudonym[:8].upper() in text
    assert (
        escape(
            "One person on this agenda is shown by a pseudonym because you have no care "
            "relationship with them: you have no care role in the team of their practice "
            f"({person.practice.name}), "
            "and you are not allocated to their referral, episode or care plan. To see names, "
            "ask your administrator to give you a care role in that practice's team if you "
            "work there, or ask to be allocated to the person's care."
        )
        in text
    )


def test_role_without_records_is_told_it_is_the_role(client, agenda, team_a):
    meeting, _ = agenda
    manager = factories.staff(Role.LOCALITY_MANAGER)
    manager.localities.add(team_a.locality)
    meeting.members.create(user=manager)
    client.force_login(manager)
    text = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "PIAF" not in text
    assert "your role does not give access to people&#x27;s records" in text
