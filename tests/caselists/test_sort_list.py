"""On a phone the case list's column headings are hidden (each person becomes a card), so
the page also offers its sorts as a "Sort the list by" list, in words, and labels every
value on the card with its heading."""

import re

import pytest

from joinedcare.caselists import views
from joinedcare.caselists.actions import publish_run
from joinedcare.staff.roles import Role
from tests import factories
from tests.caselists.runs import write_run


@pytest.fixture
def practice(tmp_path, team_a):
    practice = factories.practice(team=team_a)
    people = [factories.person(practice=practice) for _ in range(3)]
    rows = [(p.pseudonym, practice.code, 0.2 * (i + 1)) for i, p in enumerate(people)]
    publish_run(
        by=factories.staff(Role.ANALYST), run_dir=write_run(tmp_path, "r1", rows), top_percent=99
    )
    return practice


def _options(page: str) -> list[tuple[str, str, bool]]:
    """(value, words, selected) for each option of the "Sort the list by" list."""
    found = re.findall(r'<option value="(\w+)"( selected)?>([^<]+)</option>', page)
    return [(value, words, bool(selected)) for value, selected, words in found]


def test_every_sort_is_offered_in_words_with_the_current_one_chosen(client, practice, team_a):
    client.force_login(factories.staff(Role.VAWAS_NURSE, teams=[team_a]))
    page = client.get(f"/case-lists/practices/{practice.code}/?sort=hfrs").text
    assert '<label class="nhsuk-label" for="sort">Sort the list by</label>' in page
    assert _options(page) == [
        ("rank", "Rank", False),
        ("new", "New to the list first", False),
        ("risk", "Risk, highest first", False),
        ("efi", "Frailty (eFI), highest first", False),
        ("hfrs", "HFRS, highest first", True),
        ("charlson", "Charlson, highest first", False),
    ]
    assert set(views.SORT_NAMES) == set(views.SORTS)  # no sort without its words


def test_a_team_list_offers_rank_as_grouped_by_practice(client, practice, team_a):
    client.force_login(factories.staff(Role.VAWAS_NURSE, teams=[team_a]))
    page = client.get(f"/case-lists/teams/{team_a.code}/").text
    assert ("rank", "Rank in practice, grouped by practice", False) in _options(page)
    assert ("risk", "Risk, highest first", True) in _options(page)  # a team's default


def test_each_value_is_labelled_with_its_heading_for_the_card_on_a_phone(client, practice, team_a):
    client.force_login(factories.staff(Role.VAWAS_NURSE, teams=[team_a]))
    page = client.get(f"/case-lists/teams/{team_a.code}/").text
    assert '<table class="nhsuk-table nhsuk-table--responsive" role="table">' in page
    headings = re.findall(
        r'<span class="nhsuk-table__heading" aria-hidden="true">([^<]+) </span>', page
    )
    card = ["Rank in practice", "Person", "Practice", "Risk", "Frailty (eFI)", "HFRS", "Charlson"]
    assert headings == [*card, "Why (at 1 April 2026)"] * 3
