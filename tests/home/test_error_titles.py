"""A page showing an error summary has a title beginning "Error: " (NHS.UK pattern)."""

import re

import pytest

from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode()).group(1)


def test_a_failed_form_says_error_first_in_its_title_and_a_clean_one_does_not(client, team_a):
    client.force_login(factories.staff(Role.PRIVACY_OFFICER))

    clean = client.get("/audit/?since=2026-12-01&until=2026-12-05")
    failed = client.get("/audit/?since=2026-12-05&until=2026-12-01")

    assert not _title(clean).startswith("Error: ")
    assert _title(failed).startswith("Error: ")
    assert int(failed["Content-Length"]) == len(failed.content)
