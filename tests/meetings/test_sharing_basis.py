"""Referring to the SPA from an MDT when the person has not agreed to share: the meeting
says on what basis, or nothing is referred and the outcome stays open."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError

from joinedcare.meetings import actions
from joinedcare.referrals.models import Referral
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def coordinator(db):
    return factories.staff(Role.SPA_COORDINATOR)


@pytest.fixture
def spa(practice_a, coordinator):
    return factories.spa(
        place=practice_a.team.locality.place, name="County SPA", staff=[coordinator]
    )


def _refer(client, meeting, person, **answers):
    data = {"do": "refer", "refer-reason": "Reablement after a fall", "refer-urgency": "routine"}
    data.update({f"refer-{k}": v for k, v in answers.items()})
    return client.post(f"/meetings/people/{person.public_id}/?meeting={meeting.pk}", data)


def test_mdt_referral_no_without_basis_is_refused_naming_the_fields(
    client, gp, meeting, edith, spa
):
    client.force_login(gp)
    before = Referral.objects.count()
    response = _refer(client, meeting, edith, medically_stable="yes", consent_to_share="no")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_refer-sharing_basis_0">Say why the referral goes ahead' in page
    assert 'href="#id_refer-sharing_note">Explain the decision to refer' in page
    assert "Reablement after a fall" in page  # what was typed stays
    assert Referral.objects.count() == before
    assert meeting.items.get().outcome == ""


def test_mdt_referral_no_with_basis_is_referred_and_the_spa_and_the_pack_say_why(
    client, gp, coordinator, meeting, edith, spa
):
    client.force_login(gp)
    response = _refer(
        client,
        meeting,
        edith,
        medically_stable="yes",
        consent_to_share="no",
        sharing_basis="not_asked_yet",
        sharing_note="Edith was not at the meeting; her GP will ask on Friday",
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person=edith)
    assert referral.channel == Referral.Channel.MDT
    assert referral.sharing_basis == "not_asked_yet"

    client.force_login(coordinator)
    page = _text(client.get(f"/people/{edith.public_id}/spa/"))
    assert (
        "Sent without the person's agreement to share: Not asked yet: the person will be "
        "asked at first contact. Edith was not at the meeting; her GP will ask on Friday"
    ) in page
    # The next MDT reads its pack, not the SPA's page: it hears the basis too.
    client.force_login(gp)
    pack = _text(client.get(f"/meetings/{meeting.pk}/pack/"))
    assert "Sent without the person's agreement to share: Not asked yet" in pack
    assert "her GP will ask on Friday" in pack


def test_mdt_referral_yes_ignores_a_basis(client, gp, meeting, edith, spa):
    client.force_login(gp)
    response = _refer(
        client,
        meeting,
        edith,
        medically_stable="yes",
        consent_to_share="yes",
        sharing_basis="safeguarding",
        sharing_note="Typed, then the answer changed to Yes",
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person=edith)
    assert (referral.sharing_basis, referral.sharing_note) == ("", "")


def test_refer_to_spa_action_without_basis_is_refused(gp, meeting, spa):
    with pytest.raises(ValidationError) as error:
        actions.refer_to_spa(
            by=gp,
            item=meeting.items.get(),
            reason="Reablement",
            urgency="routine",
            medically_stable=True,
            consent_to_share=False,
        )
    assert set(error.value.message_dict) == {"sharing_basis", "sharing_note"}
    assert not Referral.objects.exists()
    assert meeting.items.get().outcome == ""
