"""A pseudonymised pack entry gives an age band, never the exact age, even in the case
list's factors ("aged 88" is the age band 85 to 89)."""

import re
from datetime import date

import pytest

from joinedcare.analytics.factors import pseudonymised_factor
from joinedcare.caselists.models import CaseListEntry
from joinedcare.meetings import actions
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

EXACT_AGE = re.compile(r"aged \d+(?! to \d)")


@pytest.fixture
def agenda(gp, nurse, practice_a, publish):
    person = factories.person(
        practice=practice_a, given_name="Edith", family_name="Piaf", date_of_birth=date(1938, 1, 1)
    )
    publish([(person, 0.8)])
    CaseListEntry.objects.filter(pseudonym=person.pseudonym).update(
        top_factors=["aged 88", "3 emergency admissions in the last 12 months"]
    )
    meeting = factories.meeting(chair=gp, unit=practice_a, members=[nurse])
    actions.build_agenda(by=gp, meeting=meeting)
    return meeting, person


def test_pack_shows_exact_age_only_where_identifiable(client, agenda, gp, team_b):
    meeting, _ = agenda
    outsider = factories.staff(Role.SOCIAL_WORKER, teams=[team_b])
    meeting.members.create(user=outsider)
    client.force_login(outsider)
    page = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert "pseudonymised" in page and "PIAF" not in page
    assert "3 emergency admissions" in page  # the factors are still shown
    assert not EXACT_AGE.search(page), EXACT_AGE.search(page)
    assert "age 85 to 89" in page

    client.force_login(gp)
    page = client.get(f"/meetings/{meeting.pk}/pack/").content.decode()
    assert "Edith PIAF" in page and "aged 88" in page


def test_pseudonymised_factor_bands_only_ages():
    assert pseudonymised_factor("aged 88") == "age 85 to 89"
    assert pseudonymised_factor("aged 101") == "age 90 or over"
    assert pseudonymised_factor("aged 7") == "age 5 to 9"
    text = "3 emergency admissions in the last 12 months"
    assert pseudonymised_factor(text) == text
