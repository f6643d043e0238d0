from datetime import datetime

import pytest

from joinedcare.referrals.clock import LONDON
from joinedcare.staff.roles import Role
from tests import factories

# A Wednesday in winter (GMT): 3am is out of hours, 10am in hours.
NIGHT = datetime(2026, 1, 14, 3, 0, tzinfo=LONDON)
MORNING = datetime(2026, 1, 14, 10, 0, tzinfo=LONDON)


@pytest.fixture
def at(settings):
    """at(moment): set the server's clock (joinedcare.referrals.clock)."""

    def set_clock(moment):
        settings.JOINEDCARE_CLOCK = moment
        return moment

    return set_clock


@pytest.fixture
def coordinator(db):
    return factories.staff(Role.SPA_COORDINATOR)


@pytest.fixture
def assessor(db):
    return factories.staff(Role.ASSESSOR)


@pytest.fixture
def spa(coordinator, assessor):
    return factories.spa(staff=[coordinator, assessor])
