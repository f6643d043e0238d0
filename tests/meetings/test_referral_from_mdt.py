"""A referral made at an MDT says so where the SPA reads it, not "phone call or form"."""

import pytest

from joinedcare.meetings import actions
from joinedcare.referrals.models import Referral, SinglePointOfAccess
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_referral_says_it_came_from_the_meeting(client, gp, practice_a):
    SinglePointOfAccess.objects.create(place=practice_a.team.locality.place, name="County SPA")
    person = factories.person(practice=practice_a)
    meeting = factories.meeting(chair=gp, unit=practice_a)
    item = actions.add_person(by=gp, meeting=meeting, person=person, reason="Falls")
    actions.refer_to_spa(
        by=gp,
        item=item,
        reason="Reablement after falls",
        urgency="routine",
        medically_stable=True,
        consent_to_share=True,
    )
    assert Referral.objects.get(person=person).channel == Referral.Channel.MDT
    client.force_login(gp)
    page = client.get(f"/people/{person.public_id}/spa/").content.decode()
    assert ", at an MDT meeting" in page
    assert "phone call or form" not in page
