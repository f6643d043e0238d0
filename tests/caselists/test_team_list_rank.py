"""A team's case list mixes practices: its rank column says it is the rank in the practice,
and the list is in order of risk unless asked otherwise. A practice's page is unchanged."""

import re

import pytest

from joinedcare.caselists.actions import publish_run
from joinedcare.staff.roles import Role
from tests import factories
from tests.caselists.runs import write_run


@pytest.fixture
def two_practices(tmp_path, team_a):
    """Auckland's first has 52% risk; Bishopgate's first 97%, its second 60%."""
    auckland = factories.practice(team=team_a)
    bishopgate = factories.practice(team=team_a)
    rows = [
        ("a" * 32, auckland.code, 0.52),
        ("b" * 32, bishopgate.code, 0.97),
        ("c" * 32, bishopgate.code, 0.60),
    ]
    publish_run(
        by=factories.staff(Role.ANALYST), run_dir=write_run(tmp_path, "r1", rows), top_percent=99
    )
    return auckland, bishopgate


def _risks(page: str) -> list[str]:
    """The risk column's values, in the order of the rows (each after its card heading)."""
    return re.findall(r'aria-hidden="true">Risk </span>(\d+%)</td>', page)


def test_team_list_heads_its_rank_column_rank_in_practice(client, two_practices, team_a):
    client.force_login(factories.staff(Role.ANALYST))
    page = client.get(f"/case-lists/teams/{team_a.code}/").text
    assert '<a href="?sort=rank">Rank in practice (by practice)' in page
    assert ">Rank<" not in page
    # A practice's own list is one practice: its rank is the list's, sorted by as before.
    page = client.get(f"/case-lists/practices/{two_practices[1].code}/").text
    assert 'aria-sort="ascending"><strong>Rank</strong>' in page
    assert "Rank in practice" not in page


def test_team_list_is_in_order_of_risk_by_default(client, two_practices, team_a):
    client.force_login(factories.staff(Role.ANALYST))
    page = client.get(f"/case-lists/teams/{team_a.code}/").text
    assert 'aria-sort="descending"><strong>Risk</strong>' in page
    assert _risks(page) == ["97%", "60%", "52%"]
    # Sorted by rank in practice, it is grouped by practice, as before.
    page = client.get(f"/case-lists/teams/{team_a.code}/?sort=rank").text
    assert 'aria-sort="ascending"><strong>Rank in practice</strong>' in page
