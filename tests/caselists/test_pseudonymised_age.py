"""The analyst's pseudonymised case list shows an age band, never an exact age."""

import re
from datetime import date

import pytest

from joinedcare.caselists.actions import publish_run
from joinedcare.caselists.models import CaseListEntry
from joinedcare.staff.roles import Role
from tests import factories
from tests.caselists.runs import write_run

pytestmark = pytest.mark.django_db

EXACT_AGE = re.compile(r"aged \d+")


@pytest.fixture
def published(tmp_path, team_a):
    practice = factories.practice(team=team_a)
    person = factories.person(
        practice=practice, family_name="Eldest", date_of_birth=date(1925, 1, 1)
    )
    rows = [(person.pseudonym, practice.code, 0.9)]
    publish_run(
        by=factories.staff(Role.ANALYST), run_dir=write_run(tmp_path, "r1", rows), top_percent=99
    )
    CaseListEntry.objects.update(top_factors=["aged 101", "lives alone"])
    return practice, person


def test_analysts_pseudonymised_list_shows_the_age_band(client, published):
    practice, person = published
    client.force_login(factories.staff(Role.ANALYST))
    for url in (
        f"/case-lists/teams/{practice.team.code}/",
        f"/case-lists/practices/{practice.code}/",
    ):
        text = client.get(url).content.decode()
        assert person.pseudonym[:12] in text and "ELDEST" not in text
        assert not EXACT_AGE.search(text), EXACT_AGE.search(text)
        assert "age 90 or over" in text and "lives alone" in text

    # Staff of the person's team see them named, with their exact age.
    client.force_login(factories.staff(Role.GP, teams=[practice.team]))
    text = client.get(f"/case-lists/practices/{practice.code}/").content.decode()
    assert "ELDEST" in text and "aged 101" in text
