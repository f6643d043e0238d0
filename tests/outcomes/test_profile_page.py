"""The locality profile page: who may see it, and that its rule and method are stated."""

import pytest
from django.conf import settings
from django.utils.html import escape

from joinedcare.analytics import profiles
from joinedcare.analytics.store import Store
from joinedcare.analytics.suppression import RULE_TEXT, SUPPRESSED_TEXT
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _url(locality) -> str:
    return f"/outcomes/locality/{locality.code}/profile/"


def test_analyst_sees_the_profile(client, units):
    locality = units["localities"]["L1"]
    client.force_login(factories.staff(Role.ANALYST))

    response = client.get(_url(locality))

    assert response.status_code == 200
    body = response.text
    assert f"Locality profile: {escape(locality.name)}" in body
    assert str(escape(RULE_TEXT)) in body
    assert str(escape(profiles.METHOD_TEXT)) in body
    for band in ("0-17", "18-64", "65-74", "75+"):
        assert band in body
    for heading in ("Now", "In 5 years", "In 10 years", "IMD decile", "A&amp;E per 1,000"):
        assert heading in body
    for lsoa in ("E01000000", "E01000004", profiles.NOT_RECORDED):
        assert lsoa in body
    # Five LSOAs of a small locality: some cells are suppressed, and no shown count is a
    # small number or off the multiples of 5.
    assert SUPPRESSED_TEXT in body
    shown = profiles.shown(profiles.read_tables(_snapshot_path(units)), locality.code)
    for row in [*shown.rows, shown.total]:
        for text in [*row.band_cells, row.population, row.ae_12m, row.emergency_12m]:
            assert text == SUPPRESSED_TEXT or int(text.replace(",", "")) % 5 == 0


def _snapshot_path(units):
    return Store(settings.ANALYTICS_DIR).current().path


def test_dashboard_links_to_the_profile(client, units):
    locality = units["localities"]["L1"]
    client.force_login(factories.staff(Role.ANALYST))

    response = client.get(f"/outcomes/locality/{locality.code}/")

    assert f'href="{_url(locality)}"' in response.text


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_staff_without_aggregates_are_refused(client, units, role):
    client.force_login(factories.staff(role))

    assert client.get(_url(units["localities"]["L1"])).status_code == 403


def test_unknown_locality_is_not_found(client, units):
    client.force_login(factories.staff(Role.ANALYST))

    assert client.get("/outcomes/locality/NOPE/profile/").status_code == 404
